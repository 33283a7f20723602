import type { FanoutEvent } from '../core/types.js';
import { applyEvent, emptyResult, tokensPerSecond, type AnswerResult } from '../core/results.js';
import { formatUsd } from '../core/cost.js';

export interface TextWriterOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Status line per model on stderr (`-v`, or stderr is a terminal). */
  status: boolean;
  /** Nothing but answers and errors. */
  quiet: boolean;
  /** Colours stderr status (chalk instance or identity). */
  paint?: Paint;
}

export interface Paint {
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
}

export const plainPaint: Paint = { dim: (s) => s, green: (s) => s, red: (s) => s, yellow: (s) => s, bold: (s) => s };

const ms = (v: number | null) => (v == null ? '—' : v < 1000 ? `${Math.round(v)}ms` : `${(v / 1000).toFixed(1)}s`);

/** `ttft 412ms · 1.9s · 184 tok · 96 tok/s · $0.00012` */
export function statsLine(r: AnswerResult): string {
  const parts = [`ttft ${ms(r.ttftMs)}`, ms(r.latencyMs)];
  if (r.usage?.outputTokens != null) parts.push(`${r.usage.inputTokens ?? '?'}→${r.usage.outputTokens} tok`);
  const tps = tokensPerSecond(r);
  if (tps != null) parts.push(`${Math.round(tps)} tok/s`);
  parts.push(formatUsd(r.costUsd));
  // ttft and latency are the answering request's; say so when retries or fallbacks took longer.
  const waited = r.wallMs != null && r.latencyMs != null && (r.attempts > 1 || r.fallbackFrom.length > 0);
  if (r.attempts > 1) parts.push(`${r.attempts} attempts`);
  if (waited) parts.push(`${ms(r.wallMs)} in all`);
  return parts.join(' · ');
}

export function errorLine(r: AnswerResult): string {
  const e = r.error!;
  const status = e.status && !e.message.includes(`HTTP ${e.status}`) ? ` (HTTP ${e.status})` : '';
  return `${e.message}${status}${e.hint ? ` — ${e.hint}` : ''}`;
}

/**
 * Plain text for pipes and scripts. One model: its answer streams straight to stdout. Several:
 * blocks headed by the model id, in the order given; the block being printed streams live while
 * later ones buffer, so output is never interleaved. Status and errors go to stderr.
 */
export async function writeText(events: AsyncIterable<FanoutEvent>, models: { id: string; alias?: string }[], o: TextWriterOptions): Promise<AnswerResult[]> {
  const paint = o.paint ?? plainPaint;
  const results = models.map((m) => emptyResult(m.id, m.alias));
  const multi = models.length > 1;
  const buffered = models.map(() => '');
  let current = 0; // the slot streaming to stdout
  let printedAny = false;

  // The header goes out with a block's first text, so a model that failed silently leaves no empty block.
  const emit = (slot: number, text: string) => {
    if (!text) return;
    if (multi && !headed[slot]) o.stdout.write(`${printedAny ? '\n' : ''}=== ${results[slot].model} ===\n`);
    headed[slot] = true;
    printedAny = true;
    o.stdout.write(text);
  };
  const headed = models.map(() => false);
  const endSlot = (slot: number) => {
    const r = results[slot];
    if (r.text && !r.text.endsWith('\n')) o.stdout.write('\n');
    if (r.error) {
      o.stderr.write(`${paint.red('✖')} ${r.model}: ${errorLine(r)}\n`);
    } else if (o.status && !o.quiet) {
      const cut = r.finishReason?.unified === 'length' ? paint.yellow(' · cut short (max tokens)') : '';
      o.stderr.write(`${paint.green('✔')} ${paint.bold(r.model)} ${paint.dim(statsLine(r))}${cut}\n`);
    } else if (r.finishReason?.unified === 'length' && !o.quiet) {
      o.stderr.write(`${paint.yellow('!')} ${r.model}: answer cut short at the max-tokens limit\n`);
    }
  };
  const startSlot = (slot: number) => {
    emit(slot, buffered[slot]);
    buffered[slot] = '';
  };
  // Advance past every finished slot, flushing what they buffered.
  const advance = () => {
    while (current < models.length && results[current].done) {
      endSlot(current);
      current++;
      if (current < models.length) startSlot(current);
    }
  };

  startSlot(0);
  for await (const ev of events) {
    const r = applyEvent(results[ev.slot], ev);
    if (ev.type === 'text-delta') {
      if (ev.slot === current) emit(ev.slot, ev.text);
      else buffered[ev.slot] += ev.text;
    } else if (ev.type === 'fallback' && !o.quiet) {
      // Always said: the answer on stdout comes from a different model than the rule named.
      o.stderr.write(`${paint.yellow('↪')} ${ev.from} unavailable (${ev.error.message}); ${ev.to} answers instead\n`);
    } else if (ev.type === 'retry' && o.status && !o.quiet) {
      o.stderr.write(paint.dim(`… ${ev.modelId}: ${ev.error.message}; retry ${ev.attempt - 1} in ${ms(ev.delayMs)}\n`));
    }
    if (r.done) advance();
  }
  advance();
  return results;
}
