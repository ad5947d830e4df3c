/**
 * The one error type kfeed shows to people. Domain code throws it with a message that says
 * what went wrong and a hint that says what to do; the CLI prints both on one line and exits
 * with the code of its class. Anything else that escapes is a bug and exits with 1.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  connection: 4,
  tls: 5,
  denied: 6,
  notFound: 7,
  conflict: 8,
  prerequisite: 9,
  aws: 10,
  verification: 11,
  cancelled: 12,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export class KfeedError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  readonly kind: ExitCodeName;

  constructor(kind: ExitCodeName, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KfeedError';
    this.kind = kind;
    this.exitCode = ExitCode[kind];
    this.hint = options.hint;
  }

  /** The single line printed for this error. */
  get line(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

export function usageError(message: string, hint?: string): KfeedError {
  return new KfeedError('usage', message, { hint });
}

/** The message of anything thrown, for wrapping into a KfeedError. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
