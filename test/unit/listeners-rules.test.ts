import { describe, expect, it } from 'vitest';
import {
  advertisedAddress,
  bindPortOf,
  checkListenerOptions,
  customAdvertisedListeners,
  defaultHostTemplate,
  expandHost,
  formatListeners,
  formatProtocolMap,
  nlbTable,
  parseListeners,
  parsePlan,
  parseProtocolMap,
  planBroker,
  planListeners,
  type BrokerListenerConfig,
  type ListenerOptions,
} from '../../src/kafka/listeners.js';
import { expectKfeedError } from '../helpers/assert.js';

const OPTIONS: ListenerOptions = {
  listenerName: 'VPCE',
  securityProtocol: 'SSL',
  hostTemplate: 'b-{id}-tls.example.com',
  portBase: 8440,
};
const STATIC = { 'listener.security.protocol.map': false, listeners: false, 'advertised.listeners': false };

/** A broker listening on `listeners`, advertising `advertised` (null: unset). */
function broker(
  id: number,
  listeners: string,
  advertised: string | null,
  map = 'INTERNAL:PLAINTEXT,CLIENT:SSL',
): BrokerListenerConfig {
  return {
    brokerId: id,
    host: `b-${id}.example.com`,
    values: { 'listener.security.protocol.map': map, listeners, 'advertised.listeners': advertised },
    dynamic: STATIC,
  };
}

describe('listener values', () => {
  it('parses NAME://host:port lists: names upper-cased, spaces trimmed, empty and IPv6 hosts', () => {
    expect(parseListeners(null)).toEqual([]);
    expect(parseListeners('  ')).toEqual([]);
    expect(parseListeners(' client://h.example.com:9094 , INTERNAL://:9092,V6://[::1]:1,ALL://0.0.0.0:65535')).toEqual([
      { name: 'CLIENT', host: 'h.example.com', port: 9094 },
      { name: 'INTERNAL', host: '', port: 9092 },
      { name: 'V6', host: '[::1]', port: 1 },
      { name: 'ALL', host: '0.0.0.0', port: 65535 },
    ]);
    expect(formatListeners(parseListeners('A://h:1,B://:2'))).toBe('A://h:1,B://:2');
  });

  it('refuses entries that are not NAME://host:port, naming the key', () => {
    for (const entry of [
      'CLIENT//h:1',
      'CLIENT://h',
      'CLIENT://h:123456',
      'CLI-ENT://h:1',
      'CLIENT://h:1/x',
      'CLIENT://h h:1',
    ]) {
      expectKfeedError(
        () => parseListeners(entry),
        'config',
        `the broker's listeners entry "${entry}" is not NAME://host:port`,
      );
    }
    expectKfeedError(
      () => parseListeners('A://h:1, x', 'advertised.listeners'),
      'config',
      `the broker's advertised.listeners entry "x" is not NAME://host:port`,
    );
  });

  it('parses the protocol map into ordered upper-case pairs', () => {
    expect(parseProtocolMap(null)).toEqual([]);
    expect(parseProtocolMap(' ')).toEqual([]);
    expect(parseProtocolMap('client:ssl, INTERNAL:PLAINTEXT')).toEqual([
      ['CLIENT', 'SSL'],
      ['INTERNAL', 'PLAINTEXT'],
    ]);
    expect(
      formatProtocolMap([
        ['A', 'SSL'],
        ['B', 'PLAINTEXT'],
      ]),
    ).toBe('A:SSL,B:PLAINTEXT');
    for (const entry of ['CLIENT', 'CLIENT:', ':SSL', 'A:B:C']) {
      expectKfeedError(
        () => parseProtocolMap(`X:SSL, ${entry}`),
        'config',
        `the broker's listener.security.protocol.map entry "${entry}" is not NAME:PROTOCOL`,
      );
    }
  });
});

