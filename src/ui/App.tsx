import { useEffect, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { formatUsd } from '../core/cost.js';
import type { AnswerResult } from '../core/results.js';
import { AnswerGrid } from './AnswerGrid.js';
import { blindLabel, fileSlug } from './blind.js';
import { loadHighlighter, type Highlighter } from './highlight.js';
import { HELP_LINE, HelpOverlay, KEYS } from './HelpOverlay.js';
import { ConversationLayout, measureGrid, type ContentOptions, type TurnView } from './pane-content.js';
import { signature, useDrawGate } from './draw-gate.js';
import { INPUT_CHROME_ROWS, PromptInput } from './PromptInput.js';
import { RULE_DIALOG_ROWS, RuleDialog } from './RuleDialog.js';
import { TopBar } from './TopBar.js';
import type { InteractiveOptions } from './types.js';
import { useArena } from './use-arena.js';
import type { FrameCost, FrameGate } from './use-fanout.js';
import type { KeyHandler, Mode } from './use-keys.js';
import { useAppKeys, type RuleOffer, type Status } from './app-keys.js';
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
  const [rule, setRule] = useState<RuleOffer | null>(null);
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
  // The rule dialog's height follows its wrapped sentences.
  const [ruleRows, setRuleRows] = useState(RULE_DIALOG_ROWS);
  const reserved = mode === 'help' ? KEYS.length + 5 : mode === 'input' ? INPUT_CHROME_ROWS + inputRows : mode === 'write' ? INPUT_CHROME_ROWS + 1 : mode === 'rule' ? ruleRows : 0;
  const view = { columns: size.columns, rows: size.rows - reserved, focus, expanded: mode === 'expand', scroll };
  const geometry = measureGrid(layout.current, turns, order, view, content);

  // Frames are drawn for what is visible (draw-gate.ts).
  useDrawGate(gate, signature(geometry, order, scroll, current), (live) => {
    const liveTurns = turns.length ? [...turns.slice(0, -1), { ...turns[turns.length - 1], results: live as AnswerResult[] }] : turns;
    return signature(measureGrid(layout.current, liveTurns, order, view, content), order, scroll, live);
  });

  // A follow-up scrolls every column to where its new turn starts.
  const scrolledTurn = useRef(0);
  useEffect(() => {
    if (turnNumber === scrolledTurn.current) return;
    scrolledTurn.current = turnNumber;
    setScroll(order.map((_, slot) => geometry.starts[order.indexOf(slot)]?.[turnNumber - 1] ?? 0));
  });

  const waiting = current.some((r) => !r.done && !r.text && !r.reasoning);
  const spinner = useSpinner(waiting);

  useAppKeys({
    mode, interactive, canAsk, arena, order, current, focus, geometry, raw, showReasoning, panel: panelKeys,
    models: p.models, proposeRule: p.proposeRule, writeAnswer: p.writeAnswer,
    quit, setMode, setFocus, setScroll, setStatus, setRaw, setShowReasoning, setInputKind,
    openRule: (offer) => {
      setRule(offer);
      setMode('rule');
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
  const topParts = [
    { text: p.routeNote ?? `${p.models.length} model${p.models.length > 1 ? 's' : ''}`, rank: 1 },
    { text: hidden ? 'blind' : '', rank: 3 },
    { text: turn ? cost : '', rank: 2 },
    { text: turn && (conversation?.number ?? 1) + turns.length > 2 && !hidden ? `session ${formatUsd(arena.sessionCost)}` : '', rank: 0 },
  ];
  const idle = p.blind ? `${p.models.length} hidden models` : p.models.map((m) => m.alias ?? m.id).join(', ');

  return (
    <Box flexDirection="column" width={size.columns}>
      <TopBar prompt={turn ? `${turns.length > 1 ? `(${turn.number}) ` : ''}${turn.prompt}` : null} idle={idle} parts={topParts} columns={size.columns} />
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
          onRows={setRuleRows}
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
