// Types for the parts of serve-load.mjs that TypeScript benches (serve-engine.ts) import.
/** CPU ms (user + system) the process has used so far (its threads' run times). */
export function cpuMs(pid: number): number;
/** Read and write system calls the process has made so far. */
export function syscalls(pid: number): { reads: number; writes: number };
