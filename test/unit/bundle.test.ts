import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importProfile, parseProfileFile } from '../../src/config/profile-import.js';
import { ProfileStore } from '../../src/config/profiles.js';
import { renderBundle, topicRegex } from '../../src/subscribers/bundle.js';
import type { SubscriberCertificate, SubscriberRecord } from '../../src/subscribers/registry.js';
import { expectKfeedError } from '../helpers/assert.js';
import { tempDir } from '../helpers/env.js';

const certificate = (serialNumber: string, notAfter: string): SubscriberCertificate => ({
  serialNumber,
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter,
  fingerprintSha256: 'ab',
  ca: '/ca',
  issuedAt: '2026-12-04T10:00:00.000Z',
});
const record = (over: Partial<SubscriberRecord>): SubscriberRecord => ({
  format: 1,
  name: 'acme',
  principal: 'User:CN=acme',
  role: 'consumer',
  topics: ['quote.eu', 'trade'],
  groupPrefix: 'acme-',
  certificates: [certificate('0a1b', '2027-01-01T00:00:00.000Z')],
  createdAt: 't',
  createdBy: 'User:op',
  updatedAt: 't',
  updatedBy: 'User:op',
  ...over,
});
const readme = (over: Partial<SubscriberRecord>) =>
  renderBundle({ record: record(over), certificatePem: 'PEM', brokerCaPem: 'CA', bootstrap: ['b1:9094', 'b2:9094'] })[
    'README.md'
  ];

describe("a bundle's README, for someone who has never used the feed", () => {
  it('a consumer: kfeed, kcat and Java name every topic, read from the beginning for a new group, say how to start at the end', () => {
    const text = readme({});
    expect(text).toContain('kfeed profile import kfeed-profile.json --name feed\n');
    expect(text).toContain('kfeed consume quote.eu trade -g acme-1 --from-beginning --profile feed\n');
    expect(text).toContain('kcat -F kcat.conf -C -G acme-1 -X auto.offset.reset=earliest quote.eu trade\n');
    expect(text).toContain(
      "kafka-console-consumer.sh --bootstrap-server b1:9094,b2:9094 --include 'quote\\.eu|trade' --group acme-1 " +
        '--from-beginning --consumer.config client.properties\n',
    );
    expect(text).toMatch(/reads all your topics from the beginning when its group is new/);
    expect(text).toContain('To start at the end instead, use `-X auto.offset.reset=latest`.');
    expect(text.match(/To start at the end instead, leave out `--from-beginning`/g)).toHaveLength(2);
    expect(text).toContain('Certificate: serial `0a1b`, valid until 2027-01-01T00:00:00.000Z.');
    expect(text).not.toMatch(/renewal/);
  });

  it('one topic: Java names it with --topic; a producer gets produce lines and nothing about offsets', () => {
    expect(readme({ topics: ['quote'] })).toContain(' --topic quote --group acme-1 --from-beginning ');
    const producer = readme({ role: 'producer', topics: ['trade'] });
    expect(producer).toContain('kfeed produce -t trade --profile feed\n');
    expect(producer).toContain('kcat -F kcat.conf -P -t trade\n');
    expect(producer).not.toMatch(/beginning|auto\.offset\.reset/);
  });

  it('a renewal names the new serial and expiry and says it is one', () => {
    const text = readme({
      certificates: [certificate('01', '2027-01-01T00:00:00.000Z'), certificate('02', '2027-12-01T00:00:00.000Z')],
    });
    expect(text).toContain('Certificate: serial `02`, valid until 2027-12-01T00:00:00.000Z.');
    expect(text).toMatch(/This bundle is a renewal .*\nwith the key you made the new CSR with/);
  });

  it("Java's --include is a regex of whole names: dots are escaped", () => {
    expect(topicRegex(['a.b.c', 'd-e_f'])).toBe('a\\.b\\.c|d-e_f');
  });
});

