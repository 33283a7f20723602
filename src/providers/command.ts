import type { ModelRequest, ProviderEvent } from '../core/types.js';
import type { ProviderAdapter, ProviderSpec, StreamOptions } from './provider.js';

/** Lines of the program's stderr kept for the error message. */
const STDERR_TAIL_LINES = 5;

/** What the program reads on stdin: the conversation's text, turns labelled only when there are several. */
export function promptText(request: ModelRequest): string {
  if (request.messages.length === 1) return request.messages[0].content;
  return request.messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
}

/** argv with `{model}` replaced; the prompt is never put on the command line or through a shell. */
export function commandArgv(spec: ProviderSpec, model: string): string[] {
  return (spec.command ?? []).map((a) => a.replaceAll('{model}', model));
}

/**
 * Runs a local program as a model: the prompt on stdin, stdout streamed as the answer,
 * a non-zero exit is an error carrying the end of stderr. Options reach the program as
 * MMR_* environment variables so any CLI can be wrapped without a shell.
 */
export const commandAdapter: ProviderAdapter = {
  async *stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncGenerator<ProviderEvent> {
    const argv = commandArgv(spec, request.model);
    if (argv.length === 0) {
      yield {
        type: 'error',
        error: {
          kind: 'config',
          message: `provider ${spec.id} has no command`,
          status: null,
          retryable: false,
          hint: `set providers.${spec.id}.command to an argv array, e.g. ["llm", "-m", "{model}"]`,
        },
      };
      return;
    }
    const { execa } = await import('execa');
    const env: Record<string, string> = { ...spec.commandEnv, MMR_MODEL: request.model };
    if (request.system) env.MMR_SYSTEM = request.system;
    if (request.temperature !== undefined) env.MMR_TEMPERATURE = String(request.temperature);
    if (request.maxTokens !== undefined) env.MMR_MAX_TOKENS = String(request.maxTokens);

    let child;
    try {
      options.onSent?.();
      child = execa(argv[0], argv.slice(1), {
        input: promptText(request),
        env,
        cancelSignal: options.signal,
        reject: false,
        stripFinalNewline: false,
        buffer: { stdout: false, stderr: true },
        encoding: 'utf8',
      });
    } catch (err) {
      yield { type: 'error', error: { kind: 'command', message: `cannot run ${argv[0]}: ${String(err)}`, status: null, retryable: false } };
      return;
    }
    yield { type: 'start' };
    let out = 0;
    try {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        const text = decoder.decode(chunk, { stream: true });
        out += text.length;
        if (text) yield { type: 'text-delta', text };
      }
      const rest = decoder.decode();
      if (rest) yield { type: 'text-delta', text: rest };
    } catch {
      // stdout errors surface again through the result below
    }
    const result = await child;
    if (options.signal.aborted || result.isCanceled) {
      yield { type: 'error', error: { kind: 'aborted', message: 'cancelled', status: null, retryable: false } };
      return;
    }
    if (result.failed) {
      const tail = String(result.stderr ?? '').trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
      const why =
        (result as { code?: string }).code === 'ENOENT'
          ? `command not found: ${argv[0]}`
          : result.exitCode !== undefined
            ? `${argv[0]} exited with code ${result.exitCode}`
            : `${argv[0]} was killed by ${result.signal ?? 'a signal'}`;
      yield {
        type: 'error',
        error: {
          kind: 'command',
          message: tail ? `${why}: ${tail}` : why,
          status: null,
          retryable: false,
          hint: `check providers.${spec.id}.command in your config`,
        },
      };
      return;
    }
    yield {
      type: 'finish',
      finishReason: { unified: 'stop', raw: result.exitCode === 0 ? 'exit 0' : null },
      // A local program reports no token counts; null keeps the cost unknown rather than $0.
      usage: { inputTokens: null, outputTokens: null, raw: { stdoutChars: out } },
    };
  },
};
