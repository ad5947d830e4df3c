import { describe, expect, it } from 'vitest';
import { expectKfeedError } from '../helpers/assert.js';
import { quotaRemoval, quotaUndo, quotaUserOf } from '../../src/kafka/quotas.js';
import { expectedBindings } from '../../src/subscribers/acls.js';
import {
  appliedQuota,
  byteRateText,
  parseByteRate,
  parseRequestPercent,
  quotaDiffers,
  quotaText,
  subscriberQuotaOf,
  userQuotaChange,
} from '../../src/subscribers/quota.js';
import { parseSubscriberRecord, RECORD_FORMAT, type SubscriberRecord } from '../../src/subscribers/registry.js';
import { stateOf } from '../../src/subscribers/state.js';

describe('parseByteRate', () => {
  it.each([
    ['1', 1],
    ['1048576', 1048576],
    ['512KiB', 524288],
    ['512 KiB', 524288],
    ['2MiB', 2097152],
    ['2mib', 2097152],
    ['1.5MiB', 1572864],
    ['0.5KiB', 512],
    ['1GiB', 1073741824],
    ['100B', 100],
    [' 64kib ', 65536],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseByteRate(text)).toBe(bytes);
  });

  it.each([
    ['0', /: a quota of 0 stops the client: suspend it instead$/],
    ['0KiB', /a quota of 0 stops the client/],
    ['-5', /"-5": not a positive number of bytes$/],
    ['-1MiB', /not a positive number of bytes/],
    ['10MB', /"10MB": "MB" is not a unit kfeed knows$/],
    ['10KB', /"KB" is not a unit kfeed knows/],
    ['10k', /"k" is not a unit kfeed knows/],
    ['1.5', /not a whole number of bytes/],
    ['0.001KiB', /^--max-bytes-per-second "0.001KiB": not a whole number of bytes$/],
    ['', /not a positive number of bytes/],
    ['MiB', /not a positive number of bytes/],
    ['1e6', /not a positive number of bytes/],
    ['99999999999GiB', /not a whole number of bytes/],
  ])('%j is refused', (text, message) => {
    expectKfeedError(() => parseByteRate(text), 'usage', message, { hint: /KiB, MiB or GiB/ });
  });
});

describe('parseRequestPercent', () => {
  it.each([
    ['25', 25],
    ['12.5', 12.5],
    ['200', 200],
    ['10000', 10000],
  ])('%s', (text, value) => expect(parseRequestPercent(text)).toBe(value));

  it.each(['0', '-1', 'abc', '25%', '10001', ''])('%j is refused', (text) => {
    expectKfeedError(() => parseRequestPercent(text), 'usage', /is not a percentage above 0$/);
  });
});

