/**
 * The request log: one JSON line per served request in the data dir (`serve.jsonl` beside
 * votes.jsonl; file 0600, directory 0700). Without --log-text it holds no prompt or answer text,
 * only what happened (route, model, tokens, cost, timing, status). With it, each row also carries
 * `prompt` (the last user turn), `system`, `context` (the turns before) and `answer`: the fields
 * a bench row or an outcome row `{prompt, model, quality, costUsd, latencyMs}` has, so a served
 * row becomes routing evidence once something adds a `quality` (a vote, a judge, the app's own
 * feedback).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { ChatMessage } from '../core/types.js';
import { eachJsonLine } from '../history/jsonl.js';
import { votesDir } from '../history/votes.js';
import type { Outcome } from './outcome.js';
import type { ParsedChat } from './types.js';

export const SERVE_LOG_FILE = 'serve.jsonl';

export interface ServeLogRow {
  v: 1;
  kind: 'serve';
  /** When the request arrived, ISO 8601. */
  time: string;
  /** The response's request id (also in the x-request-id header). */
  id: string;
  protocol: 'openai' | 'anthropic';
  stream: boolean;
  /** `engine` (translated) or `raw` (passed through); null when refused before routing. */
  path: 'engine' | 'raw' | null;
  /** The `model` the client asked for. */
  requested: string | null;
  /** `provider:model` that answered (or failed last). */
  model: string | null;
  /** `rule:<name>`, `default`, `model`, ... */
  route: string | null;
  fallbackFrom: string[];
  status: number;
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  /** USD; null when unknown. */
  costUsd: number | null;
  /** ms from the answering attempt's start to the first content. */
  ttftMs: number | null;
  /** ms from the first upstream request's start to the end of the answer. */
  latencyMs: number | null;
  /** ms from the request's arrival to the end of the response (routing, queueing and retries included). */
  wallMs: number;
  error: string | null;
  /** --log-text only: the last user turn (what routing read). */
  prompt?: string;
  system?: string | null;
  /** --log-text only: the turns before `prompt`. */
  context?: ChatMessage[];
  answer?: string;
}

export const serveLogFile = (env: NodeJS.ProcessEnv = process.env) => path.join(votesDir(env), SERVE_LOG_FILE);

const round = (n: number | null) => (n == null ? null : Math.round(n * 10) / 10);

export function logRow(o: Outcome, req: Partial<ParsedChat> & { protocol: ParsedChat['protocol'] }, x: { id: string; time: Date; wallMs: number; text: boolean }): ServeLogRow {
  const row: ServeLogRow = {
    v: 1, kind: 'serve', time: x.time.toISOString(), id: x.id, protocol: req.protocol, stream: req.stream ?? false, path: o.path,
    requested: req.model?.slice(0, 200) ?? null, model: o.model, route: o.route, fallbackFrom: o.fallbackFrom, status: o.status,
    finishReason: o.finishReason, inputTokens: o.usage?.inputTokens ?? null, outputTokens: o.usage?.outputTokens ?? null,
    cachedInputTokens: o.usage?.cachedInputTokens ?? null, costUsd: o.costUsd, ttftMs: round(o.ttftMs), latencyMs: round(o.latencyMs),
    wallMs: round(x.wallMs)!, error: o.error,
  };
  if (x.text && req.messages) {
    const last = req.messages.map((m) => m.role).lastIndexOf('user');
    row.prompt = req.routeText ?? '';
    row.system = req.options?.system ?? null;
    row.context = req.messages.slice(0, Math.max(0, last));
    row.answer = o.answer ?? '';
  }
  return row;
}

/**
 * An append-only log writer. Rows finishing within FLUSH_MS of each other reach the file in one
 * write (one write per row cost more CPU than routing the request); a crash loses at most those.
 */
export class ServeLog {
  static readonly FLUSH_MS = 50;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private constructor(private readonly stream: WriteStream, readonly file: string) {
    // A full disk must not take the server down; the rows are lost, the answers are not.
    stream.on('error', () => undefined);
  }

  static async open(file: string): Promise<ServeLog> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    let lead = '';
    const fh = await open(file, 'a+', 0o600);
    try {
      const { size } = await fh.stat();
      if (size > 0) {
        const b = Buffer.alloc(1);
        await fh.read(b, 0, 1, size - 1);
        if (b[0] !== 0x0a) lead = '\n';
      }
    } finally {
      await fh.close();
    }
    // `mode` applies only on creation; tighten a file left open by someone else.
    await chmod(file, 0o600);
    const log = new ServeLog(createWriteStream(file, { flags: 'a', mode: 0o600 }), file);
    if (lead) log.stream.write(lead);
    return log;
  }

  write(row: ServeLogRow): void {
    if (this.closed) return;
    this.pending.push(`${JSON.stringify(row)}\n`);
    this.timer ??= setTimeout(() => this.flush(), ServeLog.FLUSH_MS).unref();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length) this.stream.write(this.pending.join(''));
    this.pending = [];
  }

  close(): Promise<void> {
    this.flush();
    this.closed = true;
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}

const isRow = (v: unknown): v is ServeLogRow =>
  typeof v === 'object' && v !== null && (v as ServeLogRow).kind === 'serve' && typeof (v as ServeLogRow).status === 'number';

/** Every row of a log file, streamed; lines that are not serve rows (or are too long) are counted and skipped. */
export async function readServeLog(file: string, onRow: (row: ServeLogRow) => void): Promise<{ rows: number; skipped: number }> {
  let rows = 0;
  let skipped = 0;
  await eachJsonLine(file, (v) => {
    if (isRow(v)) {
      rows++;
      onRow(v);
    } else skipped++;
  });
  return { rows, skipped };
}
