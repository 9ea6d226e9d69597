/**
 * Resolves once `check` is true (polled every 20 ms), or rejects naming `what` after `ms`.
 * Tests wait for a state, never for a number of polls: a fixed count of short sleeps is a
 * deadline of a second or two, which a busy two-core machine misses (issue 23).
 */
export async function until(check: () => boolean | Promise<boolean>, ms = 30_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
