import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unique } from './helpers/unique.js';
import { clientCertificate, type TestClient } from './helpers/clients.js';
import { runKafkaTool } from './helpers/kafka-tools.js';
import { produceWithJava } from './helpers/java-producer.js';
import type { GroupDescription, GroupSummary, PartitionLag } from '../src/kafka/groups.js';
import { poll } from '../src/wait.js';
import { expectFailure } from './helpers/assert.js';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../src/cli.js';
import { Context } from '../src/context.js';
import { startInProcess } from './helpers/capture.js';
import { sharedCluster, testEnv } from './helpers/env.js';
import { kfeed } from './helpers/run.js';

/** A client certificate from the suite's CA, with no ACLs yet. */
const clientWithoutAcls = (cn: string) => clientCertificate(sharedCluster().ca, { CN: cn, O: 'Example Corp' });

describe('refusals that name the missing ACL (--require-acls cluster)', () => {
  const topic = unique('denied');
  const group = unique('denied-group');
  let client: TestClient;

  beforeAll(async () => {
    client = await clientWithoutAcls(`no group acl ${Date.now().toString(36)}`);
    expect((await kfeed(['topic', 'create', topic, '--partitions', '2'])).code).toBe(0);
    expect((await kfeed(['produce', '--topic', topic], { stdin: 'one\ntwo\n' })).code).toBe(0);
  });

  it('a consumer without READ on its group is told so, with the ACL and the grant, exit 6', async () => {
    // READ and DESCRIBE on the topic, READ on another group only.
    expect(
      (await kfeed(['acl', 'grant', '--principal', client.principal, '--role', 'describe', '--topic', topic])).code,
    ).toBe(0);
    expect(
      (
        await kfeed([
          'acl',
          'grant',
          '--principal',
          client.principal,
          '--role',
          'read',
          '--topic',
          topic,
          '--group',
          `${group}-other`,
        ])
      ).code,
    ).toBe(0);
    const consumed = await kfeed([
      'consume',
      '--topic',
      topic,
      '-g',
      group,
      '--from-beginning',
      '--exit-at-end',
      ...client.flags,
    ]);
    expectFailure(
      consumed,
      6,
      new RegExp(`not authorized for group ${group}: it needs the ACL READ on group ${group}`),
    );
    expect(consumed.stderr).toContain(
      `kfeed acl grant --cert ${client.cert} --role consumer --topic ${topic} --group ${group}`,
    );
    expect(consumed.stderr).not.toMatch(/coordinator/i);

    // The grant it names works.
    expect(
      (await kfeed(['acl', 'grant', '--cert', client.cert, '--role', 'consumer', '--topic', topic, '--group', group]))
        .code,
    ).toBe(0);
    const after = await kfeed([
      'consume',
      '--topic',
      topic,
      '-g',
      group,
      '--from-beginning',
      '--exit-at-end',
      ...client.flags,
    ]);
    expect(after.stderr).not.toMatch(/^kfeed:/m);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/one/);
  });

  it('a produce to an existing topic without ACLs is an authorization problem, not a missing topic, exit 6', async () => {
    const other = await clientWithoutAcls(`no topic acl ${Date.now().toString(36)}`);
    const produced = await kfeed(['produce', '--topic', topic, ...other.flags], { stdin: 'refused\n' });
    expectFailure(produced, 6, new RegExp(`not authorized for topic ${topic}: .*authorization problem`));
    expect(produced.stderr).not.toMatch(/does not exist/);
    expect(produced.stderr).toContain(`kfeed acl grant --cert ${other.cert} --role producer --topic ${topic}`);
  });
});

interface Target {
  /** Connection flags for kfeed as the cluster's admin. */
  flags: string[];
  brokers: string[];
  ca: string;
  cert: string;
  key: string;
  /** The local cluster whose jars run Kafka's own tools. */
  name: string;
}

function suiteTarget(): Target {
  const c = sharedCluster();
  return {
    flags: ['--brokers', c.tlsBrokers.join(','), '--ca', c.ca, '--cert', c.adminCert, '--key', c.adminKey],
    brokers: c.tlsBrokers,
    ca: c.ca,
    cert: c.adminCert,
    key: c.adminKey,
    name: c.name,
  };
}

