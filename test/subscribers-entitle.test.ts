import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, listing } from './helpers/assert.js';
import { runKafkaTool, type KafkaToolTarget } from './helpers/kafka-tools.js';
import { kcat } from './helpers/kcat.js';
import { startKcat } from './helpers/kcat-live.js';
import { waitFor } from './helpers/wait.js';
import { parseCsr } from '../src/certs/csr.js';
import { KfeedError } from '../src/errors.js';
import { addSubscriber } from '../src/subscribers/add.js';
import { readHistory } from '../src/subscribers/history.js';
import { readRegistry } from '../src/subscribers/registry.js';
import { setSubscriber } from '../src/subscribers/set.js';
import { resumeSubscriber, suspendSubscriber } from '../src/subscribers/suspend.js';
import {
  aclList,
  adminAccess,
  addWithBundle as addWithBundleOn,
  clientCsr,
  expectDenied,
  expectReads,
  failAfter,
  failureOf,
  listed,
  produceLines,
  startSubscriberCluster,
  type SubscriberCluster,
} from './helpers/subscribers.js';

/**
 * Entitlements (#21): suspend / resume and byte-rate quotas, proven from outside on a cluster
 * that requires ACLs: kcat with the subscriber's bundle is cut off and let back in, and reads
 * at the quota's rate by its own clock; Kafka's own kafka-configs sees the quota kfeed set.
 */
const CLUSTER = 'subscribers-entitle';
const suffix = Date.now().toString(36);
const quote = `quote-${suffix}`;
const bulk = `bulk-${suffix}`;

let c: SubscriberCluster;
const addWithBundle = (name: string, subject: string, args: string[]) => addWithBundleOn(c, name, subject, args);
const tools = (): KafkaToolTarget => ({
  cluster: CLUSTER,
  brokers: c.tls,
  ca: c.ca,
  cert: c.adminCert,
  key: c.adminKey,
});

beforeAll(async () => {
  c = await startSubscriberCluster(CLUSTER);
  for (const topic of [quote, bulk]) expect((await c.run(['create-topic', topic, '--partitions', '1'])).code).toBe(0);
  await produceLines(c, quote, ['AAPL:q1', 'MSFT:q2']);
});

afterAll(async () => {
  await c?.stop();
});

