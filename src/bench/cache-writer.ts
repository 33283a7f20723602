/**
 * Appends this process's cache records to a segment of its own (created 0600 on the first
 * write, never shared with another writer). Records finishing together go out in one write
 * (a system call per answer cost ~10% CPU at -j 32 with the old one-file-per-answer store);
 * what is still buffered at exit is written synchronously, whole lines only. A failed or short
 * write stops the writer: the cache then only misses, and the next run asks again.
 */
import { openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { encodeRecord } from './cache-record.js';
import { newSegmentName } from './cache-segments.js';

/** Rows finishing within this many ms share one write. */
const FLUSH_MS = 25;
/** Buffered bytes (approximately) above which `append` waits for the disk. */
const HIGH_WATER = 1 << 20;

interface Pending {
  key: string;
  seq: number;
  line: string;
  bytes: number;
  t: number;
}

export interface Written {
  key: string;
  /** Byte offset in the segment. */
  off: number;
  /** Bytes without the newline. */
  len: number;
  t: number;
}

export class SegmentWriter {
  private fh: FileHandle | null = null;
  private opening: Promise<FileHandle | null> | null = null;
  private buf: Pending[] = [];
  private bytes = 0;
  /** Bytes in the segment so far (this process is its only writer). */
  private size = 0;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private broken = false;
  private closed = false;
  /** Values not yet on disk, by key, so a read in the same run finds them. */
  private readonly pending = new Map<string, { value: unknown; seq: number }>();
  private seq = 0;
  file: string | null = null;
  /** The open segment's descriptor (readable too), once the first record went out. */
  get fd(): number | undefined {
    return this.fh?.fd;
  }
  /** Records handed to the disk. */
  written = 0;
  private readonly onExit = () => this.flushSync();

  constructor(
    private readonly dir: string,
    /** Called for each record once it is on disk, in order. */
    private readonly onWritten: (w: Written) => void,
  ) {}

  /** Queues a record; resolves at once unless the buffer is over the high-water mark. */
  append(key: string, value: unknown, now = Date.now()): Promise<void> {
    if (this.broken || this.closed) return Promise.resolve();
    if (this.seq === 0) process.on('exit', this.onExit);
    const line = encodeRecord(key, now, value);
    const bytes = Buffer.byteLength(line);
    const seq = ++this.seq;
    this.buf.push({ key, seq, line, bytes, t: now });
    this.bytes += bytes;
    this.pending.set(key, { value, seq });
    if (this.bytes >= HIGH_WATER) return this.flush();
    // Ref'd: while records wait for it, Node keeps running.
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, FLUSH_MS);
    return Promise.resolve();
  }

  private async handle(): Promise<FileHandle | null> {
    if (this.fh) return this.fh;
    this.opening ??= (async () => {
      try {
        this.file = path.join(this.dir, newSegmentName('seg'));
        // Exclusive create: a name clash must never append to another writer's file.
        this.fh = await open(this.file, 'ax+', 0o600);
        return this.fh;
      } catch {
        this.broken = true;
        return null;
      }
    })();
    return this.opening;
  }

  /** Writes everything buffered; one write in flight at a time, in order. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing) await this.writing;
    if (this.buf.length === 0 || this.broken) return;
    const batch = this.buf;
    this.buf = [];
    this.bytes = 0;
    this.writing = (async () => {
      const fh = await this.handle();
      if (!fh) return this.drop(batch);
      const chunk = batch.map((p) => p.line).join('');
      const want = Buffer.byteLength(chunk);
      try {
        const { bytesWritten } = await fh.write(chunk);
        if (bytesWritten !== want) throw new Error('short write');
      } catch {
        this.broken = true;
        return this.drop(batch);
      }
      this.landed(batch);
    })().finally(() => {
      this.writing = null;
    });
    await this.writing;
  }

  private landed(batch: Pending[]): void {
    for (const p of batch) {
      this.onWritten({ key: p.key, off: this.size, len: p.bytes - 1, t: p.t });
      this.size += p.bytes;
      this.written++;
      if (this.pending.get(p.key)?.seq === p.seq) this.pending.delete(p.key);
    }
  }

  private drop(batch: Pending[]): void {
    for (const p of batch) if (this.pending.get(p.key)?.seq === p.seq) this.pending.delete(p.key);
  }

  /** A value appended in this run and not yet on disk. */
  unwritten(key: string): unknown {
    // A cached re-run appends nothing: no lookup (a Map hashes the 64-character key) per read.
    return this.pending.size === 0 ? undefined : this.pending.get(key)?.value;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    process.off('exit', this.onExit);
    await this.fh?.close().catch(() => {});
  }

  /** At process exit: what is buffered, with one blocking write on the open descriptor. */
  private flushSync(): void {
    if (this.closed || this.broken || this.buf.length === 0) return;
    try {
      let fd = this.fh?.fd;
      if (fd === undefined) {
        this.file ??= path.join(this.dir, newSegmentName('seg'));
        fd = openSync(this.file, 'ax', 0o600);
      }
      writeSync(fd, this.buf.map((p) => p.line).join(''));
      this.buf = [];
    } catch {
      // exiting anyway
    }
  }
}
