import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionSettings } from '../src/config/connection.js';
import { brokerOverrides, readListenerConfigs } from '../src/kafka/broker-configs.js';
import { withAdmin } from '../src/kafka/client.js';
import { freePortBase, startForwarder, type Forwarder } from './helpers/forwarder.js';
import { suiteKafkaVersion, tempDir } from './helpers/env.js';
import { kfeed } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';
import { describeBrokerConfigs, runKafkaTool, type KafkaToolTarget } from './helpers/kafka-tools.js';
import { kcat } from './helpers/kcat.js';
import { poll } from '../src/wait.js';

// ZooKeeper mode exists up to Kafka 3.9: this file runs in the 3.9 pass of the suite only.
const NAME = `zk-${Date.now().toString(36)}`;
const LISTENER = 'CLIENT_SECURE_VPCE';

interface ClusterFacts {
  bootstrap: { tls: string[] };
  files: { ca: string; clientCert: string; clientKey: string };
}

let facts: ClusterFacts;
let settings: ConnectionSettings;
let flags: string[];
let portBase: number;
let bindPortBase: number;
/** The cluster before any test ran, as kfeed's own readers see it, and as Kafka's kafka-configs does. */
let original: Awaited<ReturnType<typeof snapshot>>;
let originalView: string;
const work = tempDir('kfeed-listeners-');

function settingsFor(brokers: string[]): ConnectionSettings {
  return {
    brokers,
    security: 'ssl',
    tls: {
      ca: fs.readFileSync(facts.files.ca, 'utf8'),
      cert: fs.readFileSync(facts.files.clientCert, 'utf8'),
      key: fs.readFileSync(facts.files.clientKey, 'utf8'),
    },
    origin: {},
    files: {},
  };
}

/** kfeed's connection flags for the cluster's admin through `brokers`. */
function flagsFor(brokers: string[]): string[] {
  return [
    '--brokers',
    brokers.join(','),
    '--ca',
    facts.files.ca,
    '--cert',
    facts.files.clientCert,
    '--key',
    facts.files.clientKey,
  ];
}

/** Apache Kafka's own tools, over mTLS, as the cluster's admin. */
function toolTarget(brokers = facts.bootstrap.tls): KafkaToolTarget {
  return { cluster: NAME, brokers, ca: facts.files.ca, cert: facts.files.clientCert, key: facts.files.clientKey };
}

/** Runs a Kafka tool and fails on its errors (some exit 0 and print "Error ..."). */
async function kafkaTool(mainClass: string, args: string[]): Promise<string> {
  const run = await runKafkaTool(toolTarget(), mainClass, args);
  if (run.code !== 0 || /^Error/m.test(run.stdout + run.stderr))
    throw new Error(`${mainClass} failed (${run.code}): ${(run.stderr || run.stdout).slice(-2000)}`);
  return run.stdout;
}

/** Every broker's listener configs and all of its per-broker overrides. */
async function snapshot() {
  return withAdmin(settings, async (admin) => {
    const listeners = await readListenerConfigs(admin);
    const overrides = Object.fromEntries(
      await Promise.all(listeners.map(async (b) => [b.brokerId, await brokerOverrides(admin, b.brokerId)] as const)),
    );
    return { listeners, overrides };
  });
}

/** Every broker's configs and the cluster defaults, as Apache Kafka's kafka-configs prints them. */
function kafkaView(): Promise<string> {
  return describeBrokerConfigs({
    cluster: NAME,
    brokers: facts.bootstrap.tls,
    ca: facts.files.ca,
    cert: facts.files.clientCert,
    key: facts.files.clientKey,
  });
}

