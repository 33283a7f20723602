/**
 * Shapes shared by the batch clients (openai.ts, anthropic.ts, gemini.ts) and the runner
 * (run.ts): one request as it goes into a provider's batch file, a job as mmr remembers it, its
 * status as polled, and one result as it comes back.
 */
import type { ResolvedModel } from '../core/model.js';
import type { ErrorInfo, ModelRequest } from '../core/types.js';
import type { ParsedAnswer } from './parse.js';

/** One request of a batch: the cache key is its custom id, so its answer lands where a live run's would. */
export interface BatchItem {
  key: string;
  model: ResolvedModel;
  request: ModelRequest;
}

/** A provider's documented limits on one batch job. */
export interface BatchLimits {
  /** Requests in one job. */
  maxRequests: number;
  /** Bytes of one job's input (the uploaded file, or the create request's body). */
  maxBytes: number;
}

/** A job as the state file keeps it (no key, no prompt: only what finds it again). */
export interface JobRecord {
  /** The provider's id for the job (`batch_…`, `msgbatch_…`, `batches/…`). */
  id: string;
  /** Provider id (`openai`, `anthropic`, `gemini`, or a custom OpenAI-compatible one). */
  provider: string;
  protocol: 'openai' | 'anthropic' | 'gemini';
  /** The base URL the job was created at: results and cancels go there only. */
  baseUrl: string;
  /** `provider:model` as resolved. */
  model: string;
  /** Requests in the job. */
  requests: number;
  /** ms since the epoch. */
  submittedAt: number;
  /** When the provider will expire it, ms since the epoch, if it said. */
  expiresAt?: number;
  /** OpenAI: the uploaded input file (deleted once the job ends). */
  inputFileId?: string;
  /** The results are in the cache (and the errors below): nothing more to fetch. */
  ingested?: boolean;
  /** Last status seen. */
  status?: JobState;
  /** Why the job failed as a whole (validation), when it did. */
  failure?: string;
  /** The job's keys in request order, in this process's memory only (Gemini's inline responses come back in that order). */
  keys?: string[];
  /** Errors per cache key, kept once ingested so a resumed run can still row them. */
  errors?: Record<string, { kind: string; message: string; status: number | null }>;
}

/** A job's state in mmr's words; `ended` covers completed, failed, expired and cancelled. */
export type JobState = 'validating' | 'running' | 'finalizing' | 'cancelling' | 'completed' | 'failed' | 'expired' | 'cancelled';

export const ENDED: ReadonlySet<JobState> = new Set(['completed', 'failed', 'expired', 'cancelled']);

export interface JobStatus {
  state: JobState;
  /** The provider's own word for it. */
  raw: string;
  total: number;
  /** Requests finished (succeeded or failed). */
  done: number;
  failed: number;
  expiresAt?: number;
  /** A failure of the whole job (validation): why. */
  error?: string;
}

/** One result line: the answer, or why this request failed, or that it never ran. */
export type BatchResult =
  | { key: string; answer: ParsedAnswer }
  | { key: string; error: ErrorInfo }
  | { key: string; notRun: 'expired' | 'cancelled' };
