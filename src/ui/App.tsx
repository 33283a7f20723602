import { useEffect, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { formatUsd } from '../core/cost.js';
import type { AnswerResult } from '../core/results.js';
import { AnswerGrid, clampScroll } from './AnswerGrid.js';
import { blindLabel, fileSlug } from './blind.js';
import { loadHighlighter, type Highlighter } from './highlight.js';
import { HELP_LINE, HelpOverlay, KEYS } from './HelpOverlay.js';
import { ConversationLayout, measureGrid, type ContentOptions, type GridGeometry, type TurnView } from './pane-content.js';
import { INPUT_CHROME_ROWS, PromptInput } from './PromptInput.js';
import { RULE_DIALOG_ROWS, RuleDialog } from './RuleDialog.js';
import { toAnsi } from './styled.js';
import { fitTopLine, TOP_PREFIX } from './top-line.js';
import type { InteractiveOptions, RuleDraft } from './types.js';
import { useArena } from './use-arena.js';
import type { FrameCost, FrameGate } from './use-fanout.js';
import { useKeys, type KeyHandler, type Mode } from './use-keys.js';
import { useSpinner } from './use-spinner.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps extends InteractiveOptions {
  /** Called once when the user quits: 0 for q, 130 for Ctrl-C. */
  onExit(code: number): void;
  /** Read keys (Ink's raw mode needs stdin to be a terminal); injectable so tests can type. */
  interactive?: boolean;
  /** Randomness for the blind shuffle. */
  random?: () => number;
  /** Minimum ms between re-renders while streaming. */
  throttleMs?: number;
  /** Recent Ink frame cost in ms; frames are spaced out when they get expensive. */
  frameCost?: FrameCost;
  /** SGR colour level for answers (chalk's level; 0 = none). */
  colorLevel?: number;
}

interface Status {
  text: string;
  color?: string;
  /** Cleared by itself once nothing is running any more (`retrying 2 models…`). */
  whileRunning?: boolean;
}

/** A change only outside the answers' visible lines (a footer's count, `↓12 more`) is drawn at most this often. */
export const META_REFRESH_MS = 1000;

/** What a frame shows, split into the answers' visible lines and everything else. */
function signature(g: GridGeometry, order: number[], scroll: number[], results: readonly AnswerResult[]): { body: string; meta: string } {
  let body = '';
  let meta = '';
  order.forEach((slot, i) => {
    const lines = g.bodies[i];
    if (!lines.length && !g.footers[i].length) return;
    const top = clampScroll(scroll[slot] ?? 0, lines.length, g.bodyRows);
    const r = results[slot];
    body += `${i}:${r?.done ? (r.error ? 'x' : 'd') : r?.text ? 's' : 'w'}|`;
    for (const l of lines.slice(top, top + g.bodyRows)) body += `${toAnsi(l, 1)}\n`;
    meta += `${i}:${g.stale[i] ? '+' : lines.length - top}|${g.footers[i].map((l) => toAnsi(l, 1)).join('\n')}|`;
  });
  return { body, meta };
}

