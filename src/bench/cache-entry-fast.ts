/**
 * A cache entry read straight from its bytes when it has the layout mmr writes it in
 * (`JSON.stringify` of a `CachedAnswer`: text, finishReason, usage, costUsd, latencyMs, ttftMs,
 * attempts, no escapes in its strings), which is most of what a cached re-run reads: no string
 * of the whole entry, no JSON.parse, no copy. Anything else (an escape, another key order, a
 * `batch` field, a value of the wrong type, bytes that are not JSON) gives `undefined`, and the
 * caller decodes it the general way (JSON.parse and validEntry), so an entry means the same
 * whichever path reads it, and is just as checked.
 */
import type { CachedAnswer } from './cache.js';

const lit = (s: string) => Buffer.from(s, 'latin1');
const TEXT = lit('{"text":');
const FINISH = lit(',"finishReason":');
const USAGE = lit(',"usage":');
const INPUT = lit('{"inputTokens":');
const OUTPUT = lit(',"outputTokens":');
const COST = lit(',"costUsd":');
const LATENCY = lit(',"latencyMs":');
const TTFT = lit(',"ttftMs":');
const ATTEMPTS = lit(',"attempts":');
const NULL = lit('null');

/** The parse position, or -1 once the bytes left the fast layout. */
let p = 0;

function take(buf: Buffer, end: number, what: Buffer): boolean {
  if (p < 0 || p + what.length > end) return false;
  for (let i = 0; i < what.length; i++) if (buf[p + i] !== what[i]) return false;
  p += what.length;
  return true;
}

/** A JSON string without escapes or control characters, else undefined (p = -1). */
function str(buf: Buffer, end: number): string | undefined {
  if (p < 0 || buf[p] !== 0x22) return fail();
  const start = p + 1;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === 0x22) {
      p = i + 1;
      return buf.toString(ascii ? 'latin1' : 'utf8', start, i);
    }
    if (b === 0x5c || b < 0x20) return fail();
    if (b >= 0x80) ascii = false;
  }
  return fail();
}

function fail(): undefined {
  p = -1;
  return undefined;
}

/** A JSON number (its full grammar) or null, else undefined (p = -1). */
function num(buf: Buffer, end: number): number | null | undefined {
  if (p < 0) return undefined;
  if (take(buf, end, NULL)) return null;
  const start = p;
  let i = p;
  if (buf[i] === 0x2d) i++;
  const digits = i;
  if (buf[i] === 0x30) i++;
  else while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
  if (i === digits) return fail();
  let whole = true;
  if (buf[i] === 0x2e) {
    whole = false;
    const f = ++i;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === f) return fail();
  }
  if (buf[i] === 0x65 || buf[i] === 0x45) {
    whole = false;
    i++;
    if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
    const e = i;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === e) return fail();
  }
  p = i;
  if (whole && i - start <= 15) {
    let n = 0;
    for (let k = buf[start] === 0x2d ? start + 1 : start; k < i; k++) n = n * 10 + (buf[k] - 0x30);
    return buf[start] === 0x2d ? -n : n;
  }
  return Number(buf.toString('latin1', start, i));
}

/** What validEntry allows for a count, cost or time: null or a finite number ≥ 0. */
const ok = (v: number | null | undefined): v is number | null => v === null || (v !== undefined && Number.isFinite(v) && v >= 0);

/**
 * The entry whose JSON is `buf[from, to)`, when it has mmr's own layout and every field is
 * valid; undefined when only the general decoder can tell (including for an invalid entry).
 */
export function fastEntry(buf: Buffer, from: number, to: number): CachedAnswer | undefined {
  p = from;
  if (!take(buf, to, TEXT)) return undefined;
  const text = str(buf, to);
  if (text === undefined || !take(buf, to, FINISH)) return undefined;
  const finishReason = take(buf, to, NULL) ? null : str(buf, to);
  if (finishReason === undefined || !take(buf, to, USAGE)) return undefined;
  let usage: CachedAnswer['usage'] = null;
  if (!take(buf, to, NULL)) {
    if (!take(buf, to, INPUT)) return undefined;
    const inputTokens = num(buf, to);
    if (!ok(inputTokens) || !take(buf, to, OUTPUT)) return undefined;
    const outputTokens = num(buf, to);
    if (!ok(outputTokens) || p < 0 || buf[p] !== 0x7d) return undefined;
    p++;
    usage = { inputTokens, outputTokens };
  }
  if (!take(buf, to, COST)) return undefined;
  const costUsd = num(buf, to);
  if (!ok(costUsd) || !take(buf, to, LATENCY)) return undefined;
  const latencyMs = num(buf, to);
  if (!ok(latencyMs) || !take(buf, to, TTFT)) return undefined;
  const ttftMs = num(buf, to);
  if (!ok(ttftMs) || !take(buf, to, ATTEMPTS)) return undefined;
  const attempts = num(buf, to);
  if (attempts === undefined || attempts === null || !Number.isInteger(attempts) || attempts < 1) return undefined;
  // The entry ends here (a `batch` field, or anything after, takes the general path).
  if (p !== to - 1 || buf[p] !== 0x7d) return undefined;
  return { text, finishReason, usage, costUsd, latencyMs, ttftMs, attempts };
}