/** Kafka's own kafka-configs: the quota configs of one user entity. */
async function userConfigs(user: string): Promise<string> {
  const run = await runKafkaTool(tools(), 'kafka.admin.ConfigCommand', [
    '--entity-type',
    'users',
    '--entity-name',
    user,
    '--describe',
  ]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

async function history(name: string): Promise<Array<{ action: string; what: string; by: string }>> {
  const shown = await c.run(['subscriber', 'show', name, '--json']);
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout).history;
}

describe('suspend and resume', () => {
  it('suspend cuts a live kcat consumer off within seconds; resume lets the same bundle read again', async () => {
    const { bundle, principal } = await addWithBundle('pause', 'CN=pause reader,O=Acme', [
      '--topics',
      quote,
      '--local-ca',
      c.caDir,
    ]);
    const live = startKcat(bundle, ['-C', '-u', '-G', 'pause-live', '-o', 'beginning', '-f', '%s\\n', quote]);
    await waitFor('the live consumer to read', () => (live.arrivals.length >= 2 ? true : undefined), 30_000);

    const cutAt = Date.now();
    const suspended = await c.run(['subscriber', 'suspend', 'pause', '--reason', 'invoice 11 unpaid', '--json']);
    expect(suspended.code, suspended.stderr).toBe(0);
    expect(JSON.parse(suspended.stdout)).toMatchObject({
      aclsDeleted: expect.arrayContaining([expect.objectContaining({ principal, operation: 'READ' })]),
      subscriber: { suspended: { by: c.adminPrincipal, reason: 'invoice 11 unpaid' } },
    });
    // The live consumer is refused by the broker and ends, within seconds.
    const ended = await Promise.race([
      live.exited,
      waitFor('the live consumer to be cut off', () => undefined, 15_000).catch(() => null),
    ]);
    expect(ended, `kcat still running 15 s after suspend: ${live.stderr()}`).not.toBeNull();
    expect(Date.now() - cutAt).toBeLessThan(15_000);
    expect(ended!.code).not.toBe(0);
    expect(ended!.stderr).toMatch(/authoriz/i);
    await expectDenied(bundle, quote, 'pause-live');
    expect(await aclList(c, principal)).toEqual([]);

    // Suspended: shown with who, when and why; its missing ACLs are no drift.
    const checked = await listed(c, ['--check']);
    expect(checked.body.problems.filter((p: string) => p.startsWith('pause'))).toEqual([]);
    const view = checked.body.subscribers.find((s: { name: string }) => s.name === 'pause');
    expect(view).toMatchObject({
      state: 'suspended',
      suspension: { by: c.adminPrincipal, reason: 'invoice 11 unpaid' },
      missingAcls: [],
      excessAcls: [],
    });
    expect((await c.run(['subscriber', 'list'])).stdout).toMatch(/^pause .* suspended$/m);
    expect((await c.run(['subscriber', 'show', 'pause'])).stdout).toMatch(
      /^suspended +\S+ by User:CN=kfeed-admin.*: invoice 11 unpaid \(`kfeed subscriber resume pause`\)$/m,
    );
    expectFailure(
      await c.run(['subscriber', 'suspend', 'pause']),
      8,
      /^kfeed: subscriber pause is already suspended \(since \S+ by User:CN=kfeed-admin.*: invoice 11 unpaid\) — resume it with `kfeed subscriber resume pause`$/,
    );

    // An ACL granted by hand to a suspended subscriber is drift; repair deletes it and grants nothing.
    expect((await c.run(['acl', 'grant', '--principal', principal, '--role', 'describe', '--topic', quote])).code).toBe(
      0,
    );
    const drifted = await listed(c, ['--check']);
    expect(drifted.code).toBe(11);
    expect(drifted.body.problems).toContain('pause: holds 1 ACL(s) while suspended');
    expect((await c.run(['subscriber', 'repair', 'pause'])).code).toBe(0);
    expect(await aclList(c, principal)).toEqual([]);

    const resumed = await c.run(['subscriber', 'resume', 'pause', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).aclsGranted).toHaveLength(3);
    expect((await aclList(c, principal)).map((a) => `${a.operation} ${a.resourceName}`).sort()).toEqual(
      [`DESCRIBE ${quote}`, 'READ pause-', `READ ${quote}`].sort(),
    );
    // Another group: the cut-off consumer is still a member of its own until its session times out.
    await expectReads(bundle, quote, 'pause-2');
    expect((await listed(c)).body.subscribers.find((s: { name: string }) => s.name === 'pause')).toMatchObject({
      state: 'active',
      suspension: null,
    });
    expectFailure(await c.run(['subscriber', 'resume', 'pause']), 8, /^kfeed: subscriber pause is not suspended — /);

    const events = await history('pause');
    expect(events.map((e) => e.action)).toEqual(['add', 'suspend', 'repair', 'resume']);
    expect(events[1]).toMatchObject({ by: c.adminPrincipal, what: 'suspended (invoice 11 unpaid): 3 ACL(s) deleted' });
    expect(events[3].what).toMatch(/^resumed: 3 ACL\(s\) granted \(suspended since \S+ by User:CN=kfeed-admin/);

    expect((await c.run(['subscriber', 'remove', 'pause', '--yes'])).code).toBe(0);
    expectFailure(await c.run(['subscriber', 'suspend', 'pause']), 7, /^kfeed: subscriber pause was removed on /);
  });

  it('a failure after each step of suspend or resume undoes it: ACLs, registry and history as before', async () => {
    const { bundle, principal } = await addWithBundle('undo', 'CN=undo reader,O=Acme', [
      '--topics',
      quote,
      '--local-ca',
      c.caDir,
    ]);
    const access = await adminAccess(c);
    const snapshot = async () => ({
      acls: await aclList(c, principal),
      record: (await readRegistry(access.settings, access.registryTopic)).get('undo'),
      history: await readHistory(access.settings, access.historyTopic, 'undo'),
    });
    for (const step of ['acls', 'record']) {
      const before = await snapshot();
      const failure = await failureOf(
        suspendSubscriber(access, {
          name: 'undo',
          afterStep: failAfter(step),
        }),
        'the suspend',
      );
      expect(failure, step).toBeInstanceOf(KfeedError);
      expect(failure.message, step).toMatch(/injected failure .*\(undone: .*3 ACL\(s\) put back\)$/);
      expect(await snapshot(), step).toEqual(before);
      await expectReads(bundle, quote, 'undo-1');
    }
    expect((await c.run(['subscriber', 'suspend', 'undo'])).code).toBe(0);
    for (const step of ['acls', 'record']) {
      const before = await snapshot();
      const failure = await failureOf(
        resumeSubscriber(access, {
          name: 'undo',
          afterStep: failAfter(step),
        }),
        'the resume',
      );
      expect(failure.message, step).toMatch(/injected failure .*\(undone: .*3 ACL\(s\) removed\)$/);
      expect(await snapshot(), step).toEqual(before);
      await expectDenied(bundle, quote, 'undo-1');
    }
    expect((await c.run(['subscriber', 'remove', 'undo', '--yes'])).code).toBe(0);
  });

  it('an IAM subscriber: suspend and resume say which policy to detach and attach, and change no ACL', async () => {
    const arn = 'arn:aws:iam::210987654321:role/pause-iam-reader';
    const add = await c.run([
      'subscriber',
      'add',
      'pauseI',
      '--principal-arn',
      arn,
      '--cluster-arn',
      'arn:aws:kafka:eu-west-1:123456789012:cluster/feed/3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e-7',
      '--topics',
      quote,
      '--bootstrap',
      'b-1.feed.example:9098',
      '--out-dir',
      path.join(c.work, 'bundle-pauseI'),
    ]);
    expect(add.code, add.stderr).toBe(0);
    const aclsBefore = await aclList(c);
    const suspended = await c.run(['subscriber', 'suspend', 'pauseI']);
    expect(suspended.code, suspended.stderr).toBe(0);
    expect(suspended.stdout).toMatch(new RegExp(`^IAM +detach its kfeed policy from ${arn}: `, 'm'));
    expect((await listed(c)).body.subscribers.find((s: { name: string }) => s.name === 'pauseI').state).toBe(
      'suspended',
    );
    const resumed = await c.run(['subscriber', 'resume', 'pauseI']);
    expect(resumed.stdout).toMatch(
      new RegExp(`^IAM +attach its kfeed policy \\(policy.json of its bundle\\) to ${arn}`, 'm'),
    );
    expect(await aclList(c)).toEqual(aclsBefore);
    expect((await history('pauseI')).map((e) => e.action)).toEqual(['add', 'suspend', 'resume']);
    expectFailure(
      await c.run(['subscriber', 'set', 'pauseI', '--max-bytes-per-second', '1MiB']),
      2,
      /^kfeed: subscriber pauseI connects with IAM: kfeed sets quotas on mTLS principals — /,
    );
  });
});

describe('quotas', () => {
  it('bad values are refused before any change', async () => {
    const client = await clientCsr(c, 'badq', 'CN=bad quota reader');
    const bundle = path.join(c.work, 'bundle-badq');
    const aclsBefore = await aclList(c);
    const registryBefore = (await listed(c)).body.subscribers;
    const add = ['subscriber', 'add', 'badq', '--csr', client.csr, '--local-ca', c.caDir, '--out-dir', bundle];
    const cases: Array<[string[], RegExp]> = [
      [['--max-bytes-per-second', '0'], /^kfeed: --max-bytes-per-second "0": a quota of 0 stops the client/],
      [['--max-bytes-per-second', '-5'], /^kfeed: --max-bytes-per-second "-5": not a positive number of bytes — /],
      [['--max-bytes-per-second', '10MB'], /^kfeed: --max-bytes-per-second "10MB": "MB" is not a unit kfeed knows — /],
      [['--max-request-percent', '0'], /^kfeed: --max-request-percent "0" is not a percentage above 0 — /],
    ];
    for (const [flags, message] of cases) {
      expectFailure(await c.run([...add, '--topics', quote, ...flags]), 2, message, flags);
    }
    expect(await aclList(c)).toEqual(aclsBefore);
    expect((await listed(c)).body.subscribers).toEqual(registryBefore);
    expect(listing(bundle)).toEqual([]);
    expectFailure(
      await c.run(['subscriber', 'set', 'nobody', '--max-bytes-per-second', '1.5KB']),
      2,
      /"KB" is not a unit/,
    );
    expectFailure(await c.run(['subscriber', 'set', 'nobody']), 2, /^kfeed: nothing to set — /);
  });

  it('a quota throttles kcat to its rate (by its own clock), the broker reports throttling; without it the read is faster', async () => {
    // A backlog of 3.75 MiB in one partition (one broker), 1 KiB a line as kcat prints it, in
    // producer batches of 32 records (about 34 KiB).
    const records = 3840;
    const line = (i: number) => `k${i}:${String(i).padStart(8, '0')}${'x'.repeat(1014)}`;
    const produced = await kcat(
      c.tls,
      { ca: c.ca, cert: c.adminCert, key: c.adminKey },
      ['-P', '-t', bulk, '-K', ':', '-X', 'batch.num.messages=32'],
      { stdin: Array.from({ length: records }, (_, i) => line(i)).join('\n') + '\n' },
    );
    expect(produced.code, produced.stderr).toBe(0);
    const quota = 256 * 1024;
    const { bundle, principal } = await addWithBundle('slow', 'CN=slow reader,O=Acme', [
      '--topics',
      bulk,
      '--local-ca',
      c.caDir,
      '--max-bytes-per-second',
      '256KiB',
    ]);
    // Kafka's own tool sees the quota on the user entity of the subscriber's principal.
    const user = principal.slice('User:'.length);
    expect(await userConfigs(user)).toMatch(/consumer_byte_rate=262144(\.0)?\b/);

    // Fetches smaller than one batch: the broker then sends one whole batch a fetch. A larger
    // limit cuts the next batch off, and that partial batch counts against the quota although
    // the client throws it away and fetches it again.
    const fetch = ['message.max.bytes', 'fetch.max.bytes', 'max.partition.fetch.bytes'].flatMap((p) => [
      '-X',
      `${p}=16384`,
    ]);
    const read = async () => {
      const reader = startKcat(bundle, [
        '-C',
        '-u',
        '-t',
        bulk,
        '-p',
        '0',
        '-o',
        'beginning',
        '-e',
        '-f',
        '%s\\n',
        ...fetch,
      ]);
      const done = await reader.exited;
      expect(done.code, done.stderr).toBe(0);
      expect(reader.arrivals.length).toBe(records);
      // kcat's throttle callback: the throttle time the broker put in its responses.
      const throttles = [...done.stderr.matchAll(/throttled request for (\d+)ms/g)].map((m) => Number(m[1]));
      return { arrivals: reader.arrivals, throttledMs: throttles.reduce((a, b) => a + b, 0) };
    };
    // Kafka holds a client to its quota over a window of 11 one-second samples: a client that
    // was idle takes about ten seconds' worth at once, then waits until those samples age out,
    // so a backlog arrives in bursts about 11 s apart. The rate is measured over whole periods:
    // the records before the last burst, from the first record to the start of the last burst.
    const throttled = await read();
    const t0 = throttled.arrivals[0];
    const last = throttled.arrivals.findLastIndex((t, i) => i > 0 && t - throttled.arrivals[i - 1] > 2000);
    expect(last, 'the backlog arrived in one burst: not throttled').toBeGreaterThan(0);
    const rate = (last * 1024) / ((throttled.arrivals[last] - t0) / 1000);
    expect(rate / quota).toBeGreaterThan(0.75);
    expect(rate / quota).toBeLessThan(1.25);
    expect(throttled.throttledMs).toBeGreaterThan(0);

    // The same read without the quota: all of it at once, and the broker throttles nothing.
    const unset = await c.run(['subscriber', 'set', 'slow', '--no-max-bytes-per-second', '--json']);
    expect(unset.code, unset.stderr).toBe(0);
    expect(JSON.parse(unset.stdout).quota).toEqual({ maxBytesPerSecond: null, maxRequestPercent: null });
    expect(await userConfigs(user)).not.toMatch(/consumer_byte_rate/);
    const free = await read();
    const freeRate = (records * 1024) / (Math.max(free.arrivals.at(-1)! - free.arrivals[0], 1) / 1000);
    expect(freeRate / quota).toBeGreaterThan(4);
    expect(free.throttledMs).toBe(0);
  });

  it('set, list, show and the history say the quota; remove takes it off the principal', async () => {
    const { principal } = await addWithBundle('meter', 'CN=meter writer,O=Acme', [
      '--topics',
      quote,
      '--role',
      'producer',
      '--local-ca',
      c.caDir,
      '--max-bytes-per-second',
      '1MiB',
    ]);
    const user = principal.slice('User:'.length);
    expect(await userConfigs(user)).toMatch(/producer_byte_rate=1048576(\.0)?\b/);
    const set = await c.run([
      'subscriber',
      'set',
      'meter',
      '--max-bytes-per-second',
      '512KiB',
      '--max-request-percent',
      '25',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(
      'quota         meter (User:CN=meter writer,O=Acme): 512 KiB/s, 25 % request time per broker\n',
    );
    const configs = await userConfigs(user);
    expect(configs).toMatch(/producer_byte_rate=524288(\.0)?\b/);
    expect(configs).toMatch(/request_percentage=25(\.0)?\b/);
    const view = (await listed(c)).body.subscribers.find((s: { name: string }) => s.name === 'meter');
    expect(view).toMatchObject({
      quota: { maxBytesPerSecond: 524288, maxRequestPercent: 25 },
      record: { quota: { maxBytesPerSecond: 524288, maxRequestPercent: 25 } },
    });
    expect((await c.run(['subscriber', 'list'])).stdout).toMatch(/^meter .* 512 KiB\/s, 25 % request time +active$/m);
    expect((await c.run(['subscriber', 'show', 'meter'])).stdout).toMatch(/^quota +512 KiB\/s, 25 % request time$/m);
    expect((await history('meter')).map((e) => [e.action, e.what])).toEqual([
      ['add', expect.stringMatching(/; quota 1 MiB\/s$/)],
      ['set', 'quota set: 512 KiB/s, 25 % request time (was 1 MiB/s)'],
    ]);

    // A quota changed by hand, with Kafka's own tool, is drift until `set` records one again.
    const byHand = await runKafkaTool(tools(), 'kafka.admin.ConfigCommand', [
      '--entity-type',
      'users',
      '--entity-name',
      user,
      '--alter',
      '--add-config',
      'producer_byte_rate=1000',
    ]);
    expect(byHand.code, byHand.stderr).toBe(0);
    const drifted = await listed(c, ['--check']);
    expect(drifted.code).toBe(11);
    expect(drifted.body.problems).toContain(
      'meter: quota in force (1000 B/s, 25 % request time) is not the recorded one (512 KiB/s, 25 % request time)',
    );
    expect((await c.run(['subscriber', 'show', 'meter'])).stdout).toMatch(
      /^quota +1000 B\/s, 25 % request time, but 512 KiB\/s, 25 % request time recorded \(drift: /m,
    );
    expect((await c.run(['subscriber', 'set', 'meter', '--max-bytes-per-second', '512KiB'])).code).toBe(0);
    expect((await listed(c, ['--check'])).body.drift.quotas).toEqual([]);

    const removed = await c.run(['subscriber', 'remove', 'meter', '--yes', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout).quotaRemoved).toEqual({ maxBytesPerSecond: 524288, maxRequestPercent: 25 });
    expect(await userConfigs(user)).not.toMatch(/producer_byte_rate|request_percentage/);
    expect((await history('meter')).at(-1)!.what).toMatch(/; quota removed \(512 KiB\/s, 25 % request time\)/);
  });

  it('a failure after the quota step or the record undoes a set and an add: quota, ACLs, registry and history as before', async () => {
    const access = await adminAccess(c);
    const { principal } = await addWithBundle('txq', 'CN=txq reader,O=Acme', [
      '--topics',
      quote,
      '--local-ca',
      c.caDir,
      '--max-bytes-per-second',
      '1MiB',
    ]);
    const snapshot = async () => ({
      quota: (await listed(c)).body.subscribers.find((s: { name: string }) => s.name === 'txq').quota,
      record: (await readRegistry(access.settings, access.registryTopic)).get('txq'),
      history: await readHistory(access.settings, access.historyTopic, 'txq'),
    });
    const before = await snapshot();
    expect(before.quota).toEqual({ maxBytesPerSecond: 1048576, maxRequestPercent: null });
    for (const step of ['quota', 'record']) {
      const failure = await failureOf(
        setSubscriber(access, {
          name: 'txq',
          quota: { maxBytesPerSecond: 2048, maxRequestPercent: 10 },
          afterStep: failAfter(step),
        }),
        'the set',
      );
      expect(failure, step).toBeInstanceOf(KfeedError);
      expect(failure.message, step).toMatch(/injected failure .*\(undone: .*quota put back\)$/);
      expect(await snapshot(), step).toEqual(before);
    }
    const configs = await userConfigs(principal.slice('User:'.length));
    expect(configs).toMatch(/consumer_byte_rate=1048576(\.0)?\b/);
    expect(configs).not.toMatch(/request_percentage/);

    // An add with a quota that fails after setting it takes the quota back with everything else.
    const client = await clientCsr(c, 'txq2', 'CN=txq2 reader,O=Acme');
    const outDir = path.join(c.work, 'bundle-txq2');
    const failed = await failureOf(
      addSubscriber(access, {
        name: 'txq2',
        csr: await parseCsr(fs.readFileSync(client.csr, 'utf8'), client.csr),
        csrFile: client.csr,
        role: 'consumer',
        topics: [quote],
        groupPrefix: 'txq2-',
        authority: { kind: 'local', dir: c.caDir },
        validityDays: 30,
        bootstrap: c.tls,
        outDir,
        quota: { maxBytesPerSecond: 4096 },
        afterStep: failAfter('quota'),
      }),
      'the add',
    );
    expect(failed.message).toMatch(/injected failure after quota \(undone: quota put back, 3 ACL\(s\) removed; /);
    expect(await userConfigs('CN=txq2 reader,O=Acme')).not.toMatch(/consumer_byte_rate/);
    expect(await aclList(c, 'User:CN=txq2 reader,O=Acme')).toEqual([]);
    expect(listing(outDir)).toEqual([]);
    expect((await c.run(['subscriber', 'remove', 'txq', '--yes'])).code).toBe(0);
  });
});
