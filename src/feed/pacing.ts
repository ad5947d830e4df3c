import { KfeedError } from '../errors.js';

/**
 * `--rate` means records per second wherever it appears (produce, demo, bench): the number of
 * records that should have gone out `elapsedMs` after the start, the first one at once.
 * Rate 0 means unthrottled (Infinity).
 */
export function recordsDue(elapsedMs: number, ratePerSecond: number): number {
  if (!(ratePerSecond > 0)) return Infinity;
  return Math.floor((Math.max(0, elapsedMs) * ratePerSecond) / 1000) + 1;
}

/** Milliseconds after the start at which record number `index` (0-based) is due. */
export function dueAtMs(index: number, ratePerSecond: number): number {
  return ratePerSecond > 0 ? (index * 1000) / ratePerSecond : 0;
}

/** The producer acknowledgement settings as flags give them: `all`, `1` or `0`. */
export interface AcksChoice {
  acks: 'all' | '1' | '0';
  idempotent: boolean;
}

/**
 * One rule for produce and bench: idempotent delivery always waits for every in-sync replica,
 * so a weaker `--acks` needs `--no-idempotent`. Returns the producer's acks value.
 */
export function producerAcks(choice: AcksChoice): -1 | 0 | 1 {
  if (choice.idempotent && choice.acks !== 'all') {
    const hint = 'idempotent delivery always waits for all in-sync replicas';
    throw new KfeedError('usage', `--acks ${choice.acks} needs --no-idempotent`, { hint });
  }
  return choice.acks === 'all' ? -1 : (Number(choice.acks) as 0 | 1);
}
