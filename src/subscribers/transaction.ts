import { KfeedError, messageOf } from '../errors.js';

/**
 * How a step is taken back: `run` undoes it and `what` says what was undone; or `cannot` says
 * why it stays (a local CA's certificate cannot be revoked: it keeps no list).
 */
export type Undo = { what: string; run: () => Promise<void> } | { cannot: string };

/**
 * Called after every step that can be undone, with the step's id. Tests pass one that throws,
 * to check that each step is undone exactly; commands never pass one.
 */
export type StepHook = (step: string) => void | Promise<void>;

/**
 * A failed step, with what was undone. Keeps the kind (and so the exit code) of the cause,
 * so "topic does not exist" stays a not-found and "CA refused" stays an AWS error.
 */
function failedAt(step: string, cause: KfeedError, undone: string[], kept: string[], notUndone: string[]): KfeedError {
  const tail = [
    ...(undone.length ? [`undone: ${undone.join(', ')}`] : []),
    ...kept,
    ...(notUndone.length ? [`NOT undone: ${notUndone.join('; ')}`] : []),
  ];
  const text = tail.length ? tail.join('; ') : 'nothing had been changed';
  return new KfeedError(cause.kind, `${step} failed: ${cause.message} (${text})`, { hint: cause.hint, cause });
}

/** Runs steps in order; if one fails, the undo actions of those that succeeded run in reverse. */
export class Transaction {
  private readonly undos: Undo[] = [];

  constructor(
    private readonly translate: (error: unknown) => KfeedError,
    private readonly afterStep?: StepHook,
  ) {}

  /**
   * Runs `work` as the step `id` (described as `name` in errors). `undo`, given the step's
   * value, says how to take it back; a step without one is the commit point or changes nothing.
   */
  async step<T>(id: string, name: string, work: () => Promise<T>, undo?: (value: T) => Undo): Promise<T> {
    let value: T;
    try {
      value = await work();
    } catch (error) {
      throw await this.rollback(name, error);
    }
    if (undo) {
      this.undos.push(undo(value));
      try {
        await this.afterStep?.(id);
      } catch (error) {
        throw await this.rollback(`the step after ${name}`, error);
      }
    }
    return value;
  }

  private async rollback(name: string, error: unknown): Promise<KfeedError> {
    const undone: string[] = [];
    const kept: string[] = [];
    const notUndone: string[] = [];
    for (const undo of this.undos.splice(0).reverse()) {
      if ('cannot' in undo) {
        kept.push(undo.cannot);
        continue;
      }
      try {
        await undo.run();
        undone.push(undo.what);
      } catch (undoError) {
        notUndone.push(`${undo.what} (${messageOf(undoError)})`);
      }
    }
    return failedAt(name, this.translate(error), undone, kept, notUndone);
  }
}
