import { describe, expect, it } from 'vitest';
import { KfeedError } from '../../src/errors.js';
import type { AclBinding } from '../../src/kafka/acls.js';
import { aclPhrase } from '../../src/render/acls.js';
import { lagText, timeLeftText } from '../../src/render/subscribers.js';
import { aclDrift, bindingKey, subscriberBindings } from '../../src/subscribers/acls.js';
import { historyTopicOf, parseSubscriberEvent } from '../../src/subscribers/history.js';
import {
  checkContact,
  checkGroupPrefix,
  parseSubscriberRecord,
  type SubscriberRecord,
} from '../../src/subscribers/registry.js';
import { Transaction } from '../../src/subscribers/transaction.js';
import { expectKfeedError } from '../helpers/assert.js';

const principal = 'User:CN=acme';
const acl = (over: Partial<AclBinding>): AclBinding => ({
  principal,
  host: '*',
  operation: 'READ',
  permission: 'ALLOW',
  resourceType: 'TOPIC',
  resourceName: 'quote',
  patternType: 'LITERAL',
  ...over,
});

describe("a subscriber's ACLs", () => {
  const role = subscriberBindings({ principal, role: 'consumer', topics: ['quote'], groupPrefix: 'acme-' });

  it('a consumer: READ and DESCRIBE its topics, READ groups with its prefix; a producer: WRITE and DESCRIBE; IAM: none', () => {
    expect(role.map(aclPhrase)).toEqual(['READ topic quote', 'DESCRIBE topic quote', 'READ group acme-*']);
    expect(role.every((b) => b.principal === principal && b.host === '*' && b.permission === 'ALLOW')).toBe(true);
    const producer = subscriberBindings({ principal, role: 'producer', topics: ['a', 'b'], groupPrefix: 'x-' });
    expect(producer.map(aclPhrase)).toEqual(['WRITE topic a', 'DESCRIBE topic a', 'WRITE topic b', 'DESCRIBE topic b']);
    expect(subscriberBindings({ principal, role: 'consumer', topics: ['a'], groupPrefix: 'x-', auth: 'iam' })).toEqual(
      [],
    );
  });

  it('drift: missing ones, and every other ACL of the principal (other host, DENY, another resource) is excess', () => {
    const held = [
      role[0],
      role[2],
      acl({ resourceName: 'trade' }),
      acl({ host: '10.0.0.1', operation: 'DESCRIBE' }),
      acl({ permission: 'DENY', operation: 'WRITE' }),
      acl({ resourceType: 'GROUP', resourceName: '*' }),
      acl({ principal: 'User:CN=someone else', resourceName: 'trade' }),
    ];
    const drift = aclDrift(role, held, principal);
    expect(drift.missing).toEqual([role[1]]);
    expect(drift.excess.map(aclPhrase)).toEqual([
      'READ topic trade',
      'DESCRIBE topic quote from 10.0.0.1',
      'DENY WRITE topic quote',
      'READ group *',
    ]);
    expect(aclDrift(role, role, principal)).toEqual({ missing: [], excess: [] });
    expect(new Set(role.map(bindingKey)).size).toBe(3);
  });

  it('a group prefix: never empty, never a wildcard, no spaces', () => {
    expect(checkGroupPrefix('acme-')).toBe('acme-');
    for (const bad of ['', '*', 'acme*', 'ac me', 'x'.repeat(250)])
      expectKfeedError(() => checkGroupPrefix(bad), 'usage', /is not a valid group prefix/, { hint: /no "\*"/ });
  });
});

describe("a subscriber's contact", () => {
  it('is loosely an e-mail address: something@domain.tld without spaces', () => {
    for (const good of ['ops@acme.com', 'feed+renewals@mail.acme.co.uk', "o'brien@x.io"])
      expect(checkContact(good)).toBe(good);
    for (const bad of [
      'acme',
      'ops@',
      '@acme.com',
      'ops@acme',
      'ops @acme.com',
      'ops@acme.',
      `${'a'.repeat(250)}@x.io`,
    ])
      expectKfeedError(() => checkContact(bad), 'usage', /is not an e-mail address/, { hint: /optional/ });
  });
});

describe('how people read a subscriber', () => {
  it('time left: days, hours under a day, "under an hour", expired', () => {
    expect(timeLeftText({ daysLeft: 3, hoursLeft: 80 })).toBe('3 day(s)');
    expect(timeLeftText({ daysLeft: 0, hoursLeft: 23 })).toBe('23 hour(s)');
    expect(timeLeftText({ daysLeft: 0, hoursLeft: 0 })).toBe('under an hour');
    expect(timeLeftText({ daysLeft: -1, hoursLeft: -2 })).toBe('none (expired)');
    expect(timeLeftText({ daysLeft: null, hoursLeft: null })).toBe('no certificate');
  });

  it('lag: the number, "no commits" for groups that committed nothing, "-" without groups', () => {
    const group = { group: 'g', state: 'Empty', members: 0, lag: null, lagSeconds: null };
    expect(lagText({ lag: 0, groups: [{ ...group, lag: 0 }] })).toBe('0');
    expect(lagText({ lag: null, groups: [group] })).toBe('no commits');
    expect(lagText({ lag: null, groups: [] })).toBe('-');
  });
});

