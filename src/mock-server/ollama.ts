/**
 * Ollama's native API, as a local `ollama serve` sends it: /api/chat NDJSON lines ending in a
 * `done:true` line with counts and durations in nanoseconds, /api/tags, /api/version.
 * See realdata ollama/api-chat-stream.ndjson. (Its /v1 endpoint is in openai.ts.)
 */
import { framesFromPieces, splitDeltas } from './text.js';
import type { Encoded, Piece, ResolvedReply } from './types.js';

/** Ollama names always carry a tag; `llama3.2` means `llama3.2:latest`. */
export function ollamaModelName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function finalFields(r: ResolvedReply): Record<string, unknown> {
  const ms = 1_000_000;
  const load = 2 * ms;
  const promptEval = 3 * ms + r.usage.input * 50_000;
  const evalDuration = Math.max(1, r.plannedMs) * ms;
  return {
    done_reason: r.finish === 'length' ? 'length' : 'stop',
    done: true,
    total_duration: load + promptEval + evalDuration,
    load_duration: load,
    prompt_eval_count: r.usage.input,
    prompt_eval_duration: promptEval,
    eval_count: r.usage.output,
    eval_duration: evalDuration,
  };
}

function line(obj: unknown): string {
  return `${JSON.stringify(obj)}\n`;
}

function streamPieces(r: ResolvedReply): Piece[] {
  const base = () => ({ model: r.model, created_at: new Date().toISOString() });
  const pieces: Piece[] = [];
  for (const d of splitDeltas(r.reasoning, r.deltaChars)) {
    pieces.push({ kind: 'delta', data: line({ ...base(), message: { role: 'assistant', content: '', thinking: d }, done: false }) });
  }
  for (const d of splitDeltas(r.text, r.deltaChars)) {
    pieces.push({ kind: 'delta', data: line({ ...base(), message: { role: 'assistant', content: d }, done: false }) });
  }
  pieces.push({ kind: 'tail', data: line({ ...base(), message: { role: 'assistant', content: '' }, ...finalFields(r) }) });
  return pieces;
}

/** `stream` defaults to true on Ollama's native API. */
export function encodeOllama(r: ResolvedReply, stream: boolean): Encoded {
  if (!stream) {
    const message: Record<string, unknown> = { role: 'assistant', content: r.text };
    if (r.reasoning) message.thinking = r.reasoning;
    const body = JSON.stringify({ model: r.model, created_at: new Date().toISOString(), message, ...finalFields(r) });
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, frames: [body], chunked: false };
  }
  // Ollama reports a failure after the 200 as an `{"error": …}` line.
  const { frames, dropAtEnd } = framesFromPieces(
    streamPieces(r),
    r.errorAfter,
    r.errorAfter === null ? null : line({ error: r.errorMessage }),
  );
  return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, frames, chunked: true, dropAtEnd };
}

/** GET /api/tags. */
export function ollamaTags(models: string[]): string {
  return JSON.stringify({
    models: models.map((m) => {
      const name = ollamaModelName(m);
      return {
        name,
        model: name,
        modified_at: '2025-09-02T10:14:07.815843+02:00',
        size: 2019393189,
        digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
        details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
      };
    }),
  });
}

/** GET /v1/models on Ollama's OpenAI-compatible endpoint. */
export function ollamaOpenAIModels(models: string[]): string {
  const data = models.map((m) => ({ id: ollamaModelName(m), object: 'model', created: 1756800847, owned_by: 'library' }));
  return JSON.stringify({ object: 'list', data });
}
