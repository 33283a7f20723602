/**
 * Grading one answer against a case's checks. The deterministic checks are pure; `command`
 * and `judge` reach outside through injected functions so tests control them; `latency` and
 * `cost` grade the call's measured numbers rather than its text.
 */
import type { Check, CheckResult } from './types.js';
import { schemaProblem } from './json-schema.js';

export interface CheckDeps {
  /** Runs a command check: the answer on stdin, exit 0 passes. */
  runCommand?: (check: Check, answer: string) => Promise<{ pass: boolean; detail?: string }>;
  /** Grades with a model; costUsd is the judge call's own cost. */
  judge?: (check: Check, answer: string, prompt: string) => Promise<CheckResult>;
}

const short = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

/**
 * GSM8K-style: the last number in the answer, with thousands separators and currency signs
 * dropped ("$1,234.50" → 1234.5). A trailing "." ends a sentence, not a decimal.
 */
export function finalNumber(answer: string): number | null {
  const hits = answer.match(/(?:(?<![\d.])-)?\$?\s?\d[\d,]*(?:\.\d+)?/g);
  if (!hits) return null;
  const n = Number(hits[hits.length - 1].replace(/[$,\s]/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** Models often wrap JSON in a ``` fence; the JSON check grades what is inside. */
export function extractJson(answer: string): string {
  const fence = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(answer);
  return (fence ? fence[1] : answer).trim();
}

const NOT_JSON = Symbol('not json');
function parseJson(answer: string): unknown {
  try {
    return JSON.parse(extractJson(answer));
  } catch {
    return NOT_JSON;
  }
}

async function jsonSchemaCheck(c: Check, answer: string): Promise<CheckResult> {
  const parsed = parseJson(answer);
  if (parsed === NOT_JSON) return { type: c.type, pass: false, detail: 'not valid JSON' };
  const problem = await schemaProblem(parsed, c.schema);
  return { type: c.type, pass: problem === null, detail: problem ?? undefined };
}

export function runSyncCheck(c: Check, answer: string): CheckResult | null {
  const fold = (s: string) => (c.ignoreCase ? s.toLowerCase() : s);
  const text = fold(answer);
  switch (c.type) {
    case 'equals': {
      const want = typeof c.value === 'string' ? c.value : JSON.stringify(c.value);
      const pass = fold(answer.trim()) === fold(want.trim());
      return { type: c.type, pass, detail: pass ? undefined : `expected ${JSON.stringify(short(want))}` };
    }
    case 'contains': {
      const wants = list(c.value);
      const found = wants.filter((w) => text.includes(fold(w)));
      const mode = c.mode ?? 'all';
      const pass = mode === 'any' ? found.length > 0 : found.length === wants.length;
      const missing = wants.filter((w) => !found.includes(w));
      return { type: c.type, pass, detail: pass ? undefined : `missing ${missing.map((m) => JSON.stringify(m)).join(mode === 'any' ? ' or ' : ', ')}` };
    }
    case 'not-contains': {
      const hit = list(c.value).find((w) => text.includes(fold(w)));
      return { type: c.type, pass: hit === undefined, detail: hit === undefined ? undefined : `contains ${JSON.stringify(hit)}` };
    }
    case 'regex': {
      const pass = new RegExp(String(c.value), c.flags ?? '').test(answer);
      return { type: c.type, pass, detail: pass ? undefined : `no match for /${c.value}/` };
    }
    case 'number': {
      const got = finalNumber(answer);
      const tol = c.tolerance ?? 1e-6;
      const pass = got !== null && Math.abs(got - (c.value as number)) <= tol;
      return { type: c.type, pass, detail: pass ? undefined : got === null ? 'no number in the answer' : `got ${got}, expected ${c.value}` };
    }
    case 'json': {
      // With a schema the check is async (the validator loads lazily): see jsonSchemaCheck.
      if (c.schema) return null;
      const ok = parseJson(answer) !== NOT_JSON;
      return { type: c.type, pass: ok, detail: ok ? undefined : 'not valid JSON' };
    }
    case 'max-length': {
      const pass = answer.length <= (c.value as number);
      return { type: c.type, pass, detail: pass ? undefined : `${answer.length} chars > ${c.value}` };
    }
    default:
      return null;
  }
}

/** What was measured about the call the answer came from. */
export interface AnswerMeta {
  /** ms from the request to the end of the answer (the original call's, for a cached answer). */
  latencyMs: number | null;
  /** USD of the answer; null when its price is unknown. */
  costUsd: number | null;
}

/** `latency` (ms) and `cost` (USD): the measurement must be known and at most `value`. */
export function runMetricCheck(c: Check, meta: AnswerMeta): CheckResult | null {
  if (c.type !== 'latency' && c.type !== 'cost') return null;
  const got = c.type === 'latency' ? meta.latencyMs : meta.costUsd;
  const limit = c.value as number;
  if (got == null) return { type: c.type, pass: false, detail: c.type === 'latency' ? 'latency not measured' : 'cost unknown (no price for this model)' };
  const pass = got <= limit;
  const show = (v: number) => (c.type === 'latency' ? `${Math.round(v)} ms` : `$${v.toPrecision(3)}`);
  return { type: c.type, pass, detail: pass ? undefined : `${show(got)} > ${show(limit)}` };
}

/** Every check of a case when none needs to wait (no JSON schema, command or judge check), else null: what `runChecks` gives, without a promise. */
export function syncChecks(checks: Check[], answer: string, meta: AnswerMeta): CheckResult[] | null {
  const out: CheckResult[] = [];
  for (const c of checks) {
    const r = c.type === 'json' && c.schema ? null : (runSyncCheck(c, answer) ?? runMetricCheck(c, meta));
    if (!r) return null;
    out.push(r);
  }
  return out;
}

/** Every check of a case, in order. A missing dependency fails its check rather than throwing. */
export async function runChecks(checks: Check[], answer: string, prompt: string, deps: CheckDeps = {}, meta: AnswerMeta = { latencyMs: null, costUsd: null }): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of checks) {
    const sync = c.type === 'json' && c.schema ? null : (runSyncCheck(c, answer) ?? runMetricCheck(c, meta));
    if (sync) {
      out.push(sync);
    } else if (c.type === 'json') {
      out.push(await jsonSchemaCheck(c, answer));
    } else if (c.type === 'command') {
      out.push(deps.runCommand ? { type: c.type, ...(await deps.runCommand(c, answer)) } : { type: c.type, pass: false, detail: 'command checks are not available here' });
    } else if (c.type === 'judge') {
      out.push(deps.judge ? await deps.judge(c, answer, prompt) : { type: c.type, pass: false, detail: 'no judge model (pass --judge MODEL or set model: on the check)' });
    }
  }
  return out;
}

/**
 * A row's checks: an array when every check is synchronous (no promise per row), else a promise
 * of it. `question` (the judge's view of the conversation) is built only when a check waits. A
 * check that throws fails its row; it must not take the other 39,999 rows down with it.
 */
export function gradeAnswer(checks: Check[], answer: string, meta: AnswerMeta, question: () => string, deps: CheckDeps): CheckResult[] | Promise<CheckResult[]> {
  try {
    const now = syncChecks(checks, answer, meta);
    if (now) return now;
  } catch {
    // the general path below gives the same failure row
  }
  return runChecks(checks, answer, question(), deps, meta).catch((err: Error) => [{ type: checks[0]?.type ?? 'equals', pass: false, detail: `check failed to run: ${err.message}` }]);
}

/** A command check gets this long (unless it sets timeoutMs); then its whole process group is ended. */
const COMMAND_TIMEOUT_MS = 30_000;
/** Output a check keeps (its first stderr line is the failure's detail); more is not read into memory. */
const COMMAND_MAX_BUFFER = 64 * 1024;

/**
 * Runs a command check through execa (loaded only when a case uses one) in its own process group,
 * so a timeout ends everything it started, not only the shell: a grandchild holding stdout open
 * can neither keep the run waiting nor outlive it.
 */
export async function execCommand(c: Check, answer: string, env: Record<string, string> = {}): Promise<{ pass: boolean; detail?: string }> {
  const [{ execa }, { killGroup, trackGroup, untrackGroup, groupAlive }] = await Promise.all([import('execa'), import('../providers/process-group.js')]);
  const argv = Array.isArray(c.value) ? c.value.map(String) : null;
  const opts = { input: answer, reject: false, env: { ...c.env, ...env }, detached: true, maxBuffer: COMMAND_MAX_BUFFER } as const;
  const child = argv ? execa(argv[0], argv.slice(1), opts) : execa(String(c.value), { ...opts, shell: true });
  const pgid = child.pid;
  if (pgid !== undefined) trackGroup(pgid);
  let timedOut = false;
  const limit = c.timeoutMs ?? COMMAND_TIMEOUT_MS;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pgid !== undefined) void killGroup(pgid);
  }, limit);
  let r;
  try {
    r = await child;
  } finally {
    clearTimeout(timer);
    if (pgid !== undefined) {
      if (groupAlive(pgid)) void killGroup(pgid, { unref: true });
      else untrackGroup(pgid);
    }
  }
  if (r.exitCode === 0 && !timedOut) return { pass: true };
  const why = timedOut
    ? `timed out after ${limit} ms`
    : r.failed && r.exitCode === undefined
      ? String(r.shortMessage ?? 'failed to start')
      : `exit ${r.exitCode}`;
  const err = String(r.stderr ?? '').trim().split('\n')[0];
  return { pass: false, detail: err ? `${why}: ${short(err)}` : why };
}