/** Records with chosen partitions and timestamps, through Kafka's own Java producer (an independent client). */
function produceAt(
  target: Target,
  topic: string,
  records: Array<{ partition: number; value: string; timestamp: number }>,
) {
  return produceWithJava(
    { cluster: target.name, brokers: target.brokers, ca: target.ca, cert: target.cert, key: target.key },
    topic,
    records,
  );
}

async function describeGroup(target: Target, group: string): Promise<GroupDescription> {
  const result = await kfeed(['group', 'describe', group, '--json', ...target.flags]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as GroupDescription;
}

/** Commits offsets for `group`, making the group when it does not exist yet (--new-group). */
async function resetTo(target: Target, group: string, topic: string, mode: string[]) {
  const result = await kfeed([
    'group',
    'reset-offsets',
    group,
    '--topic',
    topic,
    ...mode,
    '--new-group',
    '--execute',
    '--json',
    ...target.flags,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as {
    executed: boolean;
    partitions: Array<{ partition: number; currentOffset: number | null; newOffset: number; clamped: string | null }>;
  };
}

/** Apache Kafka's own `kafka-consumer-groups.sh --describe`, from the jars the local cluster runs. */
async function kafkaConsumerGroups(
  target: Target,
  group: string,
): Promise<Array<{ topic: string; partition: number; current: number; end: number; lag: number }>> {
  const run = await runKafkaTool(
    { cluster: target.name, brokers: target.brokers, ca: target.ca, cert: target.cert, key: target.key },
    'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
    // The default 5 s is too short for a JVM's first requests on a loaded machine.
    ['--describe', '--group', group, '--timeout', '60000'],
  );
  // The tool exits 0 even when it fails, printing "Error: ...".
  expect(run.code, run.stderr.slice(-2000)).toBe(0);
  expect(run.stdout + run.stderr).not.toMatch(/^Error:/m);
  return run.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[0] === group && /^\d+$/.test(cols[2] ?? ''))
    .map((cols) => ({
      topic: cols[1],
      partition: Number(cols[2]),
      current: Number(cols[3]),
      end: Number(cols[4]),
      lag: Number(cols[5]),
    }))
    .sort((a, b) => a.partition - b.partition);
}

/** kfeed's partition rows in the shape of `kafkaConsumerGroups`. */
function asConsumerGroupCommand(partitions: PartitionLag[]) {
  return partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    current: p.committedOffset,
    end: p.logEndOffset,
    lag: p.lag,
  }));
}

/** The first record `kfeed consume -g G` reads from the group's committed position (null: none). */
async function firstReadBy(target: Target, group: string, topic: string): Promise<string | null> {
  const read = await kfeed([
    'consume',
    '--topic',
    topic,
    '-g',
    group,
    '--exit-at-end',
    '-n',
    '1',
    '-f',
    'raw',
    ...target.flags,
  ]);
  expect(read.stderr).not.toMatch(/^kfeed:/m);
  expect(read.code).toBe(0);
  const first = read.stdout.split('\n').find((line) => line !== '');
  return first ?? null;
}

