/**
 * OpenAI Batch API (and OpenAI-compatible servers that implement it: Groq, Together, vLLM's
 * server, ...): the requests as a JSONL file of `{custom_id, method, url, body}` uploaded to
 * `POST /files` (purpose `batch`), a job from `POST /batches` (endpoint /v1/chat/completions,
 * window 24h), polled at `GET /batches/{id}`; answers in the output file and failures in the
 * error file (`GET /files/{id}/content`), one `{id, custom_id, response: {status_code, body},
 * error}` line each. One model per input file, at most 50,000 requests and 200 MB.
 */
import { openAsBlob } from 'node:fs';
import type { ProviderSpec } from '../providers/provider.js';
import { openaiRequest } from '../providers/openai-compatible.js';
import { errorFromPayload } from '../providers/http-errors.js';
import { joinUrl } from '../providers/http.js';
import { call, callJson, callLines, type CallOptions } from './http.js';
import type { BatchApi, JobInput } from './api.js';
import type { BatchItem, BatchResult, JobRecord, JobState, JobStatus } from './types.js';
import { parseLine } from './parse.js';

const STATES: Record<string, JobState> = {
  validating: 'validating',
  in_progress: 'running',
  finalizing: 'finalizing',
  completed: 'completed',
  failed: 'failed',
  expired: 'expired',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
};

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function statusOf(b: Record<string, unknown>): JobStatus {
  const raw = typeof b.status === 'string' ? b.status : 'unknown';
  const counts = (b.request_counts ?? {}) as Record<string, unknown>;
  const errors = (b.errors as { data?: { message?: unknown; line?: unknown }[] } | null)?.data;
  const first = Array.isArray(errors) && errors[0] ? `${typeof errors[0].line === 'number' ? `line ${errors[0].line}: ` : ''}${String(errors[0].message ?? '')}` : undefined;
  return {
    state: STATES[raw] ?? 'running',
    raw,
    total: num(counts.total),
    done: num(counts.completed) + num(counts.failed),
    failed: num(counts.failed),
    expiresAt: typeof b.expires_at === 'number' ? b.expires_at * 1000 : undefined,
    ...(first ? { error: first } : {}),
  };
}

/** A result line: the answer body for a 2xx, else the error as the live path would report it. */
function resultOf(spec: ProviderSpec, model: string, v: Record<string, unknown>): BatchResult | null {
  const key = typeof v.custom_id === 'string' ? v.custom_id : null;
  if (!key) return null;
  const res = v.response as { status_code?: unknown; body?: unknown } | null;
  const err = v.error as { code?: unknown; message?: unknown } | null;
  if (res && typeof res.status_code === 'number' && res.status_code >= 200 && res.status_code < 300) {
    const answer = parseLine('openai', res.body);
    return answer ? { key, answer } : { key, error: { kind: 'bad-response', message: `${spec.id} returned a batch answer mmr cannot read`, status: res.status_code, retryable: false } };
  }
  if (err?.code === 'batch_expired') return { key, notRun: 'expired' };
  if (err?.code === 'batch_cancelled') return { key, notRun: 'cancelled' };
  if (res && typeof res.status_code === 'number') return { key, error: errorFromPayload(spec, res.status_code, res.body, { model }) };
  return { key, error: errorFromPayload(spec, null, { error: err ?? { message: 'the batch gave no result for this request' } }, { model }) };
}

export const openaiBatch: BatchApi = {
  limits: { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 },
  frame: { head: '', separator: '', tail: '' },
  item(spec: ProviderSpec, it: BatchItem): string {
    const { stream: _s, stream_options: _o, ...body } = openaiRequest(spec, it.request).body as Record<string, unknown>;
    return `${JSON.stringify({ custom_id: it.key, method: 'POST', url: '/v1/chat/completions', body })}\n`;
  },

  async submit(spec: ProviderSpec, _model: string, input: JobInput, o: CallOptions) {
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', await openAsBlob(input.file, { type: 'application/jsonl' }), 'mmr-batch.jsonl');
    const file = await callJson(spec, joinUrl(spec.baseUrl, 'files'), { ...o, method: 'POST', body: form });
    if (typeof file.id !== 'string') throw new Error(`${spec.id} did not return a file id for the batch input`);
    const job = await callJson(spec, joinUrl(spec.baseUrl, 'batches'), {
      ...o,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { source: 'mmr bench' } }),
    });
    if (typeof job.id !== 'string') throw new Error(`${spec.id} did not return a batch id`);
    return { id: job.id, inputFileId: file.id, expiresAt: statusOf(job).expiresAt };
  },

  async poll(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus> {
    return statusOf(await callJson(spec, joinUrl(spec.baseUrl, `batches/${encodeURIComponent(job.id)}`), o));
  },

  async *results(spec: ProviderSpec, job: JobRecord, o: CallOptions): AsyncGenerator<BatchResult> {
    const b = await callJson(spec, joinUrl(spec.baseUrl, `batches/${encodeURIComponent(job.id)}`), o);
    for (const fileId of [b.output_file_id, b.error_file_id]) {
      if (typeof fileId !== 'string' || !fileId) continue;
      for await (const line of callLines(spec, joinUrl(spec.baseUrl, `files/${encodeURIComponent(fileId)}/content`), o)) {
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          continue; // a line that is not JSON names no request: nothing to attribute it to
        }
        if (typeof v !== 'object' || v === null) continue;
        const r = resultOf(spec, job.model, v as Record<string, unknown>);
        if (r) yield r;
      }
    }
  },

  async cancel(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus> {
    return statusOf(await callJson(spec, joinUrl(spec.baseUrl, `batches/${encodeURIComponent(job.id)}/cancel`), { ...o, method: 'POST' }));
  },

  async cleanup(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<void> {
    // The uploaded input holds the prompts: delete it once the job has ended.
    if (job.inputFileId) await call(spec, joinUrl(spec.baseUrl, `files/${encodeURIComponent(job.inputFileId)}`), { ...o, method: 'DELETE' }).then((r) => r.body?.cancel(), () => {});
  },
};
