import { once } from 'node:events';
import type { FanoutEvent } from '../core/types.js';
import { applyEvent, emptyResult, tokensPerSecond, type AnswerResult } from '../core/results.js';
import { formatUsd } from '../core/cost.js';
import { neutralizeLine, TerminalSafeStream } from '../core/terminal-safe.js';

export interface TextWriterOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Status line per model on stderr (`-v`, or stderr is a terminal). */
  status: boolean;
  /** Nothing but answers and errors. */
  quiet: boolean;
  /** Colours stderr status (chalk instance or identity). */
  paint?: Paint;
  /**
   * stdout is a terminal: answers are neutralised on the way out (escape sequences and control
   * characters from a server must not drive it). A pipe or file gets the answer's exact bytes.
   */
  terminal?: boolean;
  /** `--show-reasoning`: print each model's reasoning before its answer, inside `<reasoning>` … `</reasoning>`. */
  reasoning?: boolean;
}

/** How `--show-reasoning` sets reasoning apart from the answer in plain text. */
export const REASONING_OPEN = '<reasoning>\n';
export const REASONING_CLOSE = '</reasoning>\n\n';

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
  if (r.usage?.outputTokens != null) {
    const thought = r.usage.reasoningTokens ? ` (${r.usage.reasoningTokens} reasoning)` : '';
    parts.push(`${r.usage.inputTokens ?? '?'}→${r.usage.outputTokens} tok${thought}`);
  }
  const tps = tokensPerSecond(r);
  if (tps != null) parts.push(`${Math.round(tps)} tok/s`);
  parts.push(formatUsd(r.costUsd));
  // ttft and latency are the answering request's; say so when retries or fallbacks took longer.
  const waited = r.wallMs != null && r.latencyMs != null && (r.attempts > 1 || r.fallbackFrom.length > 0);
  if (r.attempts > 1) parts.push(`${r.attempts} attempts`);
  if (waited) parts.push(`${ms(r.wallMs)} in all`);
  return parts.join(' · ');
}

/** One line for stderr: a server's words are neutralised there always, whatever stdout is. */
export function errorLine(r: AnswerResult): string {
  const e = r.error!;
  const status = e.status && !e.message.includes(`HTTP ${e.status}`) ? ` (HTTP ${e.status})` : '';
  return neutralizeLine(`${e.message}${status}${e.hint ? ` — ${e.hint}` : ''}`);
}

/**
 * Plain text for pipes and scripts. One model: its answer streams straight to stdout. Several:
 * blocks headed by the model id, in the order given; the block being printed streams live while
 * later ones buffer, so output is never interleaved. Status and errors go to stderr.
 *
 * Text that reached stdout is not kept: the results carry finish, usage, timing and errors, and
 * an empty `text` (an answer may be tens of MB; nothing after printing needs a copy).
 */
export async function writeText(events: AsyncIterable<FanoutEvent>, models: { id: string; alias?: string }[], o: TextWriterOptions): Promise<AnswerResult[]> {
  const paint = o.paint ?? plainPaint;
  const results = models.map((m) => emptyResult(m.id, m.alias));
  const multi = models.length > 1;
  const buffered = models.map(() => '');
  const safe = o.terminal ? models.map(() => new TerminalSafeStream()) : undefined;
  const headed = models.map(() => false);
  /** Per slot: whether a `<reasoning>` block is open (only with o.reasoning). */
  const inReasoning = models.map(() => false);
  /** Whether the last character a slot printed was a newline (true before it printed any). */
  const endsLine = models.map(() => true);
  let current = 0; // the slot streaming to stdout
  let printedAny = false;
  const name = (slot: number) => neutralizeLine(results[slot].model);

  // The header goes out with a block's first text, so a model that failed silently leaves no empty block.
  const emit = (slot: number, text: string) => {
    if (!text) return;
    if (multi && !headed[slot]) o.stdout.write(`${printedAny ? '\n' : ''}=== ${name(slot)} ===\n`);
    headed[slot] = true;
    printedAny = true;
    endsLine[slot] = text.endsWith('\n');
    o.stdout.write(text);
  };
  /** A delta on its way out: neutralised for a terminal, then printed live or buffered. */
  const take = (slot: number, raw: string) => {
    const text = safe ? safe[slot].push(raw) : raw;
    if (slot === current) emit(slot, text);
    else buffered[slot] += text;
  };
  /** Closes an open reasoning block, on its own line, before the answer (or the end) follows. */
  const closeReasoning = (slot: number) => {
    if (!inReasoning[slot]) return;
    inReasoning[slot] = false;
    const last = slot === current ? endsLine[slot] : buffered[slot].endsWith('\n');
    take(slot, `${last ? '' : '\n'}${REASONING_CLOSE}`);
  };
  const endSlot = (slot: number) => {
    if (safe) emit(slot, safe[slot].end());
    const r = results[slot];
    if (!endsLine[slot]) o.stdout.write('\n');
    if (r.error) {
      o.stderr.write(`${paint.red('✖')} ${name(slot)}: ${errorLine(r)}\n`);
    } else if (o.status && !o.quiet) {
      const cut = r.finishReason?.unified === 'length' ? paint.yellow(' · cut short (max tokens)') : '';
      o.stderr.write(`${paint.green('✔')} ${paint.bold(name(slot))} ${paint.dim(statsLine(r))}${cut}\n`);
    } else if (r.finishReason?.unified === 'length' && !o.quiet) {
      o.stderr.write(`${paint.yellow('!')} ${name(slot)}: answer cut short at the max-tokens limit\n`);
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
    // A slow reader on an asynchronous stdout (a pipe on macOS) holds the stream back instead of
    // letting written text pile up in memory.
    if ((o.stdout as NodeJS.WriteStream).writableNeedDrain) await once(o.stdout, 'drain');
    if (ev.type === 'text-delta') {
      if (o.reasoning) closeReasoning(ev.slot);
      take(ev.slot, ev.text);
      continue;
    }
    // Reasoning is printed only when asked for; either way no copy of it is kept here.
    if (ev.type === 'reasoning-delta') {
      if (!o.reasoning) continue;
      if (!inReasoning[ev.slot]) take(ev.slot, REASONING_OPEN);
      inReasoning[ev.slot] = true;
      take(ev.slot, ev.text);
      continue;
    }
    if (o.reasoning && (ev.type === 'finish' || ev.type === 'error')) closeReasoning(ev.slot);
    const r = applyEvent(results[ev.slot], ev);
    if (ev.type === 'fallback' && !o.quiet) {
      // Always said: the answer on stdout comes from a different model than the rule named.
      const line = `${ev.from} unavailable (${ev.error.message}); ${ev.to} answers instead`;
      o.stderr.write(`${paint.yellow('↪')} ${neutralizeLine(line)}\n`);
    } else if (ev.type === 'retry' && o.status && !o.quiet) {
      o.stderr.write(paint.dim(`… ${neutralizeLine(`${ev.modelId}: ${ev.error.message}`)}; retry ${ev.attempt - 1} in ${ms(ev.delayMs)}\n`));
    }
    if (r.done) advance();
  }
  advance();
  return results;
}