function lagAndResetSuite(label: string, target: () => Target) {
  describe(`consumer groups on the ${label} cluster`, () => {
    let t: Target;
    const topic = unique('lag');
    const group = unique('lag-group');
    // Known timestamps, well in the past: the time lag is "now" minus these.
    const base = Date.now() - 600_000;

    beforeAll(async () => {
      t = target();
      expect((await kfeed(['topic', 'create', topic, '--partitions', '3', ...t.flags])).code).toBe(0);
      const records = [];
      for (let partition = 0; partition < 3; partition++) {
        for (let i = 0; i < 10; i++)
          records.push({ partition, value: `p${partition}-r${i}`, timestamp: base + i * 10_000 });
      }
      await produceAt(t, topic, records);
    });

    it("lag in messages agrees with Apache Kafka's ConsumerGroupCommand; lag in seconds with the record timestamps", async () => {
      await resetTo(t, group, `${topic}:0`, ['--to-offset', '3']);
      await resetTo(t, group, `${topic}:1`, ['--to-offset', '10']);
      await resetTo(t, group, `${topic}:2`, ['--to-earliest']);
      const before = Date.now();
      const ours = await describeGroup(t, group);
      const after = Date.now();
      const theirs = await kafkaConsumerGroups(t, group);
      expect(theirs).toHaveLength(3);
      expect(asConsumerGroupCommand(ours.partitions)).toEqual(theirs);
      expect(ours.lag).toBe(7 + 0 + 10);

      // Partition 0 waits at offset 3 (timestamp base + 30 s), 2 at offset 0 (base); 1 is caught up.
      const lagOf = (partition: number) => ours.partitions.find((p) => p.partition === partition)!.lagSeconds!;
      expect(lagOf(1)).toBe(0);
      expect(lagOf(0)).toBeGreaterThanOrEqual((before - (base + 30_000)) / 1000 - 0.001);
      expect(lagOf(0)).toBeLessThanOrEqual((after - (base + 30_000)) / 1000 + 0.001);
      expect(lagOf(2)).toBeGreaterThanOrEqual((before - base) / 1000 - 0.001);
      expect(lagOf(2)).toBeLessThanOrEqual((after - base) / 1000 + 0.001);
      expect(ours.lagSeconds).toBe(lagOf(2));

      const listed = await kfeed(['group', 'list', '--json', ...t.flags]);
      expect(listed.code).toBe(0);
      const summary = (JSON.parse(listed.stdout) as GroupSummary[]).find((g) => g.group === group);
      expect(summary).toMatchObject({ group, state: 'Empty', members: 0, lag: 17 });
      expect(summary!.lagSeconds).toBeGreaterThanOrEqual((before - base) / 1000 - 0.001);
    });

    it('each reset mode moves where `consume -g G` starts; the plan alone changes nothing; clamping is said', async () => {
      const g = unique('reset-group');
      const tp = `${topic}:1`;
      const one = (mode: string[]) => resetTo(t, g, tp, mode);
      const read = () => firstReadBy(t, g, topic);

      await one(['--to-earliest']);
      // Only partition 1 has an offset; the others start at the end (no committed offset, default latest).
      expect(await read()).toBe('p1-r0');
      await one(['--to-offset', '4']);
      expect(await read()).toBe('p1-r4');
      await one(['--to-offset', '4']);
      await one(['--shift-by', '-2']);
      expect(await read()).toBe('p1-r2');
      await one(['--to-time', new Date(base + 65_000).toISOString()]);
      expect(await read()).toBe('p1-r7');
      await one(['--to-latest']);
      expect(await read()).toBe(null);

      const clamped = await one(['--shift-by', '-100']);
      expect(clamped.partitions).toEqual([
        expect.objectContaining({ partition: 1, newOffset: 0, clamped: 'log-start' }),
      ]);
      const high = await kfeed([
        'group',
        'reset-offsets',
        g,
        '--topic',
        tp,
        '--to-offset',
        '999',
        '--execute',
        ...t.flags,
      ]);
      expect(high.code).toBe(0);
      expect(high.stdout).toMatch(/asked 999: clamped to the end of the log/);
      expect((await describeGroup(t, g)).partitions.find((p) => p.partition === 1)!.committedOffset).toBe(10);

      // The dry run: a plan, and the committed offset stays where it was.
      const plan = await kfeed(['group', 'reset-offsets', g, '--topic', tp, '--to-earliest', ...t.flags]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toMatch(/plan only: nothing changed/);
      expect(plan.stdout).toMatch(/\b1\s+10\s+0\b/);
      expect((await describeGroup(t, g)).partitions.find((p) => p.partition === 1)!.committedOffset).toBe(10);
      expect(await read()).toBe(null);
    });

    it('refuses a reset while the group has members, and stays refused until they leave', async () => {
      const g = unique('active-group');
      const consumer = startInProcess(['consume', '--topic', topic, '-g', g, '-f', 'raw', ...t.flags], {
        env: testEnv(),
        cwd: process.cwd(),
      });
      try {
        await poll(
          async () => ((await describeGroup(t, g).catch(() => undefined))?.members.length ? true : undefined),
          {
            what: 'the consumer to join its group',
            timeoutMs: 60_000,
            intervalMs: 300,
          },
        );
        const refused = await kfeed([
          'group',
          'reset-offsets',
          g,
          '--topic',
          topic,
          '--to-earliest',
          '--execute',
          ...t.flags,
        ]);
        expectFailure(refused, 8, new RegExp(`group ${g} has 1 active member\\(s\\) and cannot be reset`));
        const notDeleted = await kfeed(['group', 'delete', g, '--yes', ...t.flags]);
        expectFailure(notDeleted, 8, new RegExp(`group ${g} has active members`));
      } finally {
        consumer.ctx.abort.abort('SIGINT');
        await consumer.done;
      }
    });

    it('a reset of a group that does not exist is refused, so a typo makes no group; --new-group makes it', async () => {
      const g = unique('typo-group');
      const reset = (...extra: string[]) =>
        kfeed(['group', 'reset-offsets', g, '--topic', `${topic}:0`, '--to-offset', '2', ...extra, ...t.flags]);
      const missing = new RegExp(
        `^kfeed: group ${g} does not exist — check the name with \`kfeed group list\`, or pass --new-group to create it`,
      );
      expectFailure(await reset(), 7, missing);
      expectFailure(await reset('--execute'), 7, missing);
      expectFailure(await kfeed(['group', 'describe', g, ...t.flags]), 7, new RegExp(`group ${g} does not exist`));

      const plan = await reset('--new-group');
      expect(plan.code).toBe(0);
      expect(plan.stdout).toMatch(
        new RegExp(`plan only: nothing changed \\(group ${g} does not exist yet: --execute creates it\\)`),
      );
      expectFailure(await kfeed(['group', 'describe', g, ...t.flags]), 7, new RegExp(`group ${g} does not exist`));

      const created = await reset('--new-group', '--execute', '--json');
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ group: g, executed: true, newGroup: true });
      expect((await describeGroup(t, g)).partitions).toEqual([
        expect.objectContaining({ topic, partition: 0, committedOffset: 2 }),
      ]);
      // Now it exists: --new-group is not needed, and changes nothing when given.
      const again = await reset('--execute', '--json');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ executed: true, newGroup: false });
      expect(JSON.parse((await reset('--new-group', '--json')).stdout)).toMatchObject({ newGroup: false });
    });

    it('delete-offsets forgets a topic, delete removes the group; unknown names are one line each', async () => {
      const g = unique('doomed-group');
      await resetTo(t, g, topic, ['--to-earliest']);
      const forgot = await kfeed(['group', 'delete-offsets', g, '--topic', topic, ...t.flags]);
      expect(forgot.code).toBe(0);
      // Whether the group outlives its offsets is the coordinator's choice: Kafka 4's keeps it
      // (Empty), the classic one drops it (Dead). kfeed says what Kafka's own tool says.
      const theirs = await runKafkaTool(
        { cluster: t.name, brokers: t.brokers, ca: t.ca, cert: t.cert, key: t.key },
        'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
        ['--describe', '--group', g, '--state', '--timeout', '60000'],
      );
      const ours = await kfeed(['group', 'describe', g, '--json', ...t.flags]);
      if (new RegExp(`^${g}\\s.*\\sEmpty\\s+0\\s*$`, 'm').test(theirs.stdout)) {
        expect(ours.stderr).toBe('');
        expect(JSON.parse(ours.stdout)).toMatchObject({ state: 'Empty', partitions: [], committedPartitions: 0 });
      } else {
        expect(theirs.stdout + theirs.stderr).toMatch(/does not exist|not found/);
        expectFailure(ours, 7, new RegExp(`group ${g} does not exist`));
      }

      await resetTo(t, g, topic, ['--to-earliest']);
      expect((await kfeed(['group', 'delete', g, '--yes', ...t.flags])).code).toBe(0);
      expectFailure(await kfeed(['group', 'describe', g, ...t.flags]), 7, new RegExp(`group ${g} does not exist`));
      expectFailure(
        await kfeed(['group', 'delete', g, '--yes', ...t.flags]),
        7,
        new RegExp(`group ${g} does not exist`),
      );
      expectFailure(await kfeed(['group', 'delete', g, ...t.flags]), 2, /without confirmation — pass --yes/);
      expectFailure(
        await kfeed([
          'group',
          'reset-offsets',
          g,
          '--topic',
          `${topic}-missing`,
          '--to-earliest',
          '--new-group',
          ...t.flags,
        ]),
        7,
        new RegExp(`topic ${topic}-missing does not exist`),
      );
      expectFailure(
        await kfeed(['group', 'reset-offsets', g, '--topic', `${topic}:7`, '--to-earliest', '--new-group', ...t.flags]),
        2,
        /has no partition 7/,
      );
      expectFailure(
        await kfeed([
          'group',
          'reset-offsets',
          g,
          '--topic',
          topic,
          '--to-earliest',
          '--new-group',
          '--to-latest',
          ...t.flags,
        ]),
        2,
        /more than one reset mode/,
      );
    });
  });
}

