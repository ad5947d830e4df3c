import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { KfeedError } from '../../src/errors.js';
import { newClusterId } from '../../src/local/cluster-id.js';
import { portRegistryDir, releasePorts, reservePorts } from '../../src/local/ports.js';
import { failureReason } from '../../src/local/processes.js';
import { brokerProperties, parseProperties } from '../../src/local/properties.js';
import { parseClusterState } from '../../src/local/state.js';
import { tempDir } from '../helpers/env.js';

/** Pure checks of src/local: nothing is started, no file is written. */
describe('local cluster ID', () => {
  it('never starts with "-" over many IDs, and is 22 base64url characters', () => {
    const ids = Array.from({ length: 50_000 }, () => newClusterId());
    // About 1 in 64 raw draws starts with "-": 50,000 draws would show it hundreds of times.
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.filter((id) => !/^[A-Za-z0-9_-]{22}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws again when the bytes would start the ID with "-"', () => {
    // 0xf8 puts 62 in the first six bits: "-" in base64url.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    let calls = 0;
    const id = newClusterId(() => draws[calls++]);
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(calls).toBe(2);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
  });
});

describe('local cluster state file', () => {
  const file = '/data/clusters/c1/state.json';
  const whole = {
    name: 'c1',
    mode: 'kraft',
    dir: '/data/clusters/c1',
    kafkaVersion: '3.9.1',
    classpath: '/cache/libs/*',
    java: 'java',
    requireAcls: false,
    clusterId: 'AAAAAAAAAAAAAAAAAAAAAA',
    brokers: [
      {
        id: 1,
        pid: 42,
        dir: '/data/clusters/c1/broker-1',
        ports: { client: 1, clientSecure: 2, replication: 3, controller: 4 },
      },
    ],
    files: { ca: 'ca.pem', caKey: 'ca-key.pem', brokerKeystore: 'ks.pem', clientCert: 'c.pem', clientKey: 'k.pem' },
    principals: { broker: 'User:CN=localhost', admin: 'User:CN=kfeed-admin' },
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  it('reads a whole state', () => {
    expect(parseClusterState(JSON.stringify(whole), 'c1', file)).toEqual(whole);
  });

  it.each([
    ['not JSON', '{"name": "c1",', /not JSON/],
    ['an array', '[]', /not an object/],
    ['another cluster', JSON.stringify({ ...whole, name: 'c2' }), /bad or missing name/],
    ['an unknown mode', JSON.stringify({ ...whole, mode: 'raft' }), /bad or missing mode/],
    ['no brokers', JSON.stringify({ ...whole, brokers: [] }), /bad or missing brokers/],
    [
      'a port that is text',
      JSON.stringify({
        ...whole,
        brokers: [{ ...whole.brokers[0], ports: { ...whole.brokers[0].ports, client: '1' } }],
      }),
      /brokers\[0\]\.ports\.client/,
    ],
    [
      'a KRaft broker without controller',
      JSON.stringify({
        ...whole,
        brokers: [{ ...whole.brokers[0], ports: { client: 1, clientSecure: 2, replication: 3 } }],
      }),
      /controller port/,
    ],
    ['ZooKeeper mode without ZooKeeper', JSON.stringify({ ...whole, mode: 'zookeeper' }), /zookeeper/],
    ['no CA file', JSON.stringify({ ...whole, files: { ...whole.files, ca: undefined } }), /files\.ca\b/],
    ['no principals', JSON.stringify({ ...whole, principals: undefined }), /principals/],
  ])('refuses %s in one line naming the file', (_what, text, why) => {
    let caught: unknown;
    try {
      parseClusterState(text, 'c1', file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KfeedError);
    const error = caught as KfeedError;
    expect(error.kind).toBe('config');
    expect(error.line).toContain(`${file} is not the state of local cluster c1`);
    expect(error.message).toMatch(why);
    expect(error.line).not.toContain('\n');
  });
});

describe('broker properties', () => {
  const base = {
    requireAcls: true,
    principals: { broker: 'User:CN=localhost,O=b', admin: 'User:CN=kfeed-admin,O=a' },
    files: {
      ca: '/t/ca.pem',
      caKey: '/t/ca-key.pem',
      brokerKeystore: '/t/ks.pem',
      clientCert: '/t/c.pem',
      clientKey: '/t/k.pem',
    },
  };
  const kraftBroker = (id: number, first: number) => ({
    id,
    dir: `/c/broker-${id}`,
    ports: { client: first, clientSecure: first + 1, replication: first + 2, controller: first + 3 },
  });

  it('KRaft: combined roles, the quorum of every broker, MSK listener names, ACLs as asked', () => {
    const brokers = [kraftBroker(1, 9000), kraftBroker(2, 9010)];
    const props = parseProperties(brokerProperties({ ...base, mode: 'kraft', brokers }, brokers[1]));
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('2');
    expect(props.has('broker.id')).toBe(false);
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:9003,2@127.0.0.1:9013');
    expect(props.get('listeners')).toBe(
      'CLIENT://127.0.0.1:9010,CLIENT_SECURE://127.0.0.1:9011,REPLICATION_SECURE://127.0.0.1:9012,CONTROLLER://127.0.0.1:9013',
    );
    expect(props.get('advertised.listeners')).toBe(
      'CLIENT://127.0.0.1:9010,CLIENT_SECURE://localhost:9011,REPLICATION_SECURE://localhost:9012',
    );
    expect(props.get('listener.security.protocol.map')).toBe(
      'CLIENT:PLAINTEXT,CLIENT_SECURE:SSL,REPLICATION_SECURE:SSL,CONTROLLER:SSL',
    );
    expect(props.get('allow.everyone.if.no.acl.found')).toBe('false');
    expect(props.get('super.users')).toBe('User:CN=localhost,O=b;User:CN=kfeed-admin,O=a');
    expect(props.get('default.replication.factor')).toBe('2');
    expect(props.get('offsets.topic.replication.factor')).toBe('2');
    expect(props.get('log.dirs')).toBe('/c/broker-2/data');
    expect(props.get('ssl.truststore.location')).toBe('/t/ca.pem');
    expect(props.get('ssl.client.auth')).toBe('required');
    expect([...props.keys()].some((k) => k.includes('sasl'))).toBe(false);
  });

  it('ZooKeeper: broker.id, the ZooKeeper address, at most 3 replicas, an extra truststore', () => {
    const brokers = [1, 2, 3, 4].map((id) => ({
      id,
      dir: `/c/broker-${id}`,
      ports: { client: id * 10, clientSecure: id * 10 + 1, replication: id * 10 + 2 },
    }));
    const text = brokerProperties(
      {
        ...base,
        requireAcls: false,
        files: { ...base.files, truststore: '/t/trust.pem' },
        mode: 'zookeeper',
        zookeeper: { port: 2181, dir: '/c/zk' },
        brokers,
      },
      brokers[0],
    );
    const props = parseProperties(text);
    expect(props.get('broker.id')).toBe('1');
    expect(props.get('zookeeper.connect')).toBe('127.0.0.1:2181');
    expect(props.has('process.roles')).toBe(false);
    expect(props.get('authorizer.class.name')).toBe('kafka.security.authorizer.AclAuthorizer');
    expect(props.get('default.replication.factor')).toBe('3');
    expect(props.get('allow.everyone.if.no.acl.found')).toBe('true');
    expect(props.get('ssl.truststore.location')).toBe('/t/trust.pem');
    expect(text.split('\n').filter((l) => l.startsWith('listeners=')).length).toBe(1);
  });

  it('SCRAM: a SASL_SSL listener on its own port, password-only authentication there', () => {
    const broker = {
      id: 1,
      dir: '/c/broker-1',
      ports: { client: 1, clientSecure: 2, replication: 3, controller: 4, sasl: 5 },
    };
    const props = parseProperties(brokerProperties({ ...base, mode: 'kraft', brokers: [broker] }, broker));
    expect(props.get('listeners')).toContain('CLIENT_SASL_SCRAM://127.0.0.1:5');
    expect(props.get('advertised.listeners')).toContain('CLIENT_SASL_SCRAM://localhost:5');
    expect(props.get('listener.security.protocol.map')).toContain('CLIENT_SASL_SCRAM:SASL_SSL');
    expect(props.get('listener.name.client_sasl_scram.ssl.client.auth')).toBe('none');
    expect(props.get('listener.name.client_sasl_scram.sasl.enabled.mechanisms')).toBe('SCRAM-SHA-512');
  });
});

describe('why a broker exited', () => {
  it('names the error in its log, not the shutdown lines after it', () => {
    const dir = tempDir('kfeed-log-');
    const log = path.join(dir, 'broker.log');
    fs.writeFileSync(
      log,
      [
        '[2026-01-01 00:00:00,000] INFO starting (kafka.server.KafkaRaftServer)',
        '[2026-01-01 00:00:01,000] ERROR [KafkaRaftServer nodeId=1] Fatal error during startup. Prepare to shutdown ' +
          '(kafka.server.KafkaRaftServer) org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:30001: Address already in use.',
        '[2026-01-01 00:00:02,000] INFO [KafkaRaftServer nodeId=1] shutting down (kafka.server.KafkaRaftServer)',
        '[2026-01-01 00:00:02,100] INFO [KafkaRaftServer nodeId=1] shut down completed (kafka.server.KafkaRaftServer)',
      ].join('\n') + '\n',
    );
    expect(failureReason(log)).toMatch(/Address already in use/);
    fs.writeFileSync(log, 'one\ntwo\nthree\n');
    expect(failureReason(log)).toBe('two three');
    expect(failureReason(path.join(dir, 'none.log'))).toBe('no log');
  });
});

describe('port claims for local clusters', () => {
  it('clusters claiming at once get disjoint ports below the ephemeral range, each claim naming its cluster', async () => {
    const registry = tempDir('kfeed-ports-test-');
    const owners = Array.from({ length: 6 }, (_, i) => `/clusters/c${i}`);
    const claims = await Promise.all(owners.map((owner) => reservePorts(25, owner, registry)));
    const all = claims.flat();
    expect(new Set(all).size).toBe(6 * 25);
    const ephemeralLow = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    expect(all.filter((port) => port < 1025 || port >= ephemeralLow)).toEqual([]);
    claims.forEach((ports, i) => {
      for (const port of ports) expect(fs.readFileSync(path.join(registry, String(port)), 'utf8')).toBe(owners[i]);
    });
    // A release gives back only the releasing cluster's claims.
    releasePorts([...claims[0], ...claims[1]], owners[0], registry);
    expect(claims[0].filter((port) => fs.existsSync(path.join(registry, String(port))))).toEqual([]);
    expect(claims[1].every((port) => fs.existsSync(path.join(registry, String(port))))).toBe(true);
  });

  it('every kfeed of the user claims in the same folder, whatever its TMPDIR', () => {
    const uid = os.userInfo().uid;
    try {
      for (const tmp of ['/var/tmp/session-a', '/srv/run-b/tmp']) {
        vi.stubEnv('TMPDIR', tmp);
        expect(os.tmpdir()).toBe(tmp);
        expect(portRegistryDir()).toBe(`/tmp/kfeed-ports-${uid}`);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
