/**
 * `mmr report rows.jsonl` in a terminal: one case at a time with every model's answer, its
 * checks and why they failed; page through cases, scroll long answers, filter to failed cases
 * or disagreements, and vote for the best answer (the caller writes the vote log).
 */
import React, { useMemo, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { neutralizeLine } from '../../core/terminal-safe.js';
import { caseLines, keepCase, type ViewCase, type ViewFilter } from './model.js';

export interface ReportAppProps {
  title: string;
  cases: ViewCase[];
  /** Records a vote: the winner's model id, or null for "none was good". Rejects with a message on failure. */
  onVote: (c: ViewCase, winner: string | null) => Promise<void>;
  onExit: () => void;
  /** Read keys (false in tests that only look). */
  interactive?: boolean;
}

const FILTERS: ViewFilter[] = ['all', 'failed', 'disagreements'];

export function ReportApp({ title, cases, onVote, onExit, interactive = true }: ReportAppProps) {
  const { stdout } = useStdout();
  const width = Math.max(40, (stdout?.columns ?? 100) - 2);
  const height = Math.max(8, (stdout?.rows ?? 30) - 5);
  const [filter, setFilter] = useState<ViewFilter>('all');
  const [pos, setPos] = useState(0);
  const [scroll, setScroll] = useState(0);
  const [votes, setVotes] = useState<Map<string, string | null>>(new Map());
  const [status, setStatus] = useState('');

  const shown = useMemo(() => cases.filter((c) => keepCase(c, filter)), [cases, filter]);
  const at = Math.min(pos, Math.max(0, shown.length - 1));
  const current = shown[at];
  const key = current ? `${current.id}\u0000${current.turn}` : '';
  const lines = useMemo(() => (current ? caseLines(current, width, votes.get(key)) : []), [current, width, votes, key]);
  const maxScroll = Math.max(0, lines.length - height);
  const top = Math.min(scroll, maxScroll);

  const go = (to: number) => {
    setPos(Math.max(0, Math.min(shown.length - 1, to)));
    setScroll(0);
    setStatus('');
  };
  const vote = (winner: string | null) => {
    if (!current) return;
    onVote(current, winner).then(
      () => {
        setVotes((v) => new Map(v).set(key, winner));
        setStatus(winner ? `voted: ${neutralizeLine(winner)}` : 'voted: none was good');
      },
      (err: Error) => setStatus(`vote not saved: ${neutralizeLine(err.message)}`),
    );
  };

  useInput(
    (input, k) => {
      if (input === 'q' || k.escape || (k.ctrl && input === 'c')) return onExit();
      if (k.rightArrow || input === 'n' || input === 'l') return go(at + 1);
      if (k.leftArrow || input === 'p' || input === 'h') return go(at - 1);
      if (k.downArrow || input === 'j') return setScroll(Math.min(maxScroll, top + 1));
      if (k.upArrow || input === 'k') return setScroll(Math.max(0, top - 1));
      if (k.pageDown || input === ' ') return setScroll(Math.min(maxScroll, top + height - 1));
      if (k.pageUp) return setScroll(Math.max(0, top - height + 1));
      if (input === 'f' || input === 'd') {
        const next: ViewFilter = input === 'f' ? (filter === 'failed' ? 'all' : 'failed') : filter === 'disagreements' ? 'all' : 'disagreements';
        setFilter(next);
        setPos(0);
        setScroll(0);
        setStatus(`filter: ${next}`);
        return;
      }
      if (input === '0') return vote(null);
      const n = Number(input);
      if (current && Number.isInteger(n) && n >= 1 && n <= current.answers.length) vote(current.answers[n - 1].model);
    },
    { isActive: interactive },
  );

  if (!current) {
    return (
      <Box flexDirection="column">
        <Text>{`mmr report · ${neutralizeLine(title)} · no case matches the filter "${filter}"`}</Text>
        <Text dimColor>f failed · d disagreements · q quit</Text>
      </Box>
    );
  }
  const head = `mmr report · ${neutralizeLine(title)} · case ${at + 1}/${shown.length}${filter === 'all' ? '' : ` (${filter})`}`;
  const sub = `${neutralizeLine(current.id)}${current.turn > 1 ? ` · turn ${current.turn}` : ''} · ${neutralizeLine(current.where)}${current.tags.length ? ` · ${current.tags.map(neutralizeLine).join(', ')}` : ''}`;
  return (
    <Box flexDirection="column">
      <Text bold>{head.slice(0, width)}</Text>
      <Text color="cyan">{sub.slice(0, width)}</Text>
      <Box flexDirection="column" height={height}>
        {lines.slice(top, top + height).map((l, i) => (
          <Text key={top + i} color={l.color} bold={l.bold} dimColor={l.dim}>
            {l.text || ' '}
          </Text>
        ))}
      </Box>
      <Text dimColor>{`←/→ case · ↑/↓ scroll${maxScroll ? ` (${top + 1}-${Math.min(lines.length, top + height)}/${lines.length})` : ''} · 1-${current.answers.length} vote · 0 none good · f failed · d disagreements · q quit`.slice(0, width)}</Text>
      <Text color="green">{status || ' '}</Text>
    </Box>
  );
}