describe('quota changes', () => {
  it("a consumer's byte rate is consumer_byte_rate, a producer's producer_byte_rate; null removes", () => {
    expect(userQuotaChange('consumer', { maxBytesPerSecond: 100 })).toEqual({ consumer_byte_rate: 100 });
    expect(userQuotaChange('producer', { maxBytesPerSecond: null, maxRequestPercent: 5 })).toEqual({
      producer_byte_rate: null,
      request_percentage: 5,
    });
    expect(userQuotaChange('consumer', {})).toEqual({});
  });

  it('the undo of a change puts back exactly the keys it touched', () => {
    expect(quotaUndo({ consumer_byte_rate: 10, request_percentage: 5 }, { consumer_byte_rate: 20 })).toEqual({
      consumer_byte_rate: 10,
    });
    expect(quotaUndo({}, { consumer_byte_rate: 20, request_percentage: null })).toEqual({
      consumer_byte_rate: null,
      request_percentage: null,
    });
    expect(quotaRemoval({ producer_byte_rate: 1, request_percentage: 2 })).toEqual({
      producer_byte_rate: null,
      request_percentage: null,
    });
  });

  it("the record's quota after a change; nothing left is no quota", () => {
    expect(appliedQuota(undefined, { maxBytesPerSecond: 5 })).toEqual({ maxBytesPerSecond: 5 });
    expect(appliedQuota({ maxBytesPerSecond: 5 }, { maxRequestPercent: 10 })).toEqual({
      maxBytesPerSecond: 5,
      maxRequestPercent: 10,
    });
    expect(appliedQuota({ maxBytesPerSecond: 5 }, { maxBytesPerSecond: null })).toBeUndefined();
  });

  it('what the cluster holds, by role', () => {
    const held = { consumer_byte_rate: 100, producer_byte_rate: 7 };
    expect(subscriberQuotaOf('consumer', held)).toEqual({ maxBytesPerSecond: 100, maxRequestPercent: null });
    expect(subscriberQuotaOf('producer', held)).toEqual({ maxBytesPerSecond: 7, maxRequestPercent: null });
  });

  it('the quota user entity is the principal without User:', () => {
    expect(quotaUserOf('User:CN=acme,O=Acme\\, Inc.')).toBe('CN=acme,O=Acme\\, Inc.');
    expectKfeedError(() => quotaUserOf('Group:x'), 'usage', /not on Group:x$/);
  });

  it('a quota in force that is not the recorded one differs', () => {
    const none = { maxBytesPerSecond: null, maxRequestPercent: null };
    expect(quotaDiffers(undefined, none)).toBe(false);
    expect(quotaDiffers({ maxBytesPerSecond: 5 }, { ...none, maxBytesPerSecond: 5 })).toBe(false);
    expect(quotaDiffers({ maxBytesPerSecond: 5 }, none)).toBe(true);
    expect(quotaDiffers(undefined, { ...none, maxRequestPercent: 10 })).toBe(true);
    expect(
      quotaDiffers({ maxBytesPerSecond: 5, maxRequestPercent: 10 }, { maxBytesPerSecond: 5, maxRequestPercent: 20 }),
    ).toBe(true);
  });

  it('says rates as people read them', () => {
    expect(byteRateText(1048576)).toBe('1 MiB/s');
    expect(byteRateText(1536 * 1024)).toBe('1536 KiB/s');
    expect(byteRateText(1000)).toBe('1000 B/s');
    expect(quotaText({ maxBytesPerSecond: 262144, maxRequestPercent: 25 })).toBe('256 KiB/s, 25 % request time');
    expect(quotaText({ maxBytesPerSecond: null, maxRequestPercent: null })).toBe('none');
  });
});

describe('suspension', () => {
  const record: SubscriberRecord = {
    format: RECORD_FORMAT,
    name: 'desk',
    principal: 'User:CN=desk',
    role: 'consumer',
    topics: ['quote'],
    groupPrefix: 'desk-',
    certificates: [],
    createdAt: '2026-01-01T00:00:00Z',
    createdBy: 'op',
    updatedAt: '2026-01-01T00:00:00Z',
    updatedBy: 'op',
  };
  const suspended = { ...record, suspended: { at: '2026-02-01T00:00:00Z', by: 'op', reason: 'unpaid' } };

  it('a suspended subscriber should hold no ACLs; an active one its role', () => {
    expect(expectedBindings(record)).toHaveLength(3);
    expect(expectedBindings(suspended)).toEqual([]);
  });

  it('its state is suspended, whatever its certificate; removed comes first', () => {
    expect(stateOf(suspended, null, new Date(), 30)).toBe('suspended');
    expect(stateOf({ ...suspended, removedAt: 'x', removedBy: 'op' }, null, new Date(), 30)).toBe('removed');
  });

  it('a record whose suspension or quota cannot be read is named', () => {
    const parse = (extra: object) => () => parseSubscriberRecord('desk', JSON.stringify({ ...record, ...extra }), 't');
    expect(parse({ suspended: suspended.suspended })()).toMatchObject({ suspended: { reason: 'unpaid' } });
    expectKfeedError(parse({ suspended: { at: 'x' } }), 'verification', /suspended does not say when and by whom/);
    expectKfeedError(parse({ quota: { maxBytesPerSecond: 0 } }), 'verification', /quota is not a set of positive/);
    expectKfeedError(parse({ quota: 'fast' }), 'verification', /quota is not a set of positive/);
  });
});