beforeAll(async () => {
  const up = await kfeed([
    'local',
    'up',
    '--mode',
    'zookeeper',
    '--brokers',
    '3',
    '--name',
    NAME,
    '--kafka-version',
    suiteKafkaVersion(),
    '--require-acls',
    '--no-profile',
    '--json',
  ]);
  expect(up.stderr).not.toMatch(/error/i);
  expect(up.code).toBe(0);
  facts = JSON.parse(up.stdout) as ClusterFacts;
  settings = settingsFor(facts.bootstrap.tls);
  flags = flagsFor(facts.bootstrap.tls);
  portBase = await freePortBase(3);
  bindPortBase = await freePortBase(3, [portBase + 1, portBase + 2, portBase + 3]);
  // Overrides someone set before: they must survive apply and revert.
  // (set with Kafka's own kafka-configs, an independent client)
  const alter = (broker: string, config: string) =>
    kafkaTool('kafka.admin.ConfigCommand', [
      '--entity-type',
      'brokers',
      '--entity-name',
      broker,
      '--alter',
      '--add-config',
      config,
    ]);
  await alter('2', 'log.cleaner.threads=2');
  await alter('3', 'log.cleaner.io.buffer.load.factor=0.8');
  original = await poll(
    async () => {
      const s = await snapshot();
      return s.overrides[2]['log.cleaner.threads'] === '2' ? s : undefined;
    },
    { what: 'the log.cleaner.threads override to show', timeoutMs: 30_000 },
  );
  originalView = await kafkaView();
  expect(originalView).toContain('log.cleaner.threads=2 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG');
});

afterAll(async () => {
  await kfeed(['local', 'down', '--name', NAME]);
  fs.rmSync(work, { recursive: true, force: true });
});

