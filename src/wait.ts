import { KfeedError } from './errors.js';

/**
 * Every wait in kfeed goes through here, so that Ctrl-C and SIGTERM stop all of them the same
 * way: the signal (the command's `ctx.abort.signal`) ends the wait at once with an
 * `interrupted` error, which the CLI turns into exit 130 / 143.
 */

/** The error a wait throws when its signal fires; its exit code follows the signal. */
export function interruptedError(signal: AbortSignal, what = 'stopped'): KfeedError {
  return new KfeedError(signal.reason === 'SIGTERM' ? 'terminated' : 'interrupted', what);
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw interruptedError(signal, what);
}

/** Resolves after `ms`; rejects with an `interrupted` error as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(interruptedError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(interruptedError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface PollOptions {
  /** What is awaited, for the time-out message: "broker 1 to serve". */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** The error when the deadline passes (default: a `connection` error naming `what`). */
  onTimeout?: (lastError: unknown) => KfeedError;
}

/**
 * Calls `check` until it returns a value other than `undefined`, every `intervalMs`, until the
 * deadline or the signal. A `KfeedError` thrown by `check` ends the wait (it is the answer);
 * any other error counts as "not yet" and is handed to `onTimeout` if the deadline passes.
 */
export async function poll<T>(check: () => Promise<T | undefined> | T | undefined, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  let lastError: unknown;
  for (;;) {
    throwIfAborted(options.signal);
    try {
      const value = await abortable(Promise.resolve(check()), options.signal);
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof KfeedError) throw error;
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw options.onTimeout
        ? options.onTimeout(lastError)
        : new KfeedError(
            'connection',
            `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}`,
          );
    }
    await sleep(Math.min(interval, left), options.signal);
  }
}

/** Settles with `work`, or rejects with an `interrupted` error as soon as `signal` aborts. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(interruptedError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interruptedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