/** The interactive comparison: top line, the columns, a status line and the keys. */
export function App(p: AppProps) {
  const interactive = p.interactive ?? process.stdin.isTTY === true;
  const colorLevel = p.colorLevel ?? 0;
  const canAsk = p.canAsk !== false;
  const gate = useRef<FrameGate | null>(null);
  const arena = useArena({ models: p.models, start: p.start, onVote: p.onVote, onTurn: p.onTurn, resume: p.resume, newConversationId: p.newConversationId, blind: p.blind === true, random: p.random, throttleMs: p.throttleMs, frameCost: p.frameCost, gate });
  const [mode, setModeState] = useState<Mode>(p.prompt || p.resume ? 'compare' : 'input');
  const [inputKind, setInputKind] = useState<'new' | 'follow-up'>(p.resume ? 'follow-up' : 'new');
  const [focus, setFocus] = useState(0);
  const [scroll, setScroll] = useState<number[]>(() => p.models.map(() => 0));
  const [status, setStatusState] = useState<Status | null>(p.notice ? { text: p.notice } : null);
  const [rule, setRule] = useState<{ draft: RuleDraft; winner: string; prompt: string } | null>(null);
  const [raw, setRaw] = useState(false);
  const [showReasoning, setShowReasoning] = useState(false);
  const [highlighter, setHighlighter] = useState<Highlighter | null>(null);
  const layout = useRef(new ConversationLayout());
  const wantsHl = useRef(false);
  const size = useTerminalSize();
  const exited = useRef(false);
  const panelKeys = useRef<KeyHandler | null>(null);
  const setStatus = (s: Status | null) => setStatusState(s);
  // A status belongs to the moment it was said: changing what has the keyboard clears it.
  const setMode = (m: Mode) => {
    if (m !== mode) setStatus(null);
    setModeState(m);
  };

  const quit = (code: number) => {
    if (exited.current) return;
    exited.current = true;
    arena.abortAll();
    p.onExit(code);
  };

  const conversation = arena.conversation;
  const turnNumber = arena.turn?.number ?? 0;
  const ask = (prompt: string, kind = inputKind, keepStatus = false) => {
    if (kind === 'follow-up' && conversation) arena.followUp(prompt);
    else {
      layout.current.clear();
      arena.ask(prompt);
      setFocus(0);
    }
    layout.current.newTurn();
    if (!keepStatus) setStatus(null);
    setModeState('compare');
  };

  useEffect(() => {
    if (p.prompt) ask(p.prompt, p.resume ? 'follow-up' : 'new', true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Without a keyboard there is nothing to wait for once every answer is in.
  const allDone = arena.allDone;
  useEffect(() => {
    if (!interactive && conversation && allDone && !arena.running) quit(0);
  });
  // `retrying 2 models…` is over once every column has its answer (or its error) again: shown
  // only until a render sees the retry begun and then ended (an effect would race the key handler).
  const busyStatus = useRef<Status | null>(null);
  if (status?.whileRunning && !allDone) busyStatus.current = status;
  const shownStatus = status?.whileRunning && allDone && busyStatus.current === status ? null : status;

  const order = conversation?.order ?? p.models.map((_, i) => i);
  const name = (slot: number) => p.models[slot].alias ?? p.models[slot].id;
  const hidden = p.blind === true && !arena.revealed;
  const labels = order.map((slot, i) => (hidden ? blindLabel(i) : p.blind ? `(${blindLabel(i).slice(6)}) ${name(slot)}` : name(slot)));
  const turns: TurnView[] = (conversation?.turns ?? []).map((t, i, all) => ({ prompt: t.prompt, results: i === all.length - 1 && arena.results.length ? arena.results : t.results ?? [] }));
  const current = turns[turns.length - 1]?.results ?? [];
  const content: ContentOptions = {
    raw,
    reasoning: showReasoning,
    hidden,
    highlighter,
    lazy: true,
    wantsHighlighter: () => {
      if (wantsHl.current) return;
      wantsHl.current = true;
      void loadHighlighter().then(setHighlighter, () => undefined);
    },
  };
  const inputRows = Math.max(1, Math.min(6, Math.floor(size.rows / 6)));
  const reserved = mode === 'help' ? KEYS.length + 5 : mode === 'input' ? INPUT_CHROME_ROWS + inputRows : mode === 'write' ? INPUT_CHROME_ROWS + 1 : mode === 'rule' ? RULE_DIALOG_ROWS : 0;
  const view = { columns: size.columns, rows: size.rows - reserved, focus, expanded: mode === 'expand', scroll };
  const geometry = measureGrid(layout.current, turns, order, view, content);

  // Frames are drawn for what is visible: an answer growing below the fold redraws nothing, and
  // counters outside the answers redraw at most every META_REFRESH_MS.
  const drawn = signature(geometry, order, scroll, current);
  const lastDraw = useRef({ sig: drawn, at: 0 });
  useEffect(() => {
    lastDraw.current = { sig: drawn, at: Date.now() };
  });
  gate.current = (live) => {
    const liveTurns = turns.length ? [...turns.slice(0, -1), { ...turns[turns.length - 1], results: live as AnswerResult[] }] : turns;
    const next = signature(measureGrid(layout.current, liveTurns, order, view, content), order, scroll, live);
    if (next.body !== lastDraw.current.sig.body) return 0;
    if (next.meta !== lastDraw.current.sig.meta) return Math.max(0, META_REFRESH_MS - (Date.now() - lastDraw.current.at));
    return null;
  };

  // A follow-up scrolls every column to where its new turn starts.
  const scrolledTurn = useRef(0);
  useEffect(() => {
    if (turnNumber === scrolledTurn.current) return;
    scrolledTurn.current = turnNumber;
    setScroll(order.map((_, slot) => geometry.starts[order.indexOf(slot)]?.[turnNumber - 1] ?? 0));
  });

  const waiting = current.some((r) => !r.done && !r.text && !r.reasoning);
  const spinner = useSpinner(waiting);

  const pick = (n: number) => {
    const turn = arena.turn;
    if (!turn) return;
    if (turn.winner !== undefined) return setStatus({ text: `already voted on this turn · ${canAsk ? 'f to follow up, n for a new prompt' : 'q to quit'}`, color: 'yellow' });
    if (n > order.length) return setStatus({ text: `there is no column ${n}`, color: 'yellow' });
    const slot = n === 0 ? null : order[n - 1];
    if (slot !== null && current[slot]?.error) return setStatus({ text: `column ${n} failed · pick another, or 0 for none`, color: 'yellow' });
    if (slot !== null && !current[slot]?.done) return setStatus({ text: `column ${n} is still answering · wait for it, or pick another`, color: 'yellow' });
    void arena.vote(slot).then((err) => err && setStatus({ text: err, color: 'red' }));
    if (slot === null) return setStatus({ text: `noted: none was good${canAsk ? ' · f to follow up, n for a new prompt' : ''}` });
    const winner = p.models[slot];
    let draft: RuleDraft;
    try {
      draft = p.proposeRule(turn.prompt, winner.id);
    } catch (err) {
      return setStatus({ text: `vote recorded, but no rule could be proposed: ${err instanceof Error ? err.message : String(err)}`, color: 'yellow' });
    }
    setRule({ draft, winner: winner.alias ? `${winner.alias} (${winner.id})` : winner.id, prompt: turn.prompt });
    setMode('rule');
  };

  useKeys({
    mode,
    interactive,
    panes: order.length,
    panel: panelKeys,
    quit,
    setMode,
    setFocus,
    pick,
    scrollBy: (delta) => {
      arena.sync();
      const slot = order[focus];
      const lines = geometry.bodies[focus].length;
      const max = Math.max(0, lines - geometry.bodyRows);
      const page = Math.max(1, geometry.bodyRows - 1);
      // End follows the answer as it grows; any other move leaves the end.
      if (delta === Number.MAX_SAFE_INTEGER) return setScroll((s) => s.map((v, i) => (i === slot ? Number.POSITIVE_INFINITY : v)));
      const by = delta === 'page-down' ? page : delta === 'page-up' ? -page : delta;
      setScroll((s) => s.map((v, i) => (i === slot ? Math.min(max, Math.max(0, Math.min(v, max) + by)) : v)));
    },
    retry: () => {
      const n = arena.retryFailed();
      setStatus(n ? { text: `retrying ${n} model${n > 1 ? 's' : ''}…`, whileRunning: true } : { text: 'nothing failed, nothing to retry', color: 'yellow' });
    },
    startWrite: () => {
      const r = current[order[focus]];
      if (!r?.text) return setStatus({ text: 'nothing to write yet', color: 'yellow' });
      if (!p.writeAnswer) return setStatus({ text: 'writing answers is not available here', color: 'yellow' });
      setMode('write');
    },
    followUp: () => {
      if (!canAsk) return setStatus({ text: 'the demo has only its recorded answers: no follow-ups (mmr ask for your own)', color: 'yellow' });
      if (!conversation) return;
      if (!allDone) return setStatus({ text: 'wait for the answers (or q), then follow up', color: 'yellow' });
      setInputKind('follow-up');
      setMode('input');
    },
    newPrompt: () => {
      if (!canAsk) return setStatus({ text: 'the demo has only its recorded prompts: mmr demo --list', color: 'yellow' });
      setInputKind('new');
      setMode('input');
    },
    toggleRaw: () => {
      setRaw((r) => !r);
      setStatus({ text: raw ? 'rendered Markdown · m for the source' : 'Markdown source · m to render it' });
    },
    toggleReasoning: () => {
      setShowReasoning((s) => !s);
      setStatus({ text: showReasoning ? 'reasoning collapsed · t to show it' : 'reasoning shown · t to collapse it' });
    },
  });

  const writeFocused = (path: string) => {
    setMode('compare');
    const text = current[order[focus]]?.text ?? '';
    p.writeAnswer!(path, text).then(
      () => setStatus({ text: `✔ wrote ${path}`, color: 'green' }),
      (err: unknown) => setStatus({ text: `✖ could not write ${path}: ${err instanceof Error ? err.message : String(err)}`, color: 'red' }),
    );
  };

  const running = arena.running;
  const cost = hidden ? '' : running && arena.turnCost == null ? '…' : formatUsd(arena.turnCost);
  const turn = arena.turn;
  const top = fitTopLine(
    turn ? `${turns.length > 1 ? `(${turn.number}) ` : ''}${turn.prompt}` : '',
    [
      { text: p.routeNote ?? `${p.models.length} model${p.models.length > 1 ? 's' : ''}`, rank: 1 },
      { text: hidden ? 'blind' : '', rank: 3 },
      { text: turn ? cost : '', rank: 2 },
      { text: turn && (conversation?.number ?? 1) + turns.length > 2 && !hidden ? `session ${formatUsd(arena.sessionCost)}` : '', rank: 0 },
    ],
    size.columns,
  );
  const idle = p.blind ? `${p.models.length} hidden models` : p.models.map((m) => m.alias ?? m.id).join(', ');

  return (
    <Box flexDirection="column" width={size.columns}>
      <Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text wrap="truncate-end">
            <Text bold color="cyan">
              mmr
            </Text>
            {TOP_PREFIX.slice(3)}
            {turn ? top.prompt : <Text dimColor>ask {idle}</Text>}
          </Text>
        </Box>
        {top.right ? (
          <Box flexShrink={0} marginLeft={2}>
            <Text dimColor>{top.right}</Text>
          </Box>
        ) : null}
      </Box>
      {mode === 'help' ? (
        <HelpOverlay />
      ) : turn ? (
        <AnswerGrid geometry={geometry} results={current} order={order} labels={labels} focus={focus} scroll={scroll} spinner={spinner} expanded={mode === 'expand'} colorLevel={colorLevel} />
      ) : null}
      {mode === 'input' ? (
        <PromptInput
          label={inputKind === 'follow-up' && conversation ? 'follow-up' : turn ? 'new prompt' : 'prompt'}
          placeholder={inputKind === 'follow-up' ? 'every model gets its own conversation so far' : 'type your prompt'}
          width={size.columns}
          maxRows={inputRows}
          colorLevel={colorLevel}
          interactive={interactive}
          keys={panelKeys}
          onSubmit={(v) => ask(v)}
          onCancel={() => (turn ? setMode('compare') : quit(0))}
        />
      ) : null}
      {mode === 'write' ? (
        <PromptInput
          label="write to"
          multiline={false}
          initial={`./mmr-answer-${fileSlug(hidden ? blindLabel(focus) : p.models[order[focus]].id)}.md`}
          width={size.columns}
          colorLevel={colorLevel}
          interactive={interactive}
          keys={panelKeys}
          onSubmit={writeFocused}
          onCancel={() => setMode('compare')}
        />
      ) : null}
      {mode === 'rule' && rule ? (
        <RuleDialog
          draft={rule.draft}
          prompt={rule.prompt}
          winnerLabel={rule.winner}
          file={p.ruleFile}
          check={p.checkRule}
          onSave={p.saveRule}
          interactive={interactive}
          width={size.columns}
          colorLevel={colorLevel}
          keys={panelKeys}
          onDone={(message) => {
            setRule(null);
            setMode('compare');
            setStatus(message ? { text: message, color: 'green' } : { text: `rule skipped${canAsk ? ' · f to follow up, n for a new prompt' : ''}` });
          }}
        />
      ) : null}
      {shownStatus ? (
        <Text color={shownStatus.color} wrap="truncate-end">
          {shownStatus.text}
        </Text>
      ) : null}
      {mode === 'compare' || mode === 'expand' ? (
        <Text dimColor wrap="truncate-end">
          {mode === 'expand' ? 'esc back · ↑/↓ PgUp/PgDn scroll · m raw · w write · q quit' : HELP_LINE}
        </Text>
      ) : null}
    </Box>
  );
}
