import { poll } from '../../src/wait.js';

/**
 * Waits until `probe` returns something other than `undefined` (checked every `intervalMs`), and
 * fails naming `what` when `timeoutMs` passes: the tests' one way to wait, instead of sleeping.
 */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  return poll(probe, { what, timeoutMs, intervalMs });
}