describe('host templates and ports', () => {
  it('expands every {id}; the result must be a host name', () => {
    expect(expandHost('b-{id}-tls.x{id}.example.com', 3)).toBe('b-3-tls.x3.example.com');
    expect(expandHost('10.0.0.{id}', 7)).toBe('10.0.0.7');
    for (const template of ['b {id}.example.com', '.b-{id}.example.com', 'b-{id}.example.com.', 'b_{id}.x', '']) {
      expectKfeedError(
        () => expandHost(template, 1),
        'usage',
        `the host template "${template}" gives "${template.replaceAll('{id}', '1')}", which is not a host name`,
      );
    }
  });

  it('derives b-{id}-tls.<domain> from MSK broker names, and nothing from mixed, short or numeric names', () => {
    expect(
      defaultHostTemplate([
        'b-1.feed.abc.c2.kafka.us-east-1.amazonaws.com',
        'b-2.feed.abc.c2.kafka.us-east-1.amazonaws.com',
      ]),
    ).toBe('b-{id}-tls.feed.abc.c2.kafka.us-east-1.amazonaws.com');
    expect(defaultHostTemplate(['b-1.example.com'])).toBe('b-{id}-tls.example.com');
    // Only an all-numeric domain (an IP address) is refused; digits inside a name are fine.
    expect(defaultHostTemplate(['b-1.kafka.1'])).toBe('b-{id}-tls.kafka.1');
    expect(defaultHostTemplate(['b-1.10.kafka.example'])).toBe('b-{id}-tls.10.kafka.example');
    for (const hosts of [
      ['b-1.a.com', 'b-2.b.com'],
      ['localhost'],
      ['b-1.com'],
      ['10.0.0.1'],
      ['b-1.10.0.0.1'],
      ['b-1.172.31.10.25'],
      [],
    ]) {
      expectKfeedError(
        () => defaultHostTemplate(hosts),
        'usage',
        `cannot derive a host template from the broker names (${hosts.join(', ')})`,
      );
    }
  });

  it('advertises broker N at portBase + N; binds at --bind-port, --bind-port-base + N, or the advertised port', () => {
    expect(advertisedAddress(OPTIONS, 2)).toEqual({ host: 'b-2-tls.example.com', port: 8442 });
    expect(bindPortOf(OPTIONS, 2)).toBe(8442);
    expect(bindPortOf({ ...OPTIONS, bindPort: 9500 }, 2)).toBe(9500);
    expect(bindPortOf({ ...OPTIONS, bindPortBase: 9500 }, 2)).toBe(9502);
    expect(advertisedAddress({ ...OPTIONS, portBase: 65534 }, 1).port).toBe(65535);
    expect(advertisedAddress({ ...OPTIONS, portBase: 0 }, 1).port).toBe(1);
    expectKfeedError(
      () => advertisedAddress({ ...OPTIONS, portBase: 65535 }, 1),
      'usage',
      'the advertised port 65536 is not a TCP port',
    );
    expectKfeedError(
      () => advertisedAddress({ ...OPTIONS, portBase: -1 }, 0),
      'usage',
      'the advertised port -1 is not a TCP port',
    );
    expectKfeedError(
      () => advertisedAddress({ ...OPTIONS, portBase: 0 }, 0),
      'usage',
      'the advertised port 0 is not a TCP port',
    );
    expectKfeedError(
      () => bindPortOf({ ...OPTIONS, bindPort: 70000 }, 1),
      'usage',
      'the bind port 70000 is not a TCP port',
    );
    expectKfeedError(
      () => bindPortOf({ ...OPTIONS, bindPortBase: 65535 }, 1),
      'usage',
      'the bind port 65536 is not a TCP port',
    );
    expectKfeedError(
      () => bindPortOf({ ...OPTIONS, portBase: 1.5 }, 1),
      'usage',
      'the bind port 2.5 is not a TCP port',
    );
  });

  it('refuses listener names and protocols Kafka would refuse, and both bind-port flags', () => {
    checkListenerOptions(OPTIONS);
    checkListenerOptions({ ...OPTIONS, listenerName: 'A1_B', securityProtocol: 'SASL_SSL' });
    for (const name of ['vpce', '1VPCE', 'VP-CE', ''])
      expectKfeedError(
        () => checkListenerOptions({ ...OPTIONS, listenerName: name }),
        'usage',
        `"${name}" is not a listener name`,
      );
    for (const protocol of ['ssl', 'TLS', 'PLAINTEXTX']) {
      expectKfeedError(
        () => checkListenerOptions({ ...OPTIONS, securityProtocol: protocol }),
        'usage',
        `"${protocol}" is not a Kafka security protocol`,
      );
    }
    checkListenerOptions({ ...OPTIONS, bindPort: 1 });
    checkListenerOptions({ ...OPTIONS, bindPortBase: 2 });
    expectKfeedError(
      () => checkListenerOptions({ ...OPTIONS, bindPort: 1, bindPortBase: 2 }),
      'usage',
      '--bind-port and --bind-port-base exclude each other',
    );
  });
});

