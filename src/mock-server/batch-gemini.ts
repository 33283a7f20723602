/**
 * Gemini batch mode as generativelanguage.googleapis.com serves it: `POST
 * /v1beta/models/{model}:batchGenerateContent` with inline requests (`{batch: {displayName,
 * inputConfig: {requests: {requests: [{request, metadata: {key}}]}}}}`, at most 20 MB), giving a
 * long-running operation `batches/{id}`; `GET /v1beta/batches/{id}` (metadata.state
 * BATCH_STATE_*, batchStats counts as strings, `done` and `response.inlinedResponses` once
 * ended); `POST /v1beta/batches/{id}:cancel` (an empty object).
 */
import { errorResponse } from './errors.js';
import { ENDED_MOCK, type MockBatchEngine, type MockItem, type MockJob } from './batch-jobs.js';
import type { Encoded, MockBatchOptions } from './types.js';

const json = (status: number, v: unknown): Encoded => ({ status, headers: { 'content-type': 'application/json; charset=UTF-8' }, frames: [JSON.stringify(v, null, 2)], chunked: false });
const STATE: Record<string, string> = {
  validating: 'BATCH_STATE_PENDING',
  running: 'BATCH_STATE_RUNNING',
  finalizing: 'BATCH_STATE_RUNNING',
  cancelling: 'BATCH_STATE_RUNNING',
  completed: 'BATCH_STATE_SUCCEEDED',
  failed: 'BATCH_STATE_FAILED',
  expired: 'BATCH_STATE_EXPIRED',
  cancelled: 'BATCH_STATE_CANCELLED',
};

export const GEMINI_BATCH_PATH = /^\/gemini\/v1beta\/models\/([^/:]+):batchGenerateContent$/;

export class GeminiBatchApi {
  constructor(
    private readonly engine: MockBatchEngine,
    private readonly cfg: () => MockBatchOptions,
  ) {}

  private create(model: string, raw: Buffer, headers: MockJob['headers'], path: string): Encoded {
    const max = this.cfg().limits?.gemini?.maxBytes ?? 20 * 1000 * 1000;
    if (raw.length > max) return errorResponse('gemini', 400, `Request payload size exceeds the limit: ${max} bytes.`);
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return errorResponse('gemini', 400, 'Invalid JSON payload received.');
    }
    const list = body?.batch?.inputConfig?.requests?.requests;
    if (!Array.isArray(list) || list.length === 0) return errorResponse('gemini', 400, '* BatchGenerateContentRequest.batch.input_config: input_config must have requests or a file_name');
    const maxRequests = this.cfg().limits?.gemini?.maxRequests;
    if (maxRequests !== undefined && list.length > maxRequests) return errorResponse('gemini', 400, `* too many requests in one batch: ${list.length} > ${maxRequests}`);
    const items: MockItem[] = list.map((r: any, i: number) => ({ key: typeof r?.metadata?.key === 'string' ? r.metadata.key : String(i), body: r?.request ?? {}, model }));
    const job = this.engine.create('gemini', model, items, headers, path, '');
    job.extra = { displayName: body.batch.displayName ?? '' };
    return json(200, this.operation(job));
  }

  private operation(job: MockJob) {
    const ended = ENDED_MOCK.has(job.state);
    const done = this.engine.done(job);
    const failed = this.engine.failed(job);
    const meta = {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
      model: `models/${job.model}`,
      displayName: job.extra.displayName,
      createTime: new Date(job.created).toISOString(),
      updateTime: new Date().toISOString(),
      ...(ended && job.endedAt ? { endTime: new Date(job.endedAt).toISOString() } : {}),
      batchStats: { requestCount: String(job.items.length), successfulRequestCount: String(done - failed), failedRequestCount: String(failed), pendingRequestCount: String(job.items.length - done) },
      state: STATE[job.state],
      name: job.id,
    };
    const op: Record<string, unknown> = { name: job.id, metadata: meta };
    if (ended) {
      op.done = true;
      const inlined = job.items.flatMap((it, i): Record<string, unknown>[] => {
        const r = job.results[i];
        if (!r) return [];
        const metadata = { key: it.key };
        return r.status < 300 ? [{ response: r.body, metadata }] : [{ error: (r.body as { error?: unknown }).error ?? r.body, metadata }];
      });
      op.response = { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput', inlinedResponses: { inlinedResponses: inlined } };
    }
    return op;
  }

  async route(method: string, p: string, read: () => Promise<Buffer>, headers: MockJob['headers'], path: string): Promise<Encoded | null> {
    const c = GEMINI_BATCH_PATH.exec(p);
    if (c && method === 'POST') return this.create(decodeURIComponent(c[1]), await read(), headers, path);
    const m = /^\/gemini\/v1beta\/(batches\/[^/:]+)(:cancel)?$/.exec(p);
    if (!m) return null;
    const job = this.engine.jobs.get(decodeURIComponent(m[1]));
    if (!job || job.protocol !== 'gemini') return errorResponse('gemini', 404, `Requested entity was not found.`);
    await this.engine.advance(job);
    if (m[2] && method === 'POST') {
      this.engine.cancel(job);
      return json(200, {});
    }
    if (method !== 'GET') return null;
    return json(200, this.operation(job));
  }
}
