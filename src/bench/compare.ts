/**
 * Two runs side by side, per case-turn and model: better (passes now, did not before) and worse
 * (the other way), judged on the majority of samples, as the HTML report marks them.
 */
import type { BenchRow } from './types.js';

export interface ModelChange {
  model: string;
  better: string[];
  worse: string[];
  /** Case-turns graded in both runs. */
  both: number;
}

function verdicts(rows: BenchRow[]): Map<string, Map<string, boolean>> {
  const tally = new Map<string, Map<string, [number, number]>>();
  for (const r of rows) {
    if (r.pass === null) continue;
    const label = r.turn > 1 ? `${r.caseId} turn ${r.turn}` : r.caseId;
    let m = tally.get(r.model);
    if (!m) tally.set(r.model, (m = new Map()));
    const t = m.get(label) ?? [0, 0];
    t[0] += r.pass ? 1 : 0;
    t[1]++;
    m.set(label, t);
  }
  const out = new Map<string, Map<string, boolean>>();
  for (const [model, m] of tally) out.set(model, new Map([...m].map(([k, [p, n]]) => [k, p * 2 > n])));
  return out;
}

export function compareRuns(now: BenchRow[], before: BenchRow[]): ModelChange[] {
  const a = verdicts(now);
  const b = verdicts(before);
  const out: ModelChange[] = [];
  for (const [model, cur] of a) {
    const old = b.get(model);
    const change: ModelChange = { model, better: [], worse: [], both: 0 };
    if (old) {
      for (const [label, pass] of cur) {
        if (!old.has(label)) continue;
        change.both++;
        if (pass && !old.get(label)) change.better.push(label);
        if (!pass && old.get(label)) change.worse.push(label);
      }
    }
    const order = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
    change.better.sort(order);
    change.worse.sort(order);
    out.push(change);
  }
  return out;
}
