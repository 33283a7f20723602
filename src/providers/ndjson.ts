import { decodeText, type BodySource, type ReadOptions } from './body.js';
import { LineSplitter } from './sse.js';

/** A line of an NDJSON body that is not JSON; the adapter reports it as a bad response. */
export class NdjsonParseError extends Error {
  /** The offending line, shortened for display. */
  readonly line: string;
  constructor(line: string) {
    const shown = line.length > 120 ? `${line.slice(0, 120)}…` : line;
    super(`expected a JSON line but got: ${shown}`);
    this.name = 'NdjsonParseError';
    this.line = shown;
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new NdjsonParseError(line.trim());
  }
}

/**
 * Parsed values of a newline-delimited JSON body (Ollama's native streaming format).
 * Tolerates CRLF and blank lines, and a last line without its newline: Ollama and proxies in
 * front of it are not consistent about the final terminator.
 */
export async function* parseNdjson(body: BodySource, options: ReadOptions = {}): AsyncGenerator<unknown> {
  const lines = new LineSplitter(options.limits?.maxEventChars);
  const emit = function* (line: string) {
    if (line.trim() === '') return;
    if (options.tap) options.tap.events++;
    yield parseLine(line);
  };
  for await (const text of decodeText(body, options)) {
    for (const line of lines.push(text)) yield* emit(line);
  }
  const last = lines.end();
  if (last !== undefined) yield* emit(last);
}
