import { useEffect, useRef, useState } from 'react';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * One spinner frame shared by every streaming pane, taken from the clock at render time. While
 * text streams, the throttled re-renders move it along for free; the timer only forces a render
 * when nothing else has for a while (waiting for a first token), so a spinner never adds frames
 * to a busy screen, where each one costs a full Ink redraw.
 */
export function useSpinner(active: boolean, intervalMs = 100): string {
  const [, force] = useState(0);
  const lastRender = useRef(0);
  lastRender.current = Date.now();
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      if (Date.now() - lastRender.current >= intervalMs) force((n) => n + 1);
    }, intervalMs);
    return () => clearInterval(t);
  }, [active, intervalMs]);
  return FRAMES[Math.floor(Date.now() / intervalMs) % FRAMES.length];
}
