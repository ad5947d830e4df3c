import { describe, expect, it } from 'vitest';
import { validityMismatch, validityMismatchText } from '../../src/certs/validity.js';

const DAY = 86_400_000;
const AT = Date.parse('2026-01-10T08:00:00Z');
const after = (ms: number) => new Date(AT + ms).toISOString();

describe('issued validity against the validity asked for', () => {
  it('within a day either way is what was asked', () => {
    for (const off of [0, DAY, -DAY, 3_600_000, -3_600_000])
      expect(
        validityMismatch({ requestedDays: 300, requestedAt: AT, notAfter: after(300 * DAY + off) }),
      ).toBeUndefined();
  });

  it('longer or shorter by more than a day is named, in days from the request', () => {
    expect(validityMismatch({ requestedDays: 300, requestedAt: AT, notAfter: after(365 * DAY) })).toEqual({
      requestedDays: 300,
      requestedNotAfter: after(300 * DAY),
      notAfter: after(365 * DAY),
      issuedDays: 365,
      endsWithCa: false,
    });
    expect(validityMismatch({ requestedDays: 300, requestedAt: AT, notAfter: after(301 * DAY + 1) })).toMatchObject({
      issuedDays: 301,
    });
    expect(validityMismatch({ requestedDays: 300, requestedAt: AT, notAfter: after(299 * DAY - 1) })).toMatchObject({
      issuedDays: 299,
    });
  });

  it('a shorter certificate that ends with its CA was cut by the CA; a longer one never is', () => {
    const cut = validityMismatch({
      requestedDays: 300,
      requestedAt: AT,
      notAfter: after(90 * DAY),
      caNotAfter: after(90 * DAY + 30_000),
    });
    expect(cut).toMatchObject({ issuedDays: 90, endsWithCa: true });
    expect(
      validityMismatch({ requestedDays: 300, requestedAt: AT, notAfter: after(90 * DAY), caNotAfter: after(91 * DAY) }),
    ).toMatchObject({ endsWithCa: false });
    // Within a minute either way of the CA's end counts; a minute and a second does not.
    const endingAt = (caOffsetMs: number) =>
      validityMismatch({
        requestedDays: 300,
        requestedAt: AT,
        notAfter: after(90 * DAY),
        caNotAfter: after(90 * DAY + caOffsetMs),
      })?.endsWithCa;
    expect([endingAt(60_000), endingAt(-60_000), endingAt(61_000), endingAt(-61_000)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(validityMismatch({ requestedDays: 300, requestedAt: AT, notAfter: after(90 * DAY) })?.endsWithCa).toBe(
      false,
    );
    expect(
      validityMismatch({
        requestedDays: 300,
        requestedAt: AT,
        notAfter: after(365 * DAY),
        caNotAfter: after(365 * DAY),
      }),
    ).toMatchObject({ endsWithCa: false });
    expect(validityMismatchText(cut!, 'arn:ca')).toBe(
      `arn:ca issued the certificate until ${after(90 * DAY)} (90 days), not the 300 days asked for (until ${after(300 * DAY)}): it ends with the CA`,
    );
    const longer = validityMismatch({ requestedDays: 300, requestedAt: AT, notAfter: after(365 * DAY) })!;
    expect(validityMismatchText(longer, 'moto')).toBe(
      `moto issued the certificate until ${after(365 * DAY)} (365 days), not the 300 days asked for (until ${after(300 * DAY)})`,
    );
  });
});
