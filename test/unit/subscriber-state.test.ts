import { describe, expect, it } from 'vitest';
import type { AclBinding } from '../../src/kafka/acls.js';
import { RECORD_FORMAT, type SubscriberCertificate, type SubscriberRecord } from '../../src/subscribers/registry.js';
import {
  currentCertificate,
  daysLeftOf,
  hoursLeftOf,
  stateOf,
  subscriberLag,
  unknownPrincipals,
} from '../../src/subscribers/state.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

function certificate(serial: string, from: number, to: number, extra: Partial<SubscriberCertificate> = {}) {
  return {
    serialNumber: serial,
    notBefore: at(from),
    notAfter: at(to),
    fingerprintSha256: serial,
    ca: 'ca',
    issuedAt: at(from),
    ...extra,
  };
}

function record(certificates: SubscriberCertificate[], extra: Partial<SubscriberRecord> = {}): SubscriberRecord {
  return {
    format: RECORD_FORMAT,
    name: 'desk',
    principal: 'User:CN=desk',
    role: 'consumer',
    topics: ['quote'],
    groupPrefix: 'desk-',
    certificates,
    createdAt: at(-100),
    createdBy: 'op',
    updatedAt: at(-100),
    updatedBy: 'op',
    ...extra,
  };
}

describe('a subscriber: its current certificate, days left and state', () => {
  it('the current certificate is the usable one that lasts longest; revoked or not-yet-valid ones only when none is usable', () => {
    const old = certificate('01', -300, 65);
    const renewed = certificate('02', -1, 299);
    const future = certificate('03', 2, 400);
    const revoked = certificate('04', -10, 500, { revokedAt: at(-5) });
    expect(currentCertificate(record([old, renewed, future, revoked]), NOW)?.serialNumber).toBe('02');
    expect(currentCertificate(record([renewed, old]), NOW)?.serialNumber).toBe('02');
    // A certificate valid from this very moment is usable.
    expect(currentCertificate(record([old, certificate('05', 0, 100)]), NOW)?.serialNumber).toBe('05');
    expect(currentCertificate(record([revoked, future]), NOW)?.serialNumber).toBe('04');
    expect(currentCertificate(record([]), NOW)).toBeNull();
    // Of two that end together, the first listed (the one recorded first) stays current.
    const twin = certificate('06', -1, 299);
    expect(currentCertificate(record([renewed, twin]), NOW)?.serialNumber).toBe('02');
  });

  it('days left: whole days, negative once ended, null without a certificate', () => {
    expect(daysLeftOf(certificate('01', -1, 30), NOW)).toBe(30);
    expect(daysLeftOf(certificate('01', -1, 29.9), NOW)).toBe(29);
    expect(daysLeftOf(certificate('01', -10, -0.5), NOW)).toBe(-1);
    expect(daysLeftOf(null, NOW)).toBeNull();
    expect(hoursLeftOf(certificate('01', -1, 0.5), NOW)).toBe(12);
    expect(hoursLeftOf(certificate('01', -1, 1 / 24 - 1e-9), NOW)).toBe(0);
    expect(hoursLeftOf(certificate('01', -10, -0.01), NOW)).toBe(-1);
    expect(hoursLeftOf(null, NOW)).toBeNull();
  });

  it('state: removed, expired (ended, revoked or none), expiring within the days given, else active', () => {
    const state = (cert: SubscriberCertificate | null, extra: Partial<SubscriberRecord> = {}) =>
      stateOf(record(cert ? [cert] : [], extra), cert, NOW, 30);
    expect(state(certificate('01', -1, 200))).toBe('active');
    expect(state(certificate('01', -1, 30))).toBe('expiring');
    expect(state(certificate('01', -1, 30.01))).toBe('active');
    expect(state(certificate('01', -1, 1))).toBe('expiring');
    expect(state(certificate('01', -100, 0))).toBe('expired');
    expect(state(certificate('01', -100, -1))).toBe('expired');
    expect(state(certificate('01', -1, 200, { revokedAt: at(-1) }))).toBe('expired');
    expect(state(null)).toBe('expired');
    expect(state(certificate('01', -1, 200), { removedAt: at(-1) })).toBe('removed');
    expect(state(null, { removedAt: at(-1), auth: 'iam' })).toBe('removed');
    // An IAM client has no certificate: it is active while its policy is attached.
    expect(state(null, { auth: 'iam' })).toBe('active');
    expect(state(certificate('01', -100, -1), { auth: 'iam' })).toBe('expired');
  });
});

describe("a subscriber's lag and the ACLs nobody owns", () => {
  it('lag: the group furthest behind of those that committed, not the sum; null (not 0) without commits', () => {
    const group = (name: string, lag: number | null, lagSeconds: number | null) => ({
      group: name,
      state: 'Stable',
      members: 1,
      lag,
      lagSeconds,
    });
    expect(subscriberLag([])).toEqual({ lag: null, lagGroup: null, lagSeconds: null });
    expect(subscriberLag([group('a', null, null)])).toEqual({ lag: null, lagGroup: null, lagSeconds: null });
    expect(subscriberLag([group('a', 4, 2.5), group('b', 6, null), group('c', null, null)])).toEqual({
      lag: 6,
      lagGroup: 'b',
      lagSeconds: 2.5,
    });
    expect(subscriberLag([group('a', 6, 1), group('b', 6, 9)])).toEqual({ lag: 6, lagGroup: 'a', lagSeconds: 9 });
    expect(subscriberLag([group('a', 0, 0)])).toEqual({ lag: 0, lagGroup: 'a', lagSeconds: 0 });
  });

  it('ACLs of principals that are no active subscriber, grouped by principal in listing order', () => {
    const acl = (principal: string, name: string) => ({ principal, resourceName: name }) as unknown as AclBinding;
    const acls = [
      acl('User:CN=desk', 'quote'),
      acl('User:CN=old', 'quote'),
      acl('User:CN=x', 't'),
      acl('User:CN=old', 'trade'),
    ];
    expect(unknownPrincipals(acls, new Set(['User:CN=desk']))).toEqual([
      { principal: 'User:CN=old', acls: [acls[1], acls[3]] },
      { principal: 'User:CN=x', acls: [acls[2]] },
    ]);
    expect(unknownPrincipals(acls, new Set(['User:CN=desk', 'User:CN=old', 'User:CN=x']))).toEqual([]);
    expect(unknownPrincipals([], new Set())).toEqual([]);
  });
});
