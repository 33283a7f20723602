/**
 * The router file `mmr learn` writes (default `.mmr/router.json` beside the project config):
 * versioned JSON, weights as base64 little-endian float32 so 14 models × tens of thousands of
 * features stay a few MB and parse in milliseconds. Reading validates every field and bounds the
 * size, since a router file can come from anywhere.
 */
import { DENSE_BASE, DENSE_NAMES, HASH_BITS } from './features.js';
import type { LinearModel } from './linear.js';
import type { LearnedRouter } from './policy.js';
import type { Predictor } from './train.js';
import type { TradeoffTable } from './tradeoff.js';

export const ROUTER_FORMAT = 'mmr-router';
/**
 * Version 2 adds the word-problem dense signals (ids DENSE_BASE + 21…25). A version 1 file has no
 * weights for them and predicts exactly as it did, so it is still read; an mmr that reads only
 * version 1 refuses a version 2 file instead of silently ignoring weights it does not know.
 */
export const ROUTER_VERSION = 2;
/** Versions this mmr reads, each with the number of dense signals it has weights for. */
const DENSE_BY_VERSION = new Map<unknown, number>([[1, 21], [2, DENSE_NAMES.length]]);
export const READABLE_VERSIONS: readonly number[] = [1, 2];
/** Largest router file read, in bytes. */
export const MAX_ROUTER_BYTES = 64 * 1024 * 1024;
/** Control characters: a model id with one could drive the terminal it is printed on. */
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface RouterFileMeta {
  /** ISO 8601. */
  createdAt: string;
  seed: number;
  /** Evidence files, as given. */
  evidence: string[];
  prompts: number;
  outcomes: number;
  /** Per model: prompts with an outcome, mean quality, mean USD per answer (null = unknown). */
  stats: Array<{ model: string; n: number; quality: number; costUsd: number | null }>;
  /** Cross-validated summary figures (see report.ts). */
  cv?: Record<string, unknown>;
}

interface Json {
  format: string;
  version: number;
  hashBits: number;
  models: string[];
  ids: string;
  quality: { W: string };
  cost: { W: string };
  meanCostUsd: Array<number | null>;
  tradeoff: { recommended: number; table: Array<[number, number | null]> };
  meta: RouterFileMeta;
}

const b64 = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function unb64<T extends Float32Array | Int32Array>(s: unknown, Ctor: { new (b: ArrayBuffer): T }, want: number, what: string): T {
  if (typeof s !== 'string') throw new Error(`${what} is missing`);
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength !== want * 4) throw new Error(`${what} has ${buf.byteLength / 4} numbers, expected ${want}`);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new Ctor(copy);
}

export function serializeRouter(r: Omit<LearnedRouter, 'vocab' | 'file'>, meta: RouterFileMeta): string {
  const p = r.predictor;
  const doc: Json = {
    format: ROUTER_FORMAT,
    version: ROUTER_VERSION,
    hashBits: HASH_BITS,
    models: r.models,
    ids: b64(p.ids),
    quality: { W: b64(Float32Array.from(p.quality.W)) },
    cost: { W: b64(Float32Array.from(p.cost.W)) },
    meanCostUsd: [...p.meanCostUsd].map((c) => (Number.isFinite(c) ? c : null)),
    tradeoff: { recommended: r.recommended, table: r.table.map(([t, l]) => [t, Number.isFinite(l) ? l : null]) },
    meta,
  };
  return `${JSON.stringify(doc)}\n`;
}

/** Parse and check a router file's text; throws Error with what is wrong (the caller names the file). */
export function parseRouter(text: string): { router: LearnedRouter; meta: RouterFileMeta } {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    // Not the parser's message: it quotes the file's text, and the file could be anything.
    throw new Error('not JSON');
  }
  if (!doc || typeof doc !== 'object' || doc.format !== ROUTER_FORMAT) throw new Error(`not an mmr router file (no "format": "${ROUTER_FORMAT}")`);
  if (!READABLE_VERSIONS.includes(doc.version)) throw new Error(`router format version ${String(doc.version)} is not supported (this mmr reads versions ${READABLE_VERSIONS.join(' and ')}); run mmr learn again`);
  if (doc.hashBits !== HASH_BITS) throw new Error(`hashBits ${String(doc.hashBits)} does not match this mmr (${HASH_BITS}); run mmr learn again`);
  const models = doc.models;
  if (!Array.isArray(models) || !models.length || !models.every((m) => typeof m === 'string' && m.length > 0 && m.length < 300 && !CONTROL.test(m))) {
    throw new Error('"models" must be a non-empty list of model ids (printable, under 300 characters)');
  }
  const M = models.length;
  if (typeof doc.ids !== 'string') throw new Error('"ids" is missing');
  const ids = unb64(doc.ids, Int32Array, Buffer.from(doc.ids, 'base64').byteLength / 4, '"ids"');
  for (let i = 1; i < ids.length; i++) if (!(ids[i] > ids[i - 1])) throw new Error('"ids" must be ascending');
  const dense = DENSE_BY_VERSION.get(doc.version)!;
  if (ids.length && ids[ids.length - 1] >= DENSE_BASE + dense) throw new Error(`"ids" has a signal version ${String(doc.version)} does not have (${ids[ids.length - 1] - DENSE_BASE} ≥ ${dense})`);
  const F = ids.length;
  const lin = (v: { W?: unknown } | undefined, what: string): LinearModel => ({ F, M, W: Float64Array.from(unb64(v?.W, Float32Array, (F + 1) * M, what)) });
  const quality = lin(doc.quality, '"quality.W"');
  const cost = lin(doc.cost, '"cost.W"');
  for (const w of [quality.W, cost.W]) if (!w.every(Number.isFinite)) throw new Error('weights must be finite numbers');
  if (!Array.isArray(doc.meanCostUsd) || doc.meanCostUsd.length !== M || !doc.meanCostUsd.every((c) => c === null || (typeof c === 'number' && c >= 0))) throw new Error('"meanCostUsd" must list one cost (USD, or null) per model');
  const tr = doc.tradeoff;
  const okT = (t: unknown) => typeof t === 'number' && t >= 0 && t <= 1;
  if (!tr || !okT(tr.recommended) || !Array.isArray(tr.table) || !tr.table.every((e) => Array.isArray(e) && okT(e[0]) && (e[1] === null || (typeof e[1] === 'number' && e[1] >= 0)))) {
    throw new Error('"tradeoff" must have recommended (0–1) and table [[T, λ|null], ...]');
  }
  const table: TradeoffTable = tr.table.map(([t, l]) => [t, l === null ? Infinity : l]);
  const predictor: Predictor = { ids, quality, cost, meanCostUsd: Float64Array.from(doc.meanCostUsd.map((c) => (c === null ? NaN : c))) };
  const vocab = new Map<number, number>();
  ids.forEach((id, col) => vocab.set(id, col));
  return { router: { models, predictor, table, recommended: tr.recommended, vocab }, meta: doc.meta };
}

/** A router straight from training (no file round trip): what bench/ and tests route with. */
export function routerFrom(models: string[], predictor: Predictor, table: TradeoffTable, recommended: number): LearnedRouter {
  const vocab = new Map<number, number>();
  predictor.ids.forEach((id, col) => vocab.set(id, col));
  return { models, predictor, table, recommended, vocab };
}
