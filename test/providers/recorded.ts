/**
 * The conformance runner for recorded provider traffic: every file of a ../shared/realdata
 * folder, served byte for byte by a real HTTP server and split at several chunk sizes, must give
 * exactly what that folder's SOURCES.md says, and every file must have an expectation. The files
 * are read in place (never copied); without ../shared the suite is skipped.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorInfo, UnifiedFinishReason, Usage } from '../../src/core/types.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { collect, outcome, SECRET_KEY, specFor, type HttpProtocol } from './support.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const realdataDir = (name: string) => path.resolve(repoRoot, '../shared/realdata', name);

/** A text given by its facts rather than in full (SOURCES.md does that for long ones). */
export interface LongText {
  sha256: string;
  /** Unicode code points. */
  codePoints?: number;
  /** UTF-16 units (String length). */
  chars?: number;
  bytes?: number;
  starts?: string;
  ends?: string;
}

export interface Case {
  protocol: HttpProtocol;
  model?: string;
  status?: number;
  headers?: Record<string, string>;
  text?: string | LongText;
  reasoning?: string | LongText;
  reasoningLength?: number;
  /** The reasoning as the recording spells it, read by a plain parse of the whole body (not by mmr's streaming reader). */
  reasoningOf?: (body: Buffer) => string;
  /** The recording's own final object names the reasoning parts; mmr's reasoning is them joined by `separator`. */
  reasoningParts?: { of: (body: Buffer) => string[]; count: number; joined?: LongText; separator: string };
  finish?: [raw: string, unified: UnifiedFinishReason];
  usage?: Omit<Usage, 'raw'>;
  error?: Partial<ErrorInfo> & { hintIncludes?: string; messageIncludes?: string };
}

export const usage = (inputTokens: number, outputTokens: number, extra: Partial<Usage> = {}) => ({ inputTokens, outputTokens, ...extra });

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Checks a text against its expectation, exact or by its facts. */
export function expectText(actual: string, expected: string | LongText, what: string): void {
  if (typeof expected === 'string') return void expect(actual, what).toBe(expected);
  if (expected.codePoints !== undefined) expect(Array.from(actual).length, `${what} code points`).toBe(expected.codePoints);
  if (expected.chars !== undefined) expect(actual.length, `${what} length`).toBe(expected.chars);
  if (expected.bytes !== undefined) expect(Buffer.byteLength(actual, 'utf8'), `${what} bytes`).toBe(expected.bytes);
  if (expected.starts !== undefined) expect(actual.startsWith(expected.starts), `${what} starts ${JSON.stringify(expected.starts)}`).toBe(true);
  if (expected.ends !== undefined) expect(actual.endsWith(expected.ends), `${what} ends ${JSON.stringify(expected.ends)}`).toBe(true);
  expect(sha256(actual), `${what} sha256`).toBe(expected.sha256);
}

/** Every chat chunk's `delta[field]` string, joined: an OpenAI-style stream's reasoning as recorded. */
export function chatDeltas(field: string) {
  return (body: Buffer): string =>
    sseData(body)
      .map((c: any) => c?.choices?.[0]?.delta?.[field])
      .filter((v): v is string => typeof v === 'string')
      .join('');
}

/** The JSON payloads of an SSE body's `data:` fields, in order. */
export function sseData(body: Buffer): unknown[] {
  return body
    .toString('utf8')
    .replace(/\r\n/g, '\n')
    .split('\n\n')
    .map((block) => block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n'))
    .filter((d) => d && d !== '[DONE]')
    .map((d) => JSON.parse(d));
}

function contentTypeFor(file: string): string {
  if (file.endsWith('.sse')) return 'text/event-stream; charset=utf-8';
  if (file.endsWith('.ndjson')) return 'application/x-ndjson';
  return 'application/json; charset=utf-8';
}

/** Chunk sizes: whole body, every byte, and odd sizes that cut lines, JSON and CRLF pairs. */
const chunkSizesFor = (file: string, c: Case) => (c.error && !file.endsWith('.sse') ? [0, 3] : file.endsWith('.json') ? [0, 1, 5] : [0, 1, 7, 64, 509]);

function recordedFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== 'SOURCES.md')
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
}

/** One describe block over `../shared/realdata/<folder>`: an expectation per file, each file at each split. */
export function describeRecorded(folder: string, cases: Record<string, Case>): void {
  const dir = realdataDir(folder);
  const exists = fs.existsSync(path.join(dir, 'SOURCES.md'));
  describe.skipIf(!exists)(`recorded provider traffic (../shared/realdata/${folder})`, () => {
    let server: RawServer;
    beforeAll(async () => {
      server = await startRawServer();
    });
    afterAll(() => server?.close());

    it('has an expectation for every recorded file', () => {
      expect(recordedFiles(dir)).toEqual(Object.keys(cases).sort());
    });

    const runs = Object.entries(cases).flatMap(([file, c]) => chunkSizesFor(file, c).map((size) => ({ file, c, size })));

    it.each(runs)('$file split every $size bytes', async ({ file, c, size }) => {
      const body = fs.readFileSync(path.join(dir, file));
      server.respond({
        status: c.status ?? 200,
        headers: { 'content-type': contentTypeFor(file), ...c.headers },
        body,
        ...(size > 0 ? { chunkSize: size, delayMs: 0 } : {}),
      });
      const spec = specFor(c.protocol, server.url);
      const request = { model: c.model ?? 'recorded-model', messages: [{ role: 'user' as const, content: 'hi' }] };
      const o = outcome(await collect(c.protocol, spec, request));

      if (c.error) {
        const { hintIncludes, messageIncludes, retryAfterMs, ...fields } = c.error;
        expect(o.error).toMatchObject(fields);
        // Absent Retry-After must stay absent: the engine then uses its own backoff.
        expect(o.error?.retryAfterMs).toBe(retryAfterMs);
        if (hintIncludes) expect(o.error?.hint).toContain(hintIncludes);
        if (messageIncludes) expect(o.error?.message).toContain(messageIncludes);
        expect(JSON.stringify(o.error)).not.toContain(SECRET_KEY);
        expect(o.started).toBe(c.status === undefined);
        return;
      }
      expect(o.error).toBeUndefined();
      expect(o.started).toBe(true);
      expectText(o.text, c.text ?? '', 'text');
      if (c.reasoning !== undefined) expectText(o.reasoning, c.reasoning, 'reasoning');
      if (c.reasoningLength !== undefined) expect(o.reasoning).toHaveLength(c.reasoningLength);
      if (c.reasoningParts) {
        const parts = c.reasoningParts.of(body);
        expect(parts).toHaveLength(c.reasoningParts.count);
        if (c.reasoningParts.joined) expectText(parts.join(''), c.reasoningParts.joined, 'reasoning parts');
        expect(o.reasoning).toBe(parts.join(c.reasoningParts.separator));
      }
      if (c.reasoningOf) expect(o.reasoning).toBe(c.reasoningOf(body));
      if (c.reasoning === undefined && c.reasoningLength === undefined && !c.reasoningParts && !c.reasoningOf) expect(o.reasoning).toBe('');
      const [raw, unified] = c.finish!;
      expect(o.finish?.finishReason).toEqual({ raw, unified });
      const { raw: usageRaw, ...normalised } = o.finish!.usage;
      expect(normalised).toEqual(c.usage);
      expect(usageRaw).toBeTypeOf('object');
    }, 30_000);
  });
}