lagAndResetSuite('KRaft (--require-acls)', suiteTarget);

describe('both kinds of group: classic, and the KIP-848 consumer protocol of Kafka 4', () => {
  it("a group Kafka's Java consumer made is shown with its kind, and its lag agrees with ConsumerGroupCommand", async () => {
    const t = suiteTarget();
    // Kafka 4 brokers serve group.protocol=consumer (KIP-848); 3.9 brokers only the classic protocol.
    const kind = sharedCluster().kafkaVersion.startsWith('3.') ? 'classic' : 'consumer';
    const topic = unique('kinds');
    const group = unique(`${kind}-group`);
    expect((await kfeed(['topic', 'create', topic, '--partitions', '3', ...t.flags])).code).toBe(0);
    const now = Date.now();
    await produceAt(
      t,
      topic,
      Array.from({ length: 12 }, (_, i) => ({ partition: i % 3, value: `r${i}`, timestamp: now - 60_000 + i })),
    );
    const consumed = await runKafkaTool(
      { cluster: t.name, brokers: t.brokers, ca: t.ca, cert: t.cert, key: t.key },
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      [
        '--topic',
        topic,
        '--group',
        group,
        '--from-beginning',
        '--max-messages',
        '5',
        '--timeout-ms',
        '60000',
        '--consumer-property',
        `group.protocol=${kind}`,
      ],
      { configFlag: '--consumer.config' },
    );
    expect(consumed.code, consumed.stderr.slice(-2000)).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toHaveLength(5);

    const ours = await describeGroup(t, group);
    expect(ours).toMatchObject({ group, type: kind, protocolType: 'consumer' });
    const theirs = await kafkaConsumerGroups(t, group);
    expect(theirs.length).toBeGreaterThan(0);
    expect(asConsumerGroupCommand(ours.partitions.filter((p) => p.committedOffset !== null))).toEqual(theirs);
    expect(ours.lag).toBe(theirs.reduce((sum, p) => sum + p.lag, 0));

    const listed = JSON.parse((await kfeed(['group', 'list', '--json', ...t.flags])).stdout) as GroupSummary[];
    expect(listed.find((g) => g.group === group)).toMatchObject({ group, type: kind, lag: ours.lag });
  });
});

