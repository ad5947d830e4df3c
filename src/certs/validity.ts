/**
 * What a CA issued against what was asked: AWS Private CA may issue another validity than the
 * one requested (a CA's own end cuts it; moto ignores the request and issues 365 days), so
 * kfeed compares the certificate's notAfter with the request and says when they differ.
 */

const DAY_MS = 86_400_000;

export interface ValidityMismatch {
  requestedDays: number;
  /** When the certificate should end: the time of the request plus the days asked for. */
  requestedNotAfter: string;
  notAfter: string;
  /** The issued validity in whole days from the request. */
  issuedDays: number;
  /** Shorter than asked, and ending with its CA (within a minute): the CA's end cut it. */
  endsWithCa: boolean;
}

/** The difference, when the issued end is more than a day from the requested one; else undefined. */
export function validityMismatch(input: {
  requestedDays: number;
  /** When the certificate was requested (ms since the epoch). */
  requestedAt: number;
  notAfter: string;
  /** The issuing CA certificate's end. */
  caNotAfter?: string;
}): ValidityMismatch | undefined {
  const requested = input.requestedAt + input.requestedDays * DAY_MS;
  const issued = Date.parse(input.notAfter);
  if (Math.abs(issued - requested) <= DAY_MS) return undefined;
  const caEnd = input.caNotAfter === undefined ? NaN : Date.parse(input.caNotAfter);
  return {
    requestedDays: input.requestedDays,
    requestedNotAfter: new Date(requested).toISOString(),
    notAfter: new Date(issued).toISOString(),
    issuedDays: Math.round((issued - input.requestedAt) / DAY_MS),
    endsWithCa: issued < requested && Math.abs(issued - caEnd) <= 60_000,
  };
}

/** The warning for a mismatch, naming who issued it. */
export function validityMismatchText(mismatch: ValidityMismatch, issuer: string): string {
  const why = mismatch.endsWithCa ? ': it ends with the CA' : '';
  return (
    `${issuer} issued the certificate until ${mismatch.notAfter} (${mismatch.issuedDays} days), ` +
    `not the ${mismatch.requestedDays} days asked for (until ${mismatch.requestedNotAfter})${why}`
  );
}