describe('planning one broker', () => {
  it('binds beside the listener of the same protocol, adds the new entries at the end, and says how to reach it', () => {
    const plan = planBroker(
      broker(1, 'INTERNAL://10.0.0.5:9092,CLIENT://10.0.0.5:9094', 'INTERNAL://b-1:9092,CLIENT://b-1:9094'),
      OPTIONS,
    );
    expect(plan).toMatchObject({
      brokerId: 1,
      advertised: { host: 'b-1-tls.example.com', port: 8441 },
      bind: { host: '10.0.0.5', port: 8441 },
      direct: '10.0.0.5:8441',
      changes: true,
      after: {
        'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,CLIENT:SSL,VPCE:SSL',
        listeners: 'INTERNAL://10.0.0.5:9092,CLIENT://10.0.0.5:9094,VPCE://10.0.0.5:8441',
        'advertised.listeners': 'INTERNAL://b-1:9092,CLIENT://b-1:9094,VPCE://b-1-tls.example.com:8441',
      },
    });
    expect(plan.before['advertised.listeners']).toBe('INTERNAL://b-1:9092,CLIENT://b-1:9094');
  });

  it('reaches a loopback or wildcard bind through the broker host; --bind-host wins', () => {
    const loopback = planBroker(broker(2, 'CLIENT://127.0.0.1:9094', 'CLIENT://b-2:9094'), OPTIONS);
    expect([loopback.bind.host, loopback.direct]).toEqual(['127.0.0.1', 'b-2.example.com:8442']);
    const wildcard = planBroker(broker(2, 'CLIENT://0.0.0.0:9094', 'CLIENT://b-2:9094'), OPTIONS);
    expect([wildcard.bind.host, wildcard.direct]).toEqual(['0.0.0.0', 'b-2.example.com:8442']);
    const v6 = planBroker(broker(2, 'CLIENT://[::]:9094', 'CLIENT://b-2:9094'), OPTIONS);
    expect(v6.direct).toBe('b-2.example.com:8442');
    const other = planBroker(broker(2, 'INTERNAL://10.1.1.1:9092', 'INTERNAL://b-2:9092'), OPTIONS);
    expect([other.bind.host, other.direct]).toEqual(['', 'b-2.example.com:8442']);
    const given = planBroker(broker(2, 'CLIENT://127.0.0.1:9094', 'CLIENT://b-2:9094'), {
      ...OPTIONS,
      bindHost: 'h.internal',
    });
    expect([given.bind.host, given.direct]).toEqual(['h.internal', 'h.internal:8442']);
  });

  it('binds beside the first listener of the same protocol, not merely the first listener', () => {
    const plan = planBroker(
      broker(1, 'INTERNAL://10.0.0.5:9092,CLIENT://127.0.0.1:9094', 'INTERNAL://b-1:9092,CLIENT://b-1:9094'),
      OPTIONS,
    );
    expect(plan.bind).toEqual({ host: '127.0.0.1', port: 8441 });
  });

  it('a wildcard bind among named ones still needs advertised.listeners', () => {
    expectKfeedError(
      () => planBroker(broker(4, 'INTERNAL://10.0.0.5:9092,CLIENT://0.0.0.0:9094', null), OPTIONS),
      'config',
      'broker 4 has no advertised.listeners and binds a wildcard address',
    );
  });

  it('unset advertised.listeners means the listeners themselves', () => {
    const plan = planBroker(broker(1, 'CLIENT://b-1:9094', null), OPTIONS);
    expect(plan.after['advertised.listeners']).toBe('CLIENT://b-1:9094,VPCE://b-1-tls.example.com:8441');
  });

  it('a listener already there with the same settings is no change; with others it is a conflict', () => {
    const done = broker(
      1,
      'CLIENT://h:9094,VPCE://h:8441',
      'CLIENT://b-1:9094,VPCE://b-1-tls.example.com:8441',
      'CLIENT:SSL,VPCE:SSL',
    );
    const same = planBroker(done, OPTIONS);
    expect(same.changes).toBe(false);
    expect(same.after).toEqual(done.values);
    const unset = planBroker(
      { ...done, values: { ...done.values, 'advertised.listeners': null } },
      { ...OPTIONS, hostTemplate: 'h', portBase: 8440 },
    );
    expect(() => unset).not.toThrow();
    const conflict = `broker 1 already has a listener VPCE with other settings`;
    expectKfeedError(() => planBroker(done, { ...OPTIONS, portBase: 9000 }), 'conflict', conflict);
    expectKfeedError(() => planBroker(done, { ...OPTIONS, securityProtocol: 'SASL_SSL' }), 'conflict', conflict);
    expectKfeedError(() => planBroker(done, { ...OPTIONS, hostTemplate: 'x-{id}.example.com' }), 'conflict', conflict);
    expectKfeedError(() => planBroker(done, { ...OPTIONS, bindHost: 'other' }), 'conflict', conflict);
    expectKfeedError(() => planBroker(done, { ...OPTIONS, bindPort: 8000 }), 'conflict', conflict);
    expectKfeedError(
      () => planBroker(broker(1, 'CLIENT://h:9094', null, 'CLIENT:SSL,VPCE:SSL'), OPTIONS),
      'conflict',
      conflict,
    );
    expectKfeedError(
      () => planBroker(broker(1, 'CLIENT://h:9094', 'CLIENT://h:9094,VPCE://b-1-tls.example.com:8441'), OPTIONS),
      'conflict',
      conflict,
    );
  });

  it('refuses a broker without listeners, a wildcard bind without advertised.listeners, and a port in use', () => {
    expectKfeedError(() => planBroker(broker(4, '', null), OPTIONS), 'config', 'broker 4 reports no listeners');
    for (const listeners of ['CLIENT://:9094', 'CLIENT://0.0.0.0:9094', 'CLIENT://[::]:9094']) {
      expectKfeedError(
        () => planBroker(broker(4, listeners, null), OPTIONS),
        'config',
        'broker 4 has no advertised.listeners and binds a wildcard address',
      );
    }
    const busy = 'broker 1 already listens on port 8441 (CLIENT)';
    expectKfeedError(() => planBroker(broker(1, 'CLIENT://h:8441', 'CLIENT://h:8441'), OPTIONS), 'usage', busy);
    expectKfeedError(
      () => planBroker(broker(1, 'CLIENT://h:8441', 'CLIENT://h:8441'), { ...OPTIONS, bindHost: '0.0.0.0' }),
      'usage',
      busy,
    );
    expectKfeedError(
      () => planBroker(broker(1, 'CLIENT://0.0.0.0:8441', 'CLIENT://h:8441'), { ...OPTIONS, bindHost: 'h2' }),
      'usage',
      busy,
    );
    expectKfeedError(
      () => planBroker(broker(1, 'CLIENT://:8441', 'CLIENT://h:8441'), { ...OPTIONS, bindHost: 'h2' }),
      'usage',
      busy,
    );
    expectKfeedError(
      () => planBroker(broker(1, 'INTERNAL://h:8441', 'INTERNAL://h:8441'), OPTIONS),
      'usage',
      'broker 1 already listens on port 8441 (INTERNAL)',
    );
    // The same port on another address is free.
    expect(planBroker(broker(1, 'CLIENT://h1:8441', 'CLIENT://h1:8441'), { ...OPTIONS, bindHost: 'h2' }).changes).toBe(
      true,
    );
  });
});