describe('consumer groups on a ZooKeeper-mode cluster', () => {
  const name = unique('groups-zk');
  let target: Target | undefined;
  beforeAll(async () => {
    const up = await kfeed([
      'local',
      'up',
      '--name',
      name,
      '--mode',
      'zookeeper',
      '--brokers',
      '1',
      '--no-profile',
      '--json',
    ]);
    expect(up.code, up.stderr).toBe(0);
    const status = JSON.parse(up.stdout) as {
      bootstrap: { tls: string[] };
      files: { ca: string; clientCert: string; clientKey: string };
    };
    target = {
      flags: [
        '--brokers',
        status.bootstrap.tls.join(','),
        '--ca',
        status.files.ca,
        '--cert',
        status.files.clientCert,
        '--key',
        status.files.clientKey,
      ],
      brokers: status.bootstrap.tls,
      ca: status.files.ca,
      cert: status.files.clientCert,
      key: status.files.clientKey,
      name,
    };
  });
  afterAll(async () => {
    await kfeed(['local', 'down', '--name', name]);
  });
  lagAndResetSuite('ZooKeeper', () => target!);
});

describe('who sees which groups (--require-acls)', () => {
  it('an admin sees every group; a client with only its own group ACL sees only that one', async () => {
    const t = suiteTarget();
    const topic = unique('seen');
    const mine = unique('mine');
    const theirs = unique('theirs');
    expect((await kfeed(['topic', 'create', topic, ...t.flags])).code).toBe(0);
    await produceAt(t, topic, [{ partition: 0, value: 'x', timestamp: Date.now() }]);
    await resetTo(t, mine, topic, ['--to-earliest']);
    await resetTo(t, theirs, topic, ['--to-earliest']);
    const client = await clientWithoutAcls(`own group ${Date.now().toString(36)}`);
    expect(
      (await kfeed(['acl', 'grant', '--cert', client.cert, '--role', 'consumer', '--topic', topic, '--group', mine]))
        .code,
    ).toBe(0);

    const admin = JSON.parse((await kfeed(['group', 'list', '--json', ...t.flags])).stdout) as GroupSummary[];
    expect(admin.map((g) => g.group)).toEqual(expect.arrayContaining([mine, theirs]));
    const listed = await kfeed([
      'group',
      'list',
      '--json',
      '--brokers',
      t.brokers.join(','),
      '--ca',
      t.ca,
      ...client.flags,
    ]);
    expect(listed.stderr).toBe('');
    expect((JSON.parse(listed.stdout) as GroupSummary[]).map((g) => g.group)).toEqual([mine]);
    expect(
      (
        await kfeed([
          'group',
          'describe',
          mine,
          '--json',
          '--brokers',
          t.brokers.join(','),
          '--ca',
          t.ca,
          ...client.flags,
        ])
      ).code,
    ).toBe(0);
    const denied = await kfeed([
      'group',
      'describe',
      theirs,
      '--brokers',
      t.brokers.join(','),
      '--ca',
      t.ca,
      ...client.flags,
    ]);
    expectFailure(
      denied,
      6,
      new RegExp(`not authorized for group ${theirs}: it needs the ACL DESCRIBE on group ${theirs}`),
    );
  });
});

