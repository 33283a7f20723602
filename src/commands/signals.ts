/**
 * Signal handling shared by the commands that call models (ask, bench): its own module so a
 * command that needs only this does not load ask's output and terminal code.
 */
import { EXIT } from '../core/errors.js';

/**
 * Aborts every request on SIGINT/SIGTERM. The first signal cancels and lets the writers finish
 * what they have; a second one exits at once.
 */
export function trapSignals(controller: AbortController): { signal: () => NodeJS.Signals | null; release: () => void } {
  let got: NodeJS.Signals | null = null;
  const on = (sig: NodeJS.Signals) => {
    if (got) process.exit(sig === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM);
    got = sig;
    controller.abort(sig);
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: () => got,
    release: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
