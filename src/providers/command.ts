import type { ErrorInfo, ModelRequest, ProviderEvent } from '../core/types.js';
import { AnswerBudget, limitInfo, limitsFor } from './limits.js';
import { groupAlive, killGroup, trackGroup, untrackGroup } from './process-group.js';
import { requestProblem } from './request-check.js';
import type { ProviderAdapter, ProviderSpec, StreamOptions } from './provider.js';

/** Lines of the program's stderr kept for the error message. */
const STDERR_TAIL_LINES = 5;
/** Bytes of stderr kept (its end), however much the program writes. */
const STDERR_TAIL_BYTES = 16 * 1024;
/**
 * ms the output may stay open after the program exited: long enough to drain what it wrote,
 * short enough that a background grandchild holding stdout does not keep the answer open.
 */
export const STDIO_GRACE_MS = 500;

/** What the program reads on stdin: the conversation's text, turns labelled only when there are several. */
export function promptText(request: ModelRequest): string {
  if (request.messages.length === 1) return request.messages[0].content;
  return request.messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
}

/** argv with `{model}` replaced; the prompt is never put on the command line or through a shell. */
export function commandArgv(spec: ProviderSpec, model: string): string[] {
  return (spec.command ?? []).map((a) => a.replaceAll('{model}', model));
}

const failure = (error: ErrorInfo): ProviderEvent => ({ type: 'error', error });

/** The last STDERR_TAIL_BYTES of a stream, kept as it is read. */
function tailOf(stream: NodeJS.ReadableStream | null | undefined): () => string {
  let chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (c: Buffer) => {
    chunks.push(c);
    size += c.length;
    while (size - chunks[0].length >= STDERR_TAIL_BYTES) size -= chunks.shift()!.length;
  });
  stream?.on('error', () => {});
  return () => {
    const all = Buffer.concat(chunks);
    chunks = [];
    return all.subarray(Math.max(0, all.length - STDERR_TAIL_BYTES)).toString('utf8');
  };
}

function exitError(spec: ProviderSpec, argv0: string, result: { code?: string; exitCode?: number; signal?: string }, stderr: string): ErrorInfo {
  const tail = stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
  const why =
    result.code === 'ENOENT'
      ? `command not found: ${argv0}`
      : result.exitCode !== undefined
        ? `${argv0} exited with code ${result.exitCode}`
        : `${argv0} was killed by ${result.signal ?? 'a signal'}`;
  return { kind: 'command', message: tail ? `${why}: ${tail}` : why, status: null, retryable: false, hint: `check providers.${spec.id}.command in your config` };
}

/**
 * Runs a local program as a model: the prompt on stdin, stdout streamed as the answer,
 * a non-zero exit is an error carrying the end of stderr. Options reach the program as
 * MMR_* environment variables so any CLI can be wrapped without a shell.
 *
 * The program runs in its own process group. Abort (timeout, Ctrl-C, SIGTERM), an answer over
 * limits.maxAnswerBytes, or output still held open STDIO_GRACE_MS after the program exited end
 * the whole group; whatever it left running is ended when the answer ends.
 */
export const commandAdapter: ProviderAdapter = {
  async *stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncGenerator<ProviderEvent> {
    const argv = commandArgv(spec, request.model);
    if (argv.length === 0) {
      return yield failure({
        kind: 'config',
        message: `provider ${spec.id} has no command`,
        status: null,
        retryable: false,
        hint: `set providers.${spec.id}.command to an argv array, e.g. ["llm", "-m", "{model}"]`,
      });
    }
    // A program reads text on stdin: images and a reasoning setting have nowhere to go.
    const refused = requestProblem(spec, request);
    if (refused) return yield failure(refused);
    if (options.signal.aborted) return yield failure({ kind: 'aborted', message: 'cancelled', status: null, retryable: false });
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
        detached: true,
        reject: false,
        stripFinalNewline: false,
        buffer: false,
        encoding: 'utf8',
      });
    } catch (err) {
      return yield failure({ kind: 'command', message: `cannot run ${argv[0]}: ${String(err)}`, status: null, retryable: false });
    }
    const pgid = child.pid;
    if (pgid !== undefined) trackGroup(pgid);
    const stopGroup = (unref = false): Promise<void> => (pgid === undefined ? Promise.resolve() : killGroup(pgid, { unref }));
    const onAbort = () => void stopGroup();
    options.signal.addEventListener('abort', onAbort, { once: true });
    let drainTimer: NodeJS.Timeout | undefined;
    child.once('exit', () => {
      drainTimer = setTimeout(() => void stopGroup(), STDIO_GRACE_MS);
    });
    const stderr = tailOf(child.stderr);

    try {
      yield { type: 'start' };
      const budget = new AnswerBudget(limitsFor(spec).maxAnswerBytes);
      let out = 0;
      try {
        const decoder = new TextDecoder();
        for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
          out += chunk.length;
          const text = decoder.decode(chunk, { stream: true });
          const over = text ? budget.add(text) : undefined;
          if (over) {
            await stopGroup();
            return yield failure(limitInfo(spec, over));
          }
          if (text) yield { type: 'text-delta', text };
        }
        const rest = decoder.decode();
        if (rest) yield { type: 'text-delta', text: rest };
      } catch {
        // stdout errors surface again through the result below
      }
      const result = await child;
      if (options.signal.aborted) return yield failure({ kind: 'aborted', message: 'cancelled', status: null, retryable: false });
      if (result.failed) return yield failure(exitError(spec, argv[0], result as never, stderr()));
      yield {
        type: 'finish',
        finishReason: { unified: 'stop', raw: result.exitCode === 0 ? 'exit 0' : null },
        // A local program reports no token counts; null keeps the cost unknown rather than $0.
        usage: { inputTokens: null, outputTokens: null, raw: { stdoutBytes: out } },
      };
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      clearTimeout(drainTimer);
      if (pgid !== undefined) {
        // Anything the program left running ends with the answer; mmr does not wait for the grace.
        if (groupAlive(pgid)) void stopGroup(true);
        else untrackGroup(pgid);
      }
      // A consumer that stopped early (or an abort) must not leave the execa promise rejecting unhandled.
      child.catch(() => {});
    }
  },
};
