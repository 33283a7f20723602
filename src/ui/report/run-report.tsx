/**
 * Entry of the terminal report view, loaded by dynamic import() only when both ends are a
 * terminal. Resolves when the user quits (`q`), or on Ctrl-C (exit code 130).
 */
import React from 'react';
import { render } from 'ink';
import { ReportApp, type ReportAppProps } from './ReportApp.js';

export interface ReportIO {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export async function runReportView(props: Omit<ReportAppProps, 'onExit'>, io: ReportIO = {}): Promise<number> {
  let settle!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (settle = resolve));
  const onSigint = () => settle(130);
  process.on('SIGINT', onSigint);
  const instance = render(<ReportApp {...props} onExit={() => settle(0)} />, {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  try {
    return await exited;
  } finally {
    process.off('SIGINT', onSigint);
    instance.unmount();
    await instance.waitUntilExit().catch(() => {});
  }
}
