/**
 * The mock server's batch engine, shared by its OpenAI, Anthropic and Gemini batch endpoints:
 * a job holds its requests, moves through its states as time passes (validating, running at
 * `msPerRequest`, finalizing, done) and answers each request through the same `reply` script
 * as a live call (info.batch = the job id), encoded as the provider's non-streamed body, or its
 * real error body for a non-2xx reply. Jobs expire after `expireAfterMs` (requests not yet run
 * get no answer) and can be cancelled. Node builtins only, like the rest of the mock server.
 */
import { encodeAnthropic } from './anthropic.js';
import { errorResponse, type ErrorFlavor } from './errors.js';
import { encodeGemini } from './gemini.js';
import { encodeOpenAI } from './openai.js';
import { randomId, resolveReply } from './text.js';
import type { BatchProtocol, MockReply, MockRequestInfo, MockServerOptions } from './types.js';

export type MockJobState = 'validating' | 'running' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

export interface MockItem {
  key: string;
  body: any;
  model: string;
}

export interface MockResult {
  /** HTTP status the live call would have had. */
  status: number;
  /** The response body (answer or error envelope), parsed. */
  body: unknown;
}

export interface MockJob {
  id: string;
  protocol: BatchProtocol;
  model: string;
  items: MockItem[];
  results: (MockResult | undefined)[];
  created: number;
  state: MockJobState;
  /** Why the job failed as a whole. */
  failure?: { message: string; line?: number; code: string };
  endedAt?: number;
  cancelRequested?: number;
  /** Extra per-protocol data (an OpenAI job's file ids). */
  extra: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  path: string;
}

export const ENDED_MOCK = new Set<MockJobState>(['completed', 'failed', 'expired', 'cancelled']);

const FLAVOR: Record<MockJob['protocol'], ErrorFlavor> = { openai: 'openai', anthropic: 'anthropic', gemini: 'gemini' };

export class MockBatchEngine {
  readonly jobs = new Map<string, MockJob>();
  constructor(
    private readonly options: MockServerOptions,
    private readonly record: (info: MockRequestInfo) => void,
    private readonly now: () => number = Date.now,
  ) {}

  private get cfg() {
    return this.options.batch ?? {};
  }

  create(protocol: MockJob['protocol'], model: string, items: MockItem[], headers: MockJob['headers'], path: string, idPrefix: string, failure?: MockJob['failure']): MockJob {
    const id = protocol === 'gemini' ? `batches/${randomId('', 20).toLowerCase()}` : randomId(idPrefix, 24);
    // A job refused in validation is created anyway and fails on its first poll, as OpenAI's do.
    const job: MockJob = { id, protocol, model, items, results: new Array(items.length), created: this.now(), state: 'validating', extra: {}, headers, path, ...(failure ? { failure } : {}) };
    this.jobs.set(id, job);
    return job;
  }

  cancel(job: MockJob): void {
    if (ENDED_MOCK.has(job.state)) return;
    job.cancelRequested = this.now();
    job.state = 'cancelling';
  }

  private async answer(job: MockJob, i: number): Promise<MockResult> {
    const it = job.items[i];
    const info: MockRequestInfo = { protocol: job.protocol, model: it.model, stream: false, body: it.body, headers: job.headers, path: job.path, attempt: 1, batch: job.id };
    this.record(info);
    let reply: MockReply;
    try {
      reply = (await this.options.reply(info)) ?? {};
    } catch (err) {
      reply = { status: 500, errorMessage: `mock server: reply() threw: ${err instanceof Error ? err.message : String(err)}` };
    }
    const status = reply.status ?? 200;
    if (status < 200 || status >= 300) {
      const enc = errorResponse(FLAVOR[job.protocol], status, reply.errorMessage, { model: it.model });
      return { status, body: JSON.parse(String(enc.frames[0])) };
    }
    const r = resolveReply(reply, job.protocol, it.model, it.body);
    const enc = job.protocol === 'anthropic' ? encodeAnthropic(r, false) : job.protocol === 'gemini' ? encodeGemini(r, false, false) : encodeOpenAI(r, { stream: false, includeUsage: false, flavor: 'openai' });
    return { status: 200, body: JSON.parse(String(enc.frames[0])) };
  }

  /** Brings the job up to now: runs the requests whose time has come, then ends it when due. */
  async advance(job: MockJob): Promise<void> {
    if (ENDED_MOCK.has(job.state)) return;
    const t = this.now();
    const { startDelayMs = 0, msPerRequest = 0, finalizeMs = 0, expireAfterMs } = this.cfg;
    const start = job.created + startDelayMs;
    if (job.state === 'validating' && job.failure) {
      job.state = 'failed';
      job.endedAt = t;
      return;
    }
    if (job.state === 'validating' && t >= start) job.state = 'running';
    if (job.state === 'running' || job.state === 'cancelling') {
      const due = job.cancelRequested !== undefined ? Math.min(t, job.cancelRequested) : t;
      const upTo = msPerRequest > 0 ? Math.min(job.items.length, Math.floor((due - start) / msPerRequest)) : job.items.length;
      for (let i = 0; i < upTo; i++) if (!job.results[i]) job.results[i] = await this.answer(job, i);
    }
    const done = this.done(job);
    if (job.state === 'cancelling') {
      job.state = 'cancelled';
      job.endedAt = t;
    } else if (job.state === 'running' && done === job.items.length) job.state = 'finalizing';
    if (job.state === 'finalizing' && t >= start + msPerRequest * job.items.length + finalizeMs) {
      job.state = 'completed';
      job.endedAt = t;
    }
    if (!ENDED_MOCK.has(job.state) && expireAfterMs !== undefined && t - job.created >= expireAfterMs) {
      job.state = 'expired';
      job.endedAt = t;
    }
  }

  done(job: MockJob): number {
    return job.results.reduce((a, r) => a + (r ? 1 : 0), 0);
  }

  failed(job: MockJob): number {
    return job.results.reduce((a, r) => a + (r && r.status >= 300 ? 1 : 0), 0);
  }
}
