/**
 * Anthropic's Message Batches as api.anthropic.com serves them: `POST /v1/messages/batches`
 * (`{requests: [{custom_id, params}]}`, at most 100,000 requests or 256 MB; custom ids of 1–64
 * characters `[a-zA-Z0-9_-]`, unique; `stream` refused), `GET /v1/messages/batches/{id}`
 * (processing_status in_progress | canceling | ended, request_counts, results_url once ended),
 * `GET …/results` (JSONL: succeeded | errored | canceled | expired per request) and
 * `POST …/cancel`.
 */
import { errorResponse } from './errors.js';
import { ENDED_MOCK, type MockBatchEngine, type MockItem, type MockJob } from './batch-jobs.js';
import type { Encoded, MockBatchOptions } from './types.js';

const json = (status: number, v: unknown): Encoded => ({ status, headers: { 'content-type': 'application/json' }, frames: [JSON.stringify(v)], chunked: false });
const err = (status: number, message: string) => errorResponse('anthropic', status, message);
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export class AnthropicBatchApi {
  constructor(
    private readonly engine: MockBatchEngine,
    private readonly cfg: () => MockBatchOptions,
    private readonly base: () => string,
  ) {}

  private create(raw: Buffer, headers: MockJob['headers'], path: string): Encoded {
    const l = this.cfg().limits?.anthropic ?? {};
    if (raw.length > (l.maxBytes ?? 256 * 1000 * 1000)) return errorResponse('anthropic', 413, 'Request exceeds the maximum allowed number of bytes.');
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return err(400, 'There was an error parsing the body of your request.');
    }
    const requests = body?.requests;
    if (!Array.isArray(requests) || requests.length === 0) return err(400, 'requests: List should have at least 1 item after validation, not 0');
    if (requests.length > (l.maxRequests ?? 100_000)) return err(400, `requests: List should have at most ${l.maxRequests ?? 100_000} items after validation, not ${requests.length}`);
    const items: MockItem[] = [];
    const seen = new Set<string>();
    for (const [i, r] of requests.entries()) {
      if (typeof r?.custom_id !== 'string' || !CUSTOM_ID.test(r.custom_id)) return err(400, `requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
      if (seen.has(r.custom_id)) return err(400, `requests.${i}.custom_id: Duplicate custom_id '${r.custom_id}'`);
      if (typeof r?.params?.model !== 'string' || typeof r.params.max_tokens !== 'number') return err(400, `requests.${i}.params: model and max_tokens are required`);
      if (r.params.stream) return err(400, `requests.${i}.params.stream: streaming is not supported in Message Batches`);
      seen.add(r.custom_id);
      items.push({ key: r.custom_id, body: r.params, model: r.params.model });
    }
    const job = this.engine.create('anthropic', items[0].model, items, headers, path, 'msgbatch_01');
    return json(200, this.object(job));
  }

  private counts(job: MockJob) {
    const c = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    job.results.forEach((r) => {
      if (r) r.status < 300 ? c.succeeded++ : c.errored++;
    });
    const unrun = job.items.length - this.engine.done(job);
    if (job.state === 'cancelled') c.canceled = unrun;
    else if (job.state === 'expired') c.expired = unrun;
    else c.processing = unrun;
    return c;
  }

  private object(job: MockJob) {
    const ended = ENDED_MOCK.has(job.state);
    return {
      id: job.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : job.state === 'cancelling' ? 'canceling' : 'in_progress',
      request_counts: this.counts(job),
      ended_at: iso(job.endedAt),
      created_at: iso(job.created),
      expires_at: iso(job.created + 24 * 3600 * 1000),
      archived_at: null,
      cancel_initiated_at: iso(job.cancelRequested),
      results_url: ended ? `${this.base()}/v1/messages/batches/${job.id}/results` : null,
    };
  }

  private results(job: MockJob): Encoded {
    const lines = job.items.map((it, i) => {
      const r = job.results[i];
      const result = r
        ? r.status < 300
          ? { type: 'succeeded', message: r.body }
          : { type: 'errored', error: r.body }
        : { type: job.state === 'cancelled' ? 'canceled' : 'expired' };
      return JSON.stringify({ custom_id: it.key, result });
    });
    return { status: 200, headers: { 'content-type': 'application/binary' }, frames: [lines.join('\n') + '\n'], chunked: false };
  }

  async route(method: string, p: string, read: () => Promise<Buffer>, headers: MockJob['headers'], path: string): Promise<Encoded | null> {
    if (method === 'POST' && p === '/anthropic/v1/messages/batches') return this.create(await read(), headers, path);
    const m = /^\/anthropic\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(p);
    if (!m) return null;
    const job = this.engine.jobs.get(decodeURIComponent(m[1]));
    if (!job || job.protocol !== 'anthropic') return errorResponse('anthropic', 404, `No batch found with id ${m[1]}`);
    await this.engine.advance(job);
    if (m[2] === '/cancel' && method === 'POST') {
      if (!ENDED_MOCK.has(job.state)) this.engine.cancel(job);
      return json(200, this.object(job));
    }
    if (method !== 'GET') return null;
    if (m[2] === '/results') return ENDED_MOCK.has(job.state) ? this.results(job) : err(400, `Batch ${job.id} is still in progress; results are available once processing_status is ended.`);
    return json(200, this.object(job));
  }
}
