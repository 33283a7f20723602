/**
 * Resolves once `check` holds, or rejects after `ms`. For conditions that raise no event, such
 * as "every process of a group has exited" (a signalled process needs a moment to be scheduled
 * and die); never a stand-in for an event that exists.
 */
export async function until(check: () => boolean, ms: number, what = 'condition'): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`${what}: still not true after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
