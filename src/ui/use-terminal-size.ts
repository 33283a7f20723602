import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The terminal's size, updated on resize so the grid re-lays itself out. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  // Pipes and test streams have no size; 80×24 is what a terminal defaults to.
  const read = (): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    let columns = stdout.columns;
    const onResize = () => {
      // Narrowing makes the terminal re-wrap the old frame onto more lines than Ink erases,
      // leaving debris above the UI; clear the screen (not the scrollback) and draw afresh.
      if (stdout.isTTY && stdout.columns < columns) stdout.write('\u001b[2J\u001b[H');
      columns = stdout.columns;
      setSize(read());
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}