describe('kfeed profile import: the file is checked, names and the default are kept', () => {
  const write = (dir: string, data: unknown) => {
    const file = path.join(dir, 'kfeed-profile.json');
    fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
    return file;
  };
  const parse = (data: unknown) => {
    const file = write(tempDir('kfeed-profile-import-'), data);
    return () => parseProfileFile(fs.readFileSync(file, 'utf8'), file);
  };

  it('refuses what is not a profile, one line each', () => {
    const not = /is not a kfeed profile: /;
    expectKfeedError(parse('{'), 'usage', new RegExp(`${not.source}it is not JSON`), { hint: /kfeed-profile\.json/ });
    expectKfeedError(parse([]), 'usage', /it is not a JSON object/);
    expectKfeedError(parse({ brokers: ['b:1'], brokerz: 1 }), 'usage', /unknown field\(s\) brokerz/);
    expectKfeedError(parse({ brokers: 'b:1' }), 'usage', /"brokers" is not a list/);
    expectKfeedError(parse({ brokers: ['nohost'] }), 'usage', /"nohost" is not a broker address/);
    expectKfeedError(parse({ brokers: ['b:1'], security: 'tls' }), 'usage', /security "tls" is not one of/);
    expectKfeedError(parse({ brokers: ['b:1'], cert: 'c.pem' }), 'usage', /needs its key/);
    expectKfeedError(parse({ brokers: ['b:1'], auth: 'iam', saslUser: 'u' }), 'usage', /IAM profile takes no/);
    expectKfeedError(parse({ brokers: ['b:1'], region: 'eu-west-1' }), 'usage', /"region" belongs to an IAM/);
    expectKfeedError(
      parse({ brokers: ['b:1'], cert: 'client_cert.pem', key: 'private_key.pem' }),
      'config',
      /key .*private_key\.pem does not exist/,
      { hint: /put the private key you made the CSR with there/ },
    );
  });

  it("files are taken relative to the file's folder", () => {
    const dir = tempDir('kfeed-profile-import-');
    const file = write(dir, { brokers: ['b:1'], security: 'sasl_ssl', auth: 'iam', region: 'eu-west-1' });
    expect(parseProfileFile(fs.readFileSync(file, 'utf8'), file)).toEqual({
      brokers: ['b:1'],
      security: 'sasl_ssl',
      auth: 'iam',
      region: 'eu-west-1',
    });
    expectKfeedError(
      parse({ brokers: ['b:1'], ca: 'truststore.pem' }),
      'config',
      new RegExp(`CA file ${path.sep}.*${path.sep}truststore\\.pem does not exist`),
    );
  });

  it('never replaces a profile of that name unless forced, nor the default unless asked', () => {
    const store = new ProfileStore(tempDir('kfeed-profile-store-'));
    const a = { brokers: ['a:1'], security: 'plaintext' as const };
    const b = { brokers: ['b:1'], security: 'plaintext' as const };
    // No profile yet: the first import is the default.
    expect(importProfile(store, 'feed', a)).toMatchObject({ replaced: false, defaultProfile: 'feed' });
    expectKfeedError(() => importProfile(store, 'feed', b), 'conflict', /profile feed already exists/, {
      hint: /--name.*--force/,
    });
    expect(store.get('feed')).toEqual(a);
    expect(importProfile(store, 'feed', b, { force: true })).toMatchObject({ replaced: true, defaultProfile: 'feed' });
    expect(store.get('feed')).toEqual(b);
    // Another import keeps the default, even one that is so only by being the only profile.
    expect(importProfile(store, 'second', a)).toMatchObject({ defaultProfile: 'feed' });
    expect(importProfile(store, 'third', a, { makeDefault: true })).toMatchObject({ defaultProfile: 'third' });
    const only = new ProfileStore(tempDir('kfeed-profile-store-'));
    only.put('mine', a);
    fs.writeFileSync(only.file, JSON.stringify({ profiles: only.read().profiles }));
    expect(only.defaultName()).toBe('mine');
    expect(importProfile(only, 'feed', b)).toMatchObject({ defaultProfile: 'mine' });
    expect(only.read().defaultProfile).toBe('mine');
  });

  it('a saved profile (profile add, local up) keeps an implicit default too', () => {
    const store = new ProfileStore(tempDir('kfeed-profile-store-'));
    const a = { brokers: ['a:1'], security: 'plaintext' as const };
    store.put('mine', a);
    fs.writeFileSync(store.file, JSON.stringify({ profiles: store.read().profiles }));
    store.put('other', a);
    expect(store.defaultName()).toBe('mine');
    store.put('other', a, { makeDefault: true });
    expect(store.defaultName()).toBe('other');
  });
});
