import { useEffect, useRef, useState } from 'react';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * One spinner frame shared by every busy pane, taken from the clock at render time. While text
 * streams, the frames drawn for it move the spinner along for free; the timer forces a frame only
 * while some pane waits for its first token and nothing else has drawn for `intervalMs`, because
 * every frame is a full Ink redraw and a spinner is not worth a tenth of a core.
 */
export function useSpinner(waiting: boolean, intervalMs = 250): string {
  const [, force] = useState(0);
  const lastRender = useRef(0);
  lastRender.current = Date.now();
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => {
      if (Date.now() - lastRender.current >= intervalMs) force((n) => n + 1);
    }, intervalMs);
    return () => clearInterval(t);
  }, [waiting, intervalMs]);
  return FRAMES[Math.floor(Date.now() / 100) % FRAMES.length];
}