describe('the transaction of a change', () => {
  const translate = (error: unknown) =>
    error instanceof KfeedError ? error : new KfeedError('internal', (error as Error).message);

  it('undoes the steps before a failure in reverse, says what it could not take back, and keeps the cause kind', async () => {
    const done: string[] = [];
    const tx = new Transaction(translate);
    await tx.step(
      'a',
      'step a',
      async () => 1,
      () => ({ cannot: 'certificate 1 not revocable' }),
    );
    await tx.step(
      'b',
      'step b',
      async () => 2,
      () => ({ what: 'b undone', run: async () => void done.push('b') }),
    );
    await tx.step(
      'c',
      'step c',
      async () => 3,
      () => ({ what: 'c undone', run: async () => void done.push('c') }),
    );
    const failure = tx.step('d', 'step d', async () => {
      throw new KfeedError('aws', 'CA refused', { hint: 'ask the CA' });
    });
    await expect(failure).rejects.toMatchObject({
      kind: 'aws',
      message: 'step d failed: CA refused (undone: c undone, b undone; certificate 1 not revocable)',
      hint: 'ask the CA',
    });
    expect(done).toEqual(['c', 'b']);
  });

  it('a failed undo is named, and the hook after a step fails as "the step after" it', async () => {
    const tx = new Transaction(translate, (step) => {
      if (step === 'b') throw new Error('injected');
    });
    await tx.step(
      'a',
      'step a',
      async () => 1,
      () => ({ what: 'a undone', run: async () => Promise.reject(new Error('gone')) }),
    );
    await expect(
      tx.step(
        'b',
        'step b',
        async () => 2,
        () => ({ what: 'b undone', run: async () => undefined }),
      ),
    ).rejects.toThrow('the step after step b failed: injected (undone: b undone; NOT undone: a undone (gone))');
    await expect(new Transaction(translate).step('x', 'step x', () => Promise.reject(new Error('no')))).rejects.toThrow(
      'step x failed: no (nothing had been changed)',
    );
  });
});

describe('records and history events kfeed cannot read are named, never guessed at', () => {
  const record: SubscriberRecord = {
    format: 1,
    name: 'acme',
    principal,
    role: 'consumer',
    topics: ['quote'],
    groupPrefix: 'acme-',
    certificates: [],
    createdAt: 't',
    createdBy: 'User:op',
    updatedAt: 't',
    updatedBy: 'User:op',
  };

  it('a generation must be a whole number from 1; previous generations a list', () => {
    const parse = (over: object) => () => parseSubscriberRecord('acme', JSON.stringify({ ...record, ...over }), 'reg');
    expect(parse({ generation: 2, previousGenerations: [{ generation: 1, principal }] })()).toMatchObject({
      generation: 2,
    });
    expectKfeedError(parse({ generation: 0 }), 'verification', /generation 0 is not a whole number from 1/);
    expectKfeedError(parse({ previousGenerations: {} }), 'verification', /previousGenerations is not a list/);
  });

  it('a contact is text, the bundle brokers a list', () => {
    const parse = (over: object) => () => parseSubscriberRecord('acme', JSON.stringify({ ...record, ...over }), 'reg');
    expect(parse({ contact: 'ops@acme.com', bootstrap: ['b:9094'] })()).toMatchObject({ contact: 'ops@acme.com' });
    expectKfeedError(parse({ contact: 7 }), 'verification', /contact is not text/);
    expectKfeedError(parse({ bootstrap: 'b:9094' }), 'verification', /bootstrap is not a list of brokers/);
  });

  it('a history event: the history topic beside the registry, fields checked, the offset named', () => {
    expect(historyTopicOf('_kfeed_subscribers')).toBe('_kfeed_subscribers_history');
    const event = {
      format: 1,
      name: 'acme',
      generation: 1,
      action: 'add',
      at: 't',
      by: 'User:op',
      what: 'added',
      record,
    };
    expect(parseSubscriberEvent(JSON.stringify(event), 'h', '7')).toEqual(event);
    expectKfeedError(() => parseSubscriberEvent('{', 'h', '7'), 'verification', /event at offset 7 of h .*not JSON/);
    expectKfeedError(
      () => parseSubscriberEvent(JSON.stringify({ ...event, action: 'rename' }), 'h', '8'),
      'verification',
      /action rename is unknown/,
    );
    expectKfeedError(
      () => parseSubscriberEvent(JSON.stringify({ ...event, record: { ...record, role: 'admin' } }), 'h', '9'),
      'verification',
      /role admin is unknown/,
    );
  });
});
