/**
 * Gemini batch mode: `POST {base}/models/{model}:batchGenerateContent` with
 * `{batch: {displayName, inputConfig: {requests: {requests: [{request, metadata: {key}}]}}}}`
 * (inline requests, at most 20 MB per job), giving a long-running operation `batches/{id}`
 * polled at `GET {base}/batches/{id}` (`metadata.state`: BATCH_STATE_PENDING, _RUNNING,
 * _SUCCEEDED, _FAILED, _CANCELLED, _EXPIRED; `metadata.batchStats`); when done, `response`
 * holds `inlinedResponses.inlinedResponses[]` (`{response | error, metadata.key}`, in request
 * order) or a `responsesFile` to download. Cancel: `POST {base}/batches/{id}:cancel`.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ProviderSpec } from '../providers/provider.js';
import { geminiRequest } from '../providers/gemini.js';
import { errorFromPayload } from '../providers/http-errors.js';
import { joinUrl } from '../providers/http.js';
import { call, callJson, callLines, type CallOptions } from './http.js';
import type { BatchApi, JobInput } from './api.js';
import type { BatchItem, BatchResult, JobRecord, JobState, JobStatus } from './types.js';
import { parseLine } from './parse.js';

const STATES: Record<string, JobState> = {
  BATCH_STATE_PENDING: 'validating',
  BATCH_STATE_RUNNING: 'running',
  BATCH_STATE_SUCCEEDED: 'completed',
  BATCH_STATE_FAILED: 'failed',
  BATCH_STATE_CANCELLED: 'cancelled',
  BATCH_STATE_EXPIRED: 'expired',
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0);

function statusOf(op: Record<string, unknown>): JobStatus {
  const meta = isObj(op.metadata) ? op.metadata : {};
  const raw = typeof meta.state === 'string' ? meta.state.replace(/^JOB_STATE_/, 'BATCH_STATE_') : op.done ? 'BATCH_STATE_SUCCEEDED' : 'BATCH_STATE_PENDING';
  const stats = isObj(meta.batchStats) ? meta.batchStats : {};
  const total = int(stats.requestCount);
  const error = isObj(op.error) && typeof op.error.message === 'string' ? op.error.message : undefined;
  return { state: STATES[raw] ?? 'running', raw, total, done: int(stats.successfulRequestCount) + int(stats.failedRequestCount), failed: int(stats.failedRequestCount), ...(error ? { error } : {}) };
}

const modelName = (model: string) => model.replace(/^models\//, '');
const jobUrl = (spec: ProviderSpec, id: string) => joinUrl(spec.baseUrl, id.split('/').map(encodeURIComponent).join('/'));

function resultOf(spec: ProviderSpec, job: JobRecord, v: Record<string, unknown>, key: string | null): BatchResult | null {
  if (!key) return null;
  if (v.response !== undefined) {
    const answer = parseLine('gemini', v.response);
    return answer ? { key, answer } : { key, error: { kind: 'bad-response', message: `${spec.id} returned a batch answer mmr cannot read`, status: null, retryable: false } };
  }
  const status = isObj(v.error) && typeof v.error.code === 'number' ? v.error.code : null;
  return { key, error: errorFromPayload(spec, status, { error: v.error ?? { message: 'the batch gave no result for this request' } }, { model: job.model }) };
}

export const geminiBatch: BatchApi = {
  limits: { maxRequests: 100_000, maxBytes: 20 * 1000 * 1000 },
  frame: { head: '{"batch":{"displayName":"mmr bench","inputConfig":{"requests":{"requests":[', separator: ',', tail: ']}}}}' },
  item(spec: ProviderSpec, it: BatchItem): string {
    return JSON.stringify({ request: geminiRequest(spec, it.request).body, metadata: { key: it.key } });
  },

  async submit(spec: ProviderSpec, model: string, input: JobInput, o: CallOptions) {
    const body = Readable.toWeb(createReadStream(input.file)) as unknown as ReadableStream<Uint8Array>;
    const url = joinUrl(spec.baseUrl, `models/${encodeURIComponent(modelName(model))}:batchGenerateContent`);
    const op = await callJson(spec, url, { ...o, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(input.bytes) }, body });
    const name = typeof op.name === 'string' ? op.name : isObj(op.metadata) && typeof op.metadata.name === 'string' ? op.metadata.name : null;
    if (!name || !/^batches\/[\w-]+$/.test(name)) throw new Error(`${spec.id} did not return a batch name`);
    return { id: name };
  },

  async poll(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus> {
    return statusOf(await callJson(spec, jobUrl(spec, job.id), o));
  },

  async *results(spec: ProviderSpec, job: JobRecord, o: CallOptions): AsyncGenerator<BatchResult> {
    const op = await callJson(spec, jobUrl(spec, job.id), o);
    const meta = isObj(op.metadata) ? op.metadata : {};
    const out = isObj(op.response) ? op.response : isObj(meta.output) ? meta.output : {};
    const inlined = isObj(out.inlinedResponses) ? out.inlinedResponses.inlinedResponses : undefined;
    if (Array.isArray(inlined)) {
      // In request order; the key is in metadata when the API echoes it.
      const keys = job.keys;
      for (let i = 0; i < inlined.length; i++) {
        const v = inlined[i];
        if (!isObj(v)) continue;
        const key = isObj(v.metadata) && typeof v.metadata.key === 'string' ? v.metadata.key : (keys?.[i] ?? null);
        const r = resultOf(spec, job, v, key);
        if (r) yield r;
      }
      return;
    }
    const file = typeof out.responsesFile === 'string' ? out.responsesFile : null;
    if (!file) return;
    // Files download from the API root's /download path: {root}/download/v1beta/files/{id}:download?alt=media.
    const root = new URL(spec.baseUrl);
    const url = `${root.origin}/download${root.pathname.replace(/\/+$/, '')}/${file.split('/').map(encodeURIComponent).join('/')}:download?alt=media`;
    for await (const line of callLines(spec, url, o)) {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        continue;
      }
      if (!isObj(v)) continue;
      const r = resultOf(spec, job, v, typeof v.key === 'string' ? v.key : null);
      if (r) yield r;
    }
  },

  async cancel(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus> {
    await call(spec, `${jobUrl(spec, job.id)}:cancel`, { ...o, method: 'POST' }).then((r) => r.body?.cancel());
    return statusOf(await callJson(spec, jobUrl(spec, job.id), o));
  },
};