describe('group describe --watch', () => {
  it('prints a snapshot per interval when piped, and Ctrl-C ends it with exit 130', async () => {
    const t = suiteTarget();
    const topic = unique('watch');
    const group = unique('watch-group');
    expect((await kfeed(['topic', 'create', topic, ...t.flags])).code).toBe(0);
    await produceAt(t, topic, [{ partition: 0, value: 'x', timestamp: Date.now() - 5000 }]);
    await resetTo(t, group, topic, ['--to-earliest']);

    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    const ctx = new Context({ io: { stdin: Readable.from([]), stdout, stderr }, env: testEnv(), cwd: process.cwd() });
    const done = runCli(['group', 'describe', group, '--watch', '--interval', '1', ...t.flags], ctx);
    await poll(() => ((out.match(/^--- /gm) ?? []).length >= 2 ? true : undefined), {
      what: 'two snapshots',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    ctx.abort.abort('SIGINT');
    expect(await done).toBe(130);
    const snapshots = out.split(/^--- .*$/m).filter((s) => s.trim());
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    for (const snapshot of snapshots)
      expect(snapshot).toMatch(new RegExp(`group ${group}: Empty, 0 member\\(s\\), lag 1 message\\(s\\)`));
    expect(out).not.toContain('\x1b[');
    expect(err).not.toMatch(/\bat .*\.[jt]s:\d+/);
  });
});
