/**
 * Writes one model's batch requests into job inputs as they are planned, split at the
 * provider's limits (requests per job, bytes per job): each input is a 0600 temp file (it holds
 * the prompts) in the cache directory, removed once submitted, so a 100,000-request wave never
 * sits in memory. A request that alone exceeds the byte limit cannot be batched and is handed
 * back to run live.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ProviderSpec } from '../providers/provider.js';
import type { BatchApi, JobInput } from './api.js';
import type { BatchItem } from './types.js';

export interface BuiltJob extends JobInput {
  keys: string[];
}

export class JobBuilder {
  private fh: FileHandle | null = null;
  private file = '';
  private count = 0;
  private bytes = 0;
  private keys: string[] = [];
  private parts: string[] = [];
  private partBytes = 0;
  /** Jobs ready to submit. */
  readonly done: BuiltJob[] = [];
  /** Requests too large for any job of this provider. */
  readonly tooLarge: BatchItem[] = [];

  constructor(
    private readonly api: BatchApi,
    private readonly spec: ProviderSpec,
    private readonly dir: string,
    /** Limits to split at (tests pass small ones; default the API's own). */
    private readonly limits = api.limits,
  ) {}

  async add(item: BatchItem): Promise<void> {
    const line = this.api.item(this.spec, item);
    const size = Buffer.byteLength(line);
    const { head, separator, tail } = this.api.frame;
    const frame = Buffer.byteLength(head) + Buffer.byteLength(tail);
    if (size + frame > this.limits.maxBytes) {
      this.tooLarge.push(item);
      return;
    }
    const sep = this.count > 0 ? Buffer.byteLength(separator) : 0;
    if (this.count > 0 && (this.count + 1 > this.limits.maxRequests || this.bytes + sep + size + Buffer.byteLength(tail) > this.limits.maxBytes)) await this.finish();
    if (!this.fh) await this.start();
    const piece = this.count > 0 ? separator + line : line;
    this.parts.push(piece);
    this.partBytes += piece.length;
    this.bytes += Buffer.byteLength(piece);
    this.count++;
    this.keys.push(item.key);
    if (this.partBytes >= 1 << 20) await this.flush();
  }

  private async start(): Promise<void> {
    this.file = path.join(this.dir, `batch-input-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    this.fh = await open(this.file, 'wx', 0o600);
    this.parts = [this.api.frame.head];
    this.partBytes = this.api.frame.head.length;
    this.bytes = Buffer.byteLength(this.api.frame.head);
    this.count = 0;
    this.keys = [];
  }

  private async flush(): Promise<void> {
    if (!this.fh || !this.parts.length) return;
    await this.fh.write(this.parts.join(''));
    this.parts = [];
    this.partBytes = 0;
  }

  /** Closes the job being written (if any) into `done`. */
  async finish(): Promise<void> {
    if (!this.fh) return;
    this.parts.push(this.api.frame.tail);
    this.bytes += Buffer.byteLength(this.api.frame.tail);
    await this.flush();
    await this.fh.close();
    this.fh = null;
    if (this.count > 0) this.done.push({ file: this.file, count: this.count, bytes: this.bytes, keys: this.keys });
    else await rm(this.file, { force: true });
  }

  /** Removes the inputs not yet submitted (a run stopped while planning). */
  async discard(): Promise<void> {
    if (this.fh) await this.fh.close().catch(() => {});
    this.fh = null;
    for (const f of [this.file, ...this.done.map((d) => d.file)]) if (f) await rm(f, { force: true });
  }
}
