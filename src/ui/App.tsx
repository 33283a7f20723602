import { useEffect, useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { formatUsd } from '../core/cost.js';
import { AnswerGrid } from './AnswerGrid.js';
import { blindLabel, fileSlug } from './blind.js';
import { HELP_LINE, HelpOverlay, KEYS } from './HelpOverlay.js';
import { measureGrid } from './pane-content.js';
import { PromptInput } from './PromptInput.js';
import { RuleDialog } from './RuleDialog.js';
import type { InteractiveOptions, RuleProposal } from './types.js';
import { useArena } from './use-arena.js';
import type { FrameCost } from './use-fanout.js';
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
  /** Clock for vote timestamps. */
  now?: () => Date;
}

interface Status {
  text: string;
  color?: string;
}

/** Rows the panel under the grid takes in each mode, so grid + panel never overflow the terminal. */
const PANEL_ROWS: Record<Mode, number> = { compare: 0, expand: 0, help: 0, input: 4, write: 4, rule: 10 };

/** The interactive comparison: top line, the columns, a status line and the keys. */
export function App(p: AppProps) {
  const interactive = p.interactive ?? process.stdin.isTTY === true;
  const arena = useArena({ models: p.models, start: p.start, logVote: p.logVote, blind: p.blind === true, random: p.random, throttleMs: p.throttleMs, frameCost: p.frameCost, now: p.now });
  const [mode, setMode] = useState<Mode>(p.prompt ? 'compare' : 'input');
  const [focus, setFocus] = useState(0);
  const [scroll, setScroll] = useState<number[]>(() => p.models.map(() => 0));
  const [status, setStatus] = useState<Status | null>(null);
  const [rule, setRule] = useState<{ proposal: RuleProposal; winner: string } | null>(null);
  const size = useTerminalSize();
  const spinner = useSpinner(arena.running);
  const exited = useRef(false);
  const panelKeys = useRef<KeyHandler | null>(null);

  const quit = (code: number) => {
    if (exited.current) return;
    exited.current = true;
    arena.abortAll();
    p.onExit(code);
  };

  const ask = (prompt: string) => {
    arena.ask(prompt);
    setFocus(0);
    setScroll(p.models.map(() => 0));
    setStatus(null);
    setMode('compare');
  };

  useEffect(() => {
    if (p.prompt) ask(p.prompt);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Without a keyboard there is nothing to wait for once every answer is in.
  const allDone = arena.results.length > 0 && arena.results.every((r) => r.done);
  useEffect(() => {
    if (!interactive && arena.round && allDone && !arena.running) quit(0);
  });

  const round = arena.round;
  const order = round?.order ?? p.models.map((_, i) => i);
  const name = (slot: number) => p.models[slot].alias ?? p.models[slot].id;
  const labels = order.map((slot, i) => (arena.revealed ? (p.blind ? `(${blindLabel(i).slice(6)}) ${name(slot)}` : name(slot)) : blindLabel(i)));
  const reserved = mode === 'help' ? KEYS.length + 4 : PANEL_ROWS[mode];
  const geometry = measureGrid(arena.results, order, { columns: size.columns, rows: size.rows - reserved, focus, expanded: mode === 'expand' });

  const pick = (n: number) => {
    if (!round) return;
    if (round.winner !== undefined) return setStatus({ text: 'already voted on this prompt · n for a new one', color: 'yellow' });
    if (n > order.length) return setStatus({ text: `there is no column ${n}`, color: 'yellow' });
    const slot = n === 0 ? null : order[n - 1];
    if (slot !== null && arena.results[slot]?.error) return setStatus({ text: `column ${n} failed · pick another, or 0 for none`, color: 'yellow' });
    void arena.vote(slot).then((err) => err && setStatus({ text: err, color: 'red' }));
    if (slot === null) return setStatus({ text: 'noted: none was good · n for a new prompt' });
    const winner = p.models[slot];
    let proposal: RuleProposal;
    try {
      proposal = p.proposeRule(round.prompt, winner.id);
    } catch (err) {
      return setStatus({ text: `vote logged, but no rule could be proposed: ${err instanceof Error ? err.message : String(err)}`, color: 'yellow' });
    }
    setRule({ proposal, winner: winner.alias ? `${winner.alias} (${winner.id})` : winner.id });
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
      const slot = order[focus];
      const max = Math.max(0, geometry.bodies[focus].length - geometry.bodyRows);
      const page = Math.max(1, geometry.bodyRows - 1);
      const by = delta === 'page-down' ? page : delta === 'page-up' ? -page : delta;
      setScroll((s) => s.map((v, i) => (i === slot ? Math.min(max, Math.max(0, Math.min(v, max) + by)) : v)));
    },
    retry: () => {
      const n = arena.retryFailed();
      setStatus(n ? { text: `retrying ${n} model${n > 1 ? 's' : ''}…` } : { text: 'nothing failed, nothing to retry', color: 'yellow' });
    },
    startWrite: () => {
      const r = arena.results[order[focus]];
      if (!r?.text) return setStatus({ text: 'nothing to write yet', color: 'yellow' });
      if (!p.writeAnswer) return setStatus({ text: 'writing answers is not available here', color: 'yellow' });
      setMode('write');
    },
  });

  const writeFocused = (path: string) => {
    setMode('compare');
    const text = arena.results[order[focus]]?.text ?? '';
    p.writeAnswer!(path, text).then(
      () => setStatus({ text: `✔ wrote ${path}`, color: 'green' }),
      (err: unknown) => setStatus({ text: `✖ could not write ${path}: ${err instanceof Error ? err.message : String(err)}`, color: 'red' }),
    );
  };

  const cost = arena.running && arena.roundCost == null ? '…' : formatUsd(arena.roundCost);
  // Short, so the prompt keeps most of the line; the headers name the models.
  const right = [
    p.routeNote ?? `${p.models.length} model${p.models.length > 1 ? 's' : ''}`,
    p.blind && !arena.revealed ? 'blind' : '',
    round ? cost : '',
    round && round.number > 1 ? `session ${formatUsd(arena.sessionCost)}` : '',
  ].filter(Boolean);

  return (
    <Box flexDirection="column" width={size.columns}>
      <Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text wrap="truncate-end">
            <Text bold color="cyan">
              mmr
            </Text>
            {' › '}
            {round ? round.prompt.replace(/\s+/g, ' ') : <Text dimColor>ask {p.blind ? `${p.models.length} hidden models` : p.models.map((m) => m.alias ?? m.id).join(', ')}</Text>}
          </Text>
        </Box>
        <Box flexShrink={0} marginLeft={2}>
          <Text dimColor>{right.join(' · ')}</Text>
        </Box>
      </Box>
      {mode === 'help' ? <HelpOverlay /> : round ? <AnswerGrid geometry={geometry} results={arena.results} order={order} labels={labels} focus={focus} scroll={scroll} spinner={spinner} expanded={mode === 'expand'} /> : null}
      {mode === 'input' ? (
        <PromptInput label={round ? 'new prompt' : 'prompt'} placeholder="type your prompt" interactive={interactive} keys={panelKeys} onSubmit={ask} onCancel={() => (round ? setMode('compare') : quit(0))} />
      ) : null}
      {mode === 'write' ? (
        <PromptInput label="write to" initial={`./mmr-answer-${fileSlug(arena.revealed ? p.models[order[focus]].id : blindLabel(focus))}.md`} interactive={interactive} keys={panelKeys} onSubmit={writeFocused} onCancel={() => setMode('compare')} />
      ) : null}
      {mode === 'rule' && rule ? (
        <RuleDialog
          proposal={rule.proposal}
          winnerLabel={rule.winner}
          file={p.ruleFile}
          onSave={p.saveRule}
          interactive={interactive}
          keys={panelKeys}
          onDone={(message) => {
            setRule(null);
            setMode('compare');
            setStatus(message ? { text: message, color: 'green' } : { text: 'rule skipped · n for a new prompt' });
          }}
        />
      ) : null}
      {status ? (
        <Text color={status.color} wrap="truncate-end">
          {status.text}
        </Text>
      ) : null}
      {mode === 'compare' || mode === 'expand' ? (
        <Text dimColor wrap="truncate-end">
          {mode === 'expand' ? 'esc back · ↑/↓ PgUp/PgDn scroll · w write · q quit' : HELP_LINE}
        </Text>
      ) : null}
    </Box>
  );
}
