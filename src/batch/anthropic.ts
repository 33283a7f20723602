/**
 * Anthropic Message Batches: `POST /v1/messages/batches` with `{requests: [{custom_id, params}]}`
 * (params as for /v1/messages, without `stream`), polled at `GET /v1/messages/batches/{id}`
 * (`processing_status` in_progress → canceling → ended, with request_counts), results as JSONL
 * at the batch's `results_url`: `{custom_id, result: {type: succeeded|errored|canceled|expired,
 * message | error}}`. Up to 100,000 requests or 256 MB per batch; custom ids of 1–64
 * characters `[a-zA-Z0-9_-]` (a cache key is 64 hex digits).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ProviderSpec } from '../providers/provider.js';
import { anthropicRequest } from '../providers/anthropic.js';
import { errorFromPayload } from '../providers/http-errors.js';
import { joinUrl } from '../providers/http.js';
import { callJson, callLines, sameOrigin, type CallOptions } from './http.js';
import type { BatchApi, JobInput } from './api.js';
import type { BatchItem, BatchResult, JobRecord, JobStatus } from './types.js';
import { parseLine } from './parse.js';

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const time = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);

function statusOf(b: Record<string, unknown>): JobStatus {
  const raw = typeof b.processing_status === 'string' ? b.processing_status : 'unknown';
  const c = (b.request_counts ?? {}) as Record<string, unknown>;
  const total = num(c.processing) + num(c.succeeded) + num(c.errored) + num(c.canceled) + num(c.expired);
  const ended = raw === 'ended';
  // An ended batch is "completed" unless none of it ran.
  const state = raw === 'in_progress' ? 'running' : raw === 'canceling' ? 'cancelling' : !ended ? 'running' : num(c.canceled) > 0 && num(c.succeeded) + num(c.errored) === 0 ? 'cancelled' : num(c.expired) > 0 && num(c.succeeded) + num(c.errored) === 0 ? 'expired' : 'completed';
  return { state, raw, total, done: total - num(c.processing), failed: num(c.errored) + num(c.canceled) + num(c.expired), expiresAt: time(b.expires_at) };
}

const base = (spec: ProviderSpec) => joinUrl(spec.baseUrl, 'v1/messages/batches');

export const anthropicBatch: BatchApi = {
  limits: { maxRequests: 100_000, maxBytes: 256 * 1000 * 1000 },
  frame: { head: '{"requests":[', separator: ',', tail: ']}' },
  item(spec: ProviderSpec, it: BatchItem): string {
    const { stream: _s, ...params } = anthropicRequest(spec, it.request).body as Record<string, unknown>;
    return JSON.stringify({ custom_id: it.key, params });
  },

  async submit(spec: ProviderSpec, _model: string, input: JobInput, o: CallOptions) {
    const body = Readable.toWeb(createReadStream(input.file)) as unknown as ReadableStream<Uint8Array>;
    const job = await callJson(spec, base(spec), { ...o, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(input.bytes) }, body });
    if (typeof job.id !== 'string') throw new Error(`${spec.id} did not return a message batch id`);
    return { id: job.id, expiresAt: statusOf(job).expiresAt };
  },

  async poll(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus> {
    return statusOf(await callJson(spec, `${base(spec)}/${encodeURIComponent(job.id)}`, o));
  },

  async *results(spec: ProviderSpec, job: JobRecord, o: CallOptions): AsyncGenerator<BatchResult> {
    const b = await callJson(spec, `${base(spec)}/${encodeURIComponent(job.id)}`, o);
    const url = typeof b.results_url === 'string' ? sameOrigin(spec, b.results_url) : `${base(spec)}/${encodeURIComponent(job.id)}/results`;
    for await (const line of callLines(spec, url, o)) {
      let v: { custom_id?: unknown; result?: { type?: unknown; message?: unknown; error?: unknown } };
      try {
        v = JSON.parse(line);
      } catch {
        continue;
      }
      const key = typeof v?.custom_id === 'string' ? v.custom_id : null;
      const r = v?.result;
      if (!key || !r) continue;
      if (r.type === 'succeeded') {
        const answer = parseLine('anthropic', r.message);
        yield answer ? { key, answer } : { key, error: { kind: 'bad-response', message: `${spec.id} returned a batch answer mmr cannot read`, status: null, retryable: false } };
      } else if (r.type === 'expired' || r.type === 'canceled') yield { key, notRun: r.type === 'expired' ? 'expired' : 'cancelled' };
      // `error` holds the same envelope a failed /v1/messages call returns.
      else yield { key, error: errorFromPayload(spec, null, r.error, { model: job.model }) };
    }
  },

  async cancel(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus> {
    return statusOf(await callJson(spec, `${base(spec)}/${encodeURIComponent(job.id)}/cancel`, { ...o, method: 'POST' }));
  },
};
