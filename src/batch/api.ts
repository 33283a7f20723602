/**
 * What mmr needs from a provider's batch API. Each client (openai.ts, anthropic.ts, gemini.ts)
 * says how one request is written into the job's input (`item`, between `frame.head` and
 * `frame.tail`, `frame.separator` apart), its documented limits, and how to submit, poll, read
 * results and cancel.
 */
import type { ProviderSpec } from '../providers/provider.js';
import type { CallOptions } from './http.js';
import type { BatchItem, BatchLimits, BatchResult, JobRecord, JobStatus } from './types.js';

/** A job's input, written to a 0600 temp file (it holds the prompts) and removed once sent. */
export interface JobInput {
  file: string;
  count: number;
  bytes: number;
}

export interface BatchApi {
  limits: BatchLimits;
  frame: { head: string; separator: string; tail: string };
  item(spec: ProviderSpec, it: BatchItem): string;
  submit(spec: ProviderSpec, model: string, input: JobInput, o: CallOptions): Promise<{ id: string; expiresAt?: number; inputFileId?: string }>;
  poll(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus>;
  results(spec: ProviderSpec, job: JobRecord, o: CallOptions): AsyncGenerator<BatchResult>;
  cancel(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<JobStatus>;
  /** Removes what the job left behind on the provider (an uploaded input file). */
  cleanup?(spec: ProviderSpec, job: JobRecord, o: CallOptions): Promise<void>;
}
