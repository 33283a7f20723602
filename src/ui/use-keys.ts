import type { MutableRefObject } from 'react';
import { useInput, type Key } from 'ink';
import { useLatest } from './use-latest.js';

/** What has the keyboard: the columns, a full-screen answer, help, or one of the text panels. */
export type Mode = 'compare' | 'expand' | 'help' | 'input' | 'write' | 'rule';

export type KeyHandler = (input: string, key: Key) => void;

/** Modes in which a text panel (prompt, file name, rule dialog) takes the keys. */
const PANEL_MODES: ReadonlySet<Mode> = new Set(['input', 'write', 'rule']);

export interface KeyRoutes {
  mode: Mode;
  interactive: boolean;
  panes: number;
  /** The open text panel's handler, set by the panel as it renders. */
  panel: MutableRefObject<KeyHandler | null>;
  quit(code: number): void;
  setMode(m: Mode): void;
  setFocus(f: (prev: number) => number): void;
  /** 1–9 a column, 0 none good. */
  pick(n: number): void;
  scrollBy(delta: number | 'page-up' | 'page-down'): void;
  retry(): void;
  startWrite(): void;
  /** `f`: a follow-up prompt to every model. */
  followUp(): void;
  /** `n`: a new conversation. */
  newPrompt(): void;
  /** `m`: rendered Markdown ↔ source. */
  toggleRaw(): void;
  /** `t`: the models' reasoning shown ↔ collapsed. */
  toggleReasoning(): void;
}

/**
 * Every key of the UI goes through this one subscription, routed by the current mode. Ink
 * (re)subscribes useInput handlers in passive effects, which can run well after a render; with one
 * handler per panel, keys typed right after `n` went to nobody, or to the panel just closed. One
 * long-lived handler reading this render's state through a ref has no such gap.
 */
export function useKeys(keys: KeyRoutes): void {
  const latest = useLatest(keys);
  useInput(
    (input, key) => {
      const k = latest.current;
      // Ink's own Ctrl-C exit is off: ours cancels requests first and reports 130.
      if (key.ctrl && input === 'c') return k.quit(130);
      if (PANEL_MODES.has(k.mode)) return k.panel.current?.(input, key);
      if (input === 'q') return k.quit(0);
      if (k.mode === 'help') {
        if (key.escape || input === '?') k.setMode('compare');
        return;
      }
      if (key.upArrow) return k.scrollBy(-1);
      if (key.downArrow) return k.scrollBy(1);
      if (key.pageUp) return k.scrollBy('page-up');
      if (key.pageDown || input === ' ') return k.scrollBy('page-down');
      if (key.home) return k.scrollBy(-Number.MAX_SAFE_INTEGER);
      if (key.end) return k.scrollBy(Number.MAX_SAFE_INTEGER);
      if (input === 'w') return k.startWrite();
      if (input === 'm') return k.toggleRaw();
      if (input === 't') return k.toggleReasoning();
      if (k.mode === 'expand') {
        if (key.escape || input === 'e') k.setMode('compare');
        return;
      }
      const n = k.panes;
      if ((key.tab && !key.shift) || key.rightArrow) return k.setFocus((f) => (f + 1) % n);
      if ((key.tab && key.shift) || key.leftArrow) return k.setFocus((f) => (f - 1 + n) % n);
      if (/^[0-9]$/.test(input)) return k.pick(Number(input));
      if (input === 'r') return k.retry();
      if (input === 'n') return k.newPrompt();
      if (input === 'f') return k.followUp();
      if (input === 'e') return k.setMode('expand');
      if (input === '?') return k.setMode('help');
    },
    { isActive: keys.interactive },
  );
}
