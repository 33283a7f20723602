/**
 * Test helpers for the mock server tests: raw HTTP calls and a minimal wire parser written
 * here on purpose, so these tests depend on nothing under src/providers/.
 */
import { request } from 'node:http';

export interface SseEvent {
  event?: string;
  data: string;
}

/** Splits an SSE body into events (blank-line separated, LF or CRLF). */
export function parseSse(body: string): SseEvent[] {
  return body
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const ev: SseEvent = { data: '' };
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) ev.event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      ev.data = data.join('\n');
      return ev;
    });
}

/** JSON of every `data:` event except `[DONE]`. */
export function sseJson(body: string): any[] {
  return parseSse(body)
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data));
}

/** A fetch Response whose json() is `any`, for terse assertions on provider bodies. */
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export function get(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return fetch(url, { headers });
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<JsonResponse> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** Replaces per-response ids and timestamps so two bodies of the same reply compare equal. */
export function normalize(body: string): string {
  return body.replace(/"(id|item_id|created|created_at|responseId|request_id)":\s?("[^"]*"|\d+)/g, '"$1":X');
}

export interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes as they came out of the HTTP parser (one entry per read). */
  chunks: Buffer[];
  body: Buffer;
  /** The connection ended before the response was complete. */
  aborted: boolean;
}

/** A POST with node:http, keeping each body read apart and noticing a cut connection. */
export function rawPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => (aborted = true));
      res.on('error', () => (aborted = true));
      res.on('close', () => {
        aborted ||= !res.complete;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks, body: Buffer.concat(chunks), aborted });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content }],
  ...extra,
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