// Each test starts from the cluster as beforeAll left it and puts it back: they run in a random
// order (describe.shuffle), so none can lean on another's leftovers.
describe.shuffle('update-listeners on a three-broker ZooKeeper-mode cluster', () => {
  const listenerArgs = () => [
    '--host-template',
    'localhost',
    '--port-base',
    String(portBase),
    '--bind-port-base',
    String(bindPortBase),
  ];

  async function apply(planFile: string) {
    const applied = await kfeed(['update-listeners', ...flags, ...listenerArgs(), '--apply', '--plan-file', planFile], {
      cwd: work,
    });
    expect(applied.stderr).toContain(`undo with: kfeed update-listeners --revert ${planFile}`);
    expect(applied.code).toBe(0);
    expect(fs.existsSync(planFile)).toBe(true);
  }

  async function revert(planFile: string) {
    const reverted = await kfeed(['update-listeners', ...flags, '--revert', planFile], { cwd: work });
    expect(reverted.stderr).toMatch(/restored the listener configs of broker\(s\) 1, 2, 3/);
    expect(reverted.code).toBe(0);
  }

  /** Applies, runs `body`, and reverts whatever happens, so the next test finds the cluster as it was. */
  async function whileApplied(name: string, body: (planFile: string) => Promise<void>) {
    const planFile = path.join(work, `${name}-${Date.now().toString(36)}.json`);
    await apply(planFile);
    try {
      await body(planFile);
    } finally {
      if (fs.existsSync(planFile))
        await kfeed(['update-listeners', ...flags, '--revert', planFile], { cwd: work }).then((r) => {
          if (r.code !== 0 && !/already have the saved values/.test(r.stderr)) throw new Error(r.stderr);
        });
    }
  }

  it('shows the plan as a dry run and changes nothing', async () => {
    const before = await kafkaView();
    const dry = await kfeed(['update-listeners', ...flags, ...listenerArgs()], { cwd: work });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/dry run: nothing was changed/);
    for (const id of [1, 2, 3]) {
      expect(dry.stdout).toContain(
        `broker ${id}: advertised localhost:${portBase + id}, binds 127.0.0.1:${bindPortBase + id}`,
      );
    }
    expect(dry.stdout).toMatch(new RegExp(`after: .*${LISTENER}://localhost:${portBase + 2}`));

    const json = await kfeed(['update-listeners', ...flags, ...listenerArgs(), '--json'], { cwd: work });
    const plan = JSON.parse(json.stdout);
    expect(plan.applied).toBe(false);
    expect(
      plan.plan.map((e: { brokerId: number; advertised: { port: number }; bind: { port: number } }) => [
        e.brokerId,
        e.advertised.port,
        e.bind.port,
      ]),
    ).toEqual([
      [1, portBase + 1, bindPortBase + 1],
      [2, portBase + 2, bindPortBase + 2],
      [3, portBase + 3, bindPortBase + 3],
    ]);
    expect(await kafkaView()).toEqual(before);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('dry'))).toEqual([]); // no plan file from a dry run
  });

  it('prints the NLB table from the same mapping, by broker id', async () => {
    const nlb = await kfeed(['update-listeners', ...flags, ...listenerArgs(), '--print-nlb', '--json'], { cwd: work });
    expect(nlb.code).toBe(0);
    expect(JSON.parse(nlb.stdout)).toEqual(
      [1, 2, 3].map((id) => ({
        nlbPort: portBase + id,
        brokerId: id,
        advertised: `localhost:${portBase + id}`,
        target: `localhost:${bindPortBase + id}`,
      })),
    );
    const human = await kfeed(['update-listeners', ...flags, ...listenerArgs(), '--print-nlb'], { cwd: work });
    expect(human.stdout).toMatch(/NLB PORT\s+BROKER\s+ADVERTISED AS\s+TARGET/);
  });

  it('applies, keeps other overrides, and serves clients that know only one NLB address', async () => {
    await whileApplied('serve', async () => {
      const after = await snapshot();
      for (const broker of after.listeners) {
        const id = broker.brokerId;
        expect(broker.values.listeners).toContain(`${LISTENER}://127.0.0.1:${bindPortBase + id}`);
        expect(broker.values['advertised.listeners']).toContain(`${LISTENER}://localhost:${portBase + id}`);
        expect(broker.values['listener.security.protocol.map']).toContain(`${LISTENER}:SSL`);
        // The listeners the cluster had keep their values inside the new lists.
        const before = original.listeners.find((b) => b.brokerId === id)!;
        for (const entry of before.values.listeners!.split(',')) expect(broker.values.listeners).toContain(entry);
        for (const entry of before.values['advertised.listeners']!.split(','))
          expect(broker.values['advertised.listeners']).toContain(entry);
      }
      expect(after.overrides[2]['log.cleaner.threads']).toBe('2');
      expect(after.overrides[3]['log.cleaner.io.buffer.load.factor']).toBe('0.8');

      // The NLB: port base + N forwards to broker N's new listener.
      const forwarders: Forwarder[] = [];
      try {
        for (const id of [1, 2, 3])
          forwarders.push(await startForwarder(portBase + id, { host: '127.0.0.1', port: bindPortBase + id }));
        await serveThroughNlb(forwarders);
      } finally {
        await Promise.all(forwarders.map((f) => f.close()));
      }
    });
  });

  it('applying the same plan again changes nothing', async () => {
    await whileApplied('twice', async () => {
      const applied = await kafkaView();
      const again = await kfeed(
        ['update-listeners', ...flags, ...listenerArgs(), '--apply', '--plan-file', path.join(work, 'again.json')],
        { cwd: work },
      );
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/already has this listener; nothing to do/);
      expect(fs.existsSync(path.join(work, 'again.json'))).toBe(false);
      expect(await kafkaView()).toEqual(applied);
    });
  });

  it("reverts exactly, as Kafka's own kafka-configs sees every broker and the cluster defaults", async () => {
    // Whatever ran before this test left the cluster as the suite found it.
    const before = await kafkaView();
    expect(before).toEqual(originalView);
    const planFile = path.join(work, 'exact.json');
    await apply(planFile);
    const applied = await kafkaView();
    // The oracle sees the change it must later see undone.
    expect(applied).toContain(`${LISTENER}://localhost:${portBase + 1}`);
    await poll(async () => ((await refuses(bindPortBase + 1)) ? undefined : true), {
      what: 'the new listener to accept connections',
      timeoutMs: 60_000,
    });

    await revert(planFile);
    expect(await kafkaView()).toEqual(before);
    expect(await snapshot()).toEqual(original);
    // The added listener's ports are closed again on every broker.
    for (const id of [1, 2, 3])
      await poll(async () => ((await refuses(bindPortBase + id)) ? true : undefined), {
        what: `broker ${id} to close port ${bindPortBase + id}`,
        timeoutMs: 60_000,
      });

    const twice = await kfeed(['update-listeners', ...flags, '--revert', planFile], { cwd: work });
    expect(twice.code).toBe(0);
    expect(twice.stderr).toMatch(/already have the saved values/);
    expect(await kafkaView()).toEqual(before);
  });

  it('refuses bad input with one line, and changes nothing', async () => {
    const before = await kafkaView();
    const cases: Array<[string[], number, RegExp]> = [
      // --apply: even asked to change the cluster, bad input changes nothing.
      [['--port-base', String(portBase), '--apply'], 2, /cannot derive a host template.*--host-template/],
      [[...listenerArgs(), '--listener-name', 'bad name', '--apply'], 2, /not a listener name/],
      [[...listenerArgs(), '--security-protocol', 'TLS', '--apply'], 2, /not a Kafka security protocol/],
      [[...listenerArgs(), '--bind-port', '9999', '--apply'], 2, /--bind-port and --bind-port-base exclude each other/],
      [['--revert', path.join(work, 'nosuch.json')], 3, /plan file .* does not exist/],
    ];
    for (const [args, code, message] of cases) {
      const result = await kfeed(['update-listeners', ...flags, ...args], { cwd: work });
      expectFailure(result, code, message, args);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await kafkaView()).toEqual(before);
  });
});

