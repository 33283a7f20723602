/**
 * `--out rows.jsonl`: rows reach the file as they finish, batched (rows finishing together go out
 * in one write; a syscall per row cost ~10% CPU at -j 32), with backpressure that waits on a real
 * file write, never on a timer, so no path can leave Node with nothing to run and a row unwritten.
 * On any exit, even a second Ctrl-C's immediate one, what is still buffered is written
 * synchronously, whole lines only. Created 0600 (rows hold prompts and answers) in a directory
 * made 0700 when mmr has to create it. With `replace` (rewriting the rows file a run read, as
 * --rerun-failed does) rows go to a temp file renamed over the old one at the end, so the old
 * rows survive a crash.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { BenchRow } from './types.js';

/** Buffered bytes above which `write` waits for the disk. */
const HIGH_WATER = 1 << 20;
/**
 * Rows are encoded straight into a chunk of this size (a line that may not fit gets a buffer of
 * its own): no joined string per write and no second copy when it is written. Two chunks take
 * turns, one filling while the other is written.
 */
const CHUNK = 2 * HIGH_WATER + (64 << 10);
/** Rows finishing within this many ms share one write. */
const FLUSH_MS = 25;

export class RowWriter {
  /** Finished pieces waiting for the disk, in order, before `chunk`'s first `used` bytes. */
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  /** The other chunk, once its write is done. */
  private spare: Buffer | null = null;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failed: Error | null = null;
  private closed = false;
  /** Rows handed to `write`. */
  rows = 0;
  private readonly onExit = () => this.flushSync();

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    /** Where rows are written: `file`, or a temp file renamed to it on close. */
    private readonly target: string,
  ) {
    process.on('exit', this.onExit);
  }

  /** Opens (truncating) the file; an unusable path is a usage error naming it. */
  static async open(file: string, opts: { replace?: boolean } = {}): Promise<RowWriter> {
    const fail = (err: NodeJS.ErrnoException): never => {
      throw new UsageError(`cannot write --out ${file}: ${err.code ?? err.message}`, 'check the --out path and its directory permissions');
    };
    const dir = path.dirname(path.resolve(file));
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch(fail);
    const target = opts.replace ? `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp` : file;
    // Append mode: every write lands at the end whole, also the synchronous ones at exit.
    const fh = await open(target, 'a', 0o600).catch(fail);
    await fh.truncate(0).catch(fail);
    await chmod(target, 0o600).catch(() => undefined);
    return new RowWriter(file, fh, target);
  }

  /**
   * Queues one row. Returns a promise only when the caller must wait (the buffer is over the
   * high-water mark), so a row costs no promise otherwise; rejects once the file failed.
   */
  write(row: BenchRow): Promise<void> | undefined {
    if (this.failed) return Promise.reject(this.error());
    this.rows++;
    const line = JSON.stringify(row);
    // UTF-8 takes at most 3 bytes per UTF-16 unit; only a long line is measured first.
    if (this.chunk.length - this.used > 3 * line.length || this.chunk.length - this.used > Buffer.byteLength(line)) {
      this.used += this.chunk.write(line, this.used);
      this.chunk[this.used++] = 0x0a;
    } else {
      if (this.used > 0) this.queue(this.chunk.subarray(0, this.used));
      this.queue(Buffer.from(`${line}\n`));
      this.chunk = Buffer.allocUnsafe(CHUNK);
      this.used = 0;
    }
    if (this.queuedBytes + this.used >= HIGH_WATER) return this.flush();
    // A ref'd timer: while rows wait for it, Node keeps running.
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => {});
    }, FLUSH_MS);
    return undefined;
  }

  private queue(piece: Buffer): void {
    this.queued.push(piece);
    this.queuedBytes += piece.length;
  }

  /** Everything buffered, in order, as one buffer (the chunk's bytes then belong to it); null when empty. */
  private take(): { bytes: Buffer; chunk: Buffer | null } | null {
    const tail = this.used > 0 ? this.chunk.subarray(0, this.used) : null;
    if (!tail && this.queued.length === 0) return null;
    const pieces = tail ? [...this.queued, tail] : this.queued;
    const bytes = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
    // The chunk is written in place only when it is the whole write; a concatenated copy frees it at once.
    const chunk = tail && pieces.length === 1 ? this.chunk : null;
    this.queued = [];
    this.queuedBytes = 0;
    this.used = 0;
    if (chunk) {
      this.chunk = this.spare ?? Buffer.allocUnsafe(CHUNK);
      this.spare = null;
    }
    return { bytes, chunk };
  }

  private error(): UsageError {
    return new UsageError(`cannot write --out ${this.file}: ${(this.failed as NodeJS.ErrnoException).code ?? this.failed!.message}`, 'rows written so far are kept; check free space and permissions');
  }

  /** Writes everything buffered; one write in flight at a time, in order. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing) await this.writing;
    if (this.failed) throw this.error();
    const out = this.take();
    if (!out) return;
    this.writing = (async () => {
      for (let off = 0; off < out.bytes.length; ) {
        const { bytesWritten } = await this.fh.write(out.bytes, off, out.bytes.length - off);
        if (bytesWritten <= 0) throw new Error('short write');
        off += bytesWritten;
      }
      if (out.chunk) this.spare = out.chunk;
    })()
      .catch((err: Error) => {
        this.failed = err;
      })
      .finally(() => {
        this.writing = null;
      });
    await this.writing;
    if (this.failed) throw this.error();
  }

  /** Flushes and closes (and puts a replacing file in place); safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      process.off('exit', this.onExit);
      await this.fh.close().catch(() => {});
    }
    if (this.target !== this.file) await rename(this.target, this.file);
  }

  /** At process exit: the buffered rows, written with a blocking call through a fresh descriptor. */
  private flushSync(): void {
    if (this.closed) return;
    try {
      const out = this.take();
      if (out) {
        const fd = openSync(this.target, 'a');
        try {
          for (let off = 0; off < out.bytes.length; ) off += writeSync(fd, out.bytes, off, out.bytes.length - off);
        } finally {
          closeSync(fd);
        }
      }
      if (this.target !== this.file) renameSync(this.target, this.file);
    } catch {
      // exiting anyway; nothing else can be done
    }
  }
}