describe('the whole plan', () => {
  const brokers = [
    broker(2, 'CLIENT://h2:9094', 'CLIENT://b-2:9094'),
    broker(1, 'CLIENT://h1:9094', 'CLIENT://b-1:9094'),
  ];

  it('lists brokers by id, with what was asked and when', () => {
    const plan = planListeners(brokers, OPTIONS, { brokers: ['b-1:9094'], now: new Date(Date.UTC(2025, 0, 2)) });
    expect(plan).toMatchObject({
      kind: 'kfeed-listener-plan',
      version: 1,
      createdAt: '2025-01-02T00:00:00.000Z',
      brokers: ['b-1:9094'],
      listenerName: 'VPCE',
      securityProtocol: 'SSL',
      hostTemplate: 'b-{id}-tls.example.com',
      portBase: 8440,
    });
    expect(plan.plan.map((p) => p.brokerId)).toEqual([1, 2]);
    expect(Date.parse(planListeners(brokers, OPTIONS, { brokers: [] }).createdAt)).toBeGreaterThan(
      Date.UTC(2025, 0, 1),
    );
  });

  it('refuses no brokers, bad options, and two brokers behind one address', () => {
    expectKfeedError(() => planListeners([], OPTIONS, { brokers: [] }), 'config', 'the cluster reports no brokers');
    expectKfeedError(
      () => planListeners(brokers, { ...OPTIONS, listenerName: 'x' }, { brokers: [] }),
      'usage',
      '"x" is not a listener name',
    );
    // Ports differ by broker id, so only a broker reported twice can collide.
    expectKfeedError(
      () =>
        planListeners(
          [broker(1, 'C://h1:9094', 'C://h1:9094', 'C:SSL'), broker(1, 'C://h2:9094', 'C://h2:9094', 'C:SSL')],
          OPTIONS,
          { brokers: [] },
        ),
      'usage',
      'brokers 1 and 1 would both be advertised as b-1-tls.example.com:8441',
    );
  });

  it('reads back a saved plan and refuses anything else', () => {
    const plan = planListeners(brokers, OPTIONS, { brokers: [] });
    expect(parsePlan(JSON.stringify(plan), 'p.json')).toEqual(plan);
    expectKfeedError(() => parsePlan('{', 'p.json'), 'usage', /^p\.json is not JSON \(/);
    for (const text of [
      'null',
      '{}',
      JSON.stringify({ ...plan, kind: 'other' }),
      JSON.stringify({ ...plan, version: 2 }),
      JSON.stringify({ ...plan, plan: {} }),
    ]) {
      expectKfeedError(() => parsePlan(text, 'p.json'), 'usage', 'p.json is not a kfeed listener plan');
    }
  });

  it('the NLB targets: the bind host when it is a real address, else the broker host', () => {
    const plan = planListeners(
      [
        broker(1, 'CLIENT://10.0.0.1:9094', 'CLIENT://b-1:9094'),
        broker(2, 'CLIENT://127.0.0.1:9094', 'CLIENT://b-2:9094'),
        broker(3, 'CLIENT://0.0.0.0:9094', 'CLIENT://b-3:9094'),
      ],
      OPTIONS,
      { brokers: [] },
    );
    expect(nlbTable(plan, new Map([[2, 'ip-2.internal']]))).toEqual([
      { nlbPort: 8441, brokerId: 1, advertised: 'b-1-tls.example.com:8441', target: '10.0.0.1:8441' },
      { nlbPort: 8442, brokerId: 2, advertised: 'b-2-tls.example.com:8442', target: 'ip-2.internal:8442' },
      { nlbPort: 8443, brokerId: 3, advertised: 'b-3-tls.example.com:8443', target: 'b-3.example.com:8443' },
    ]);
  });

  it("MSK's custom.advertised.listeners: one template with {broker_id}", () => {
    expect(customAdvertisedListeners('VPCE', 'b-{id}-tls.example.com', 8440)).toBe(
      'VPCE://b-{broker_id}-tls.example.com:8440+{broker_id}',
    );
    expectKfeedError(
      () => customAdvertisedListeners('VPCE', 'bad host', 8440),
      'usage',
      'the host template "bad host" gives "bad host", which is not a host name',
    );
  });
});
