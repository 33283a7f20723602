/**
 * `--format junit`: the run as JUnit XML for CI test reporters (GitLab, Jenkins, GitHub
 * annotations). One <testsuite> per model, one <testcase> per graded row (case, turn, sample):
 * a failed check is a <failure> naming each check and why, a failed call is an <error>.
 * Keeps per row only what the XML needs (no answers), so it scales with the run.
 */
import type { BenchRow } from './types.js';

interface Case {
  name: string;
  timeS: number;
  failure: string | null;
  error: { kind: string; message: string } | null;
}

/** Text and attribute escaping; characters XML 1.0 cannot carry at all (most C0, lone surrogates, C1) are dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export class JunitCollector {
  private suites = new Map<string, Case[]>();
  constructor(models: string[] = []) {
    for (const m of models) this.suites.set(m, []);
  }

  add(row: BenchRow): void {
    if (row.pass === null && !row.error) return; // nothing was tested
    let list = this.suites.get(row.model);
    if (!list) this.suites.set(row.model, (list = []));
    const name = `${row.caseId}${row.turn > 1 ? ` turn ${row.turn}` : ''}${row.sample > 1 ? ` sample ${row.sample}` : ''}`;
    const failed = row.checks.filter((c) => !c.pass);
    list.push({
      name,
      timeS: (row.latencyMs ?? 0) / 1000,
      failure: !row.error && row.pass === false ? failed.map((c) => `${c.type}: ${c.detail ?? 'failed'}`).join('\n') || 'failed' : null,
      error: row.error ? { kind: row.error.kind, message: row.error.message } : null,
    });
  }

  format(totalMs: number): string {
    const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
    let tests = 0;
    let failures = 0;
    let errors = 0;
    const suites: string[] = [];
    for (const [model, cases] of this.suites) {
      const f = cases.filter((c) => c.failure !== null).length;
      const e = cases.filter((c) => c.error !== null).length;
      const time = cases.reduce((a, c) => a + c.timeS, 0);
      tests += cases.length;
      failures += f;
      errors += e;
      suites.push(`  <testsuite name="${xmlEscape(model)}" tests="${cases.length}" failures="${f}" errors="${e}" skipped="0" time="${time.toFixed(3)}">`);
      for (const c of cases) {
        const open = `    <testcase classname="${xmlEscape(model)}" name="${xmlEscape(c.name)}" time="${c.timeS.toFixed(3)}"`;
        if (c.error) suites.push(`${open}>`, `      <error type="${xmlEscape(c.error.kind)}" message="${xmlEscape(c.error.message)}"/>`, '    </testcase>');
        else if (c.failure !== null) {
          const first = c.failure.split('\n')[0];
          suites.push(`${open}>`, `      <failure type="check" message="${xmlEscape(first)}">${xmlEscape(c.failure)}</failure>`, '    </testcase>');
        } else suites.push(`${open}/>`);
      }
      suites.push('  </testsuite>');
    }
    out.push(`<testsuites name="mmr bench" tests="${tests}" failures="${failures}" errors="${errors}" time="${(totalMs / 1000).toFixed(3)}">`, ...suites, '</testsuites>');
    return `${out.join('\n')}\n`;
  }
}