/** True when nothing listens on 127.0.0.1:`port` (the connection is refused). */
function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Produces and consumes through the NLB stand-ins only, and checks every broker was reached through its own. */
async function serveThroughNlb(forwarders: Forwarder[]) {
  const viaNlb = [`localhost:${portBase + 1}`];
  const topic = `vpce-${Date.now().toString(36)}`;
  const created = await kfeed(['create-topic', topic, '--partitions', '3', ...flagsFor(viaNlb)]);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);

  // kcat (librdkafka, an independent client) produces and reads back through the NLB stand-ins.
  const tls = { ca: facts.files.ca, cert: facts.files.clientCert, key: facts.files.clientKey };
  const sent = Array.from({ length: 30 }, (_, i) => `tick-${i}`);
  for (const partition of [0, 1, 2]) {
    const lines = sent.filter((_, i) => i % 3 === partition);
    const produced = await kcat(viaNlb, tls, ['-P', '-t', topic, '-p', String(partition)], {
      stdin: `${lines.join('\n')}\n`,
    });
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
  }
  const read = await kcat(viaNlb, tls, ['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%p %s\n'], {
    timeoutMs: 60_000,
  });
  expect(read.code).toBe(0);
  const rows = read.stdout.trim().split('\n').filter(Boolean);
  expect(rows.map((r) => r.split(' ')[1]).sort()).toEqual([...sent].sort());
  expect([...new Set(rows.map((r) => Number(r.split(' ')[0])))].sort()).toEqual([0, 1, 2]);

  // Every broker was reached through its NLB port, none directly.
  const leaders = await withAdmin(settings, async (admin) =>
    (await admin.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)!.partitions.map((p) => p.leader),
  );
  for (const leader of new Set(leaders)) {
    const forwarder = forwarders[leader - 1];
    expect(forwarder.connections).toBeGreaterThan(0);
    expect(forwarder.bytesFromTarget).toBeGreaterThan(0);
  }
  for (const forwarder of forwarders) expect(forwarder.connections).toBeGreaterThan(0);

  // No one was opened to everybody along the way (listed by Kafka's own kafka-acls). The cluster
  // has no ACL of its own (its admin and brokers are super users): one granted through the NLB
  // stand-ins must be listed, so an empty or unread listing cannot pass.
  const sentinel = 'User:CN=nlb-sentinel';
  const granted = await kfeed([
    'acl',
    'grant',
    '--principal',
    sentinel,
    '--role',
    'consumer',
    '--topic',
    topic,
    '--brokers',
    viaNlb.join(','),
    '--ca',
    facts.files.ca,
    '--admin-cert',
    facts.files.clientCert,
    '--admin-key',
    facts.files.clientKey,
  ]);
  expect(granted.stderr).toBe('');
  expect(granted.code).toBe(0);
  const acls = await kafkaTool('kafka.admin.AclCommand', ['--list']);
  const principals = [...acls.matchAll(/principal=(User:[^,)]+)[,)]/g)].map((m) => m[1]);
  expect(principals).toContain(sentinel);
  expect(principals).not.toContain('User:*');
}
