import { describe, expect, it } from 'vitest';
import {
  applyOperations,
  customAdvertisedListeners,
  defaultHostTemplate,
  nlbTable,
  planListeners,
  revertOperations,
  type BrokerListenerConfig,
} from '../../src/kafka/listeners.js';

/** An MSK-shaped ZooKeeper broker: three listeners, everything static. */
function mskBroker(id: number, dynamic: Partial<BrokerListenerConfig['dynamic']> = {}): BrokerListenerConfig {
  const host = `b-${id}.feed.abc123.c2.kafka.us-east-1.amazonaws.com`;
  return {
    brokerId: id,
    host,
    values: {
      'listener.security.protocol.map': 'CLIENT_SECURE:SSL,REPLICATION:PLAINTEXT,REPLICATION_SECURE:SSL',
      listeners: `CLIENT_SECURE://${host}:9094,REPLICATION://${host}:9093,REPLICATION_SECURE://${host}:9095`,
      'advertised.listeners': `CLIENT_SECURE://${host}:9094,REPLICATION://${host}:9093,REPLICATION_SECURE://${host}:9095`,
    },
    dynamic: { 'listener.security.protocol.map': false, listeners: false, 'advertised.listeners': false, ...dynamic },
  };
}

const options = {
  listenerName: 'CLIENT_SECURE_VPCE',
  securityProtocol: 'SSL',
  hostTemplate: 'b-{id}-tls.feed.abc123.c2.kafka.us-east-1.amazonaws.com',
  portBase: 8440,
};

describe('the listener plan', () => {
  it('maps by broker id whatever order the brokers come in, and keeps every existing entry', () => {
    const plan = planListeners([mskBroker(3), mskBroker(1), mskBroker(2)], options, {
      brokers: ['x:9094'],
      now: new Date(0),
    });
    expect(plan.plan.map((e) => [e.brokerId, e.advertised.port, e.bind.port])).toEqual([
      [1, 8441, 8441],
      [2, 8442, 8442],
      [3, 8443, 8443],
    ]);
    const two = plan.plan[1];
    expect(two.after.listeners).toBe(
      `${mskBroker(2).values.listeners},CLIENT_SECURE_VPCE://b-2.feed.abc123.c2.kafka.us-east-1.amazonaws.com:8442`,
    );
    expect(two.after['advertised.listeners']).toBe(
      `${mskBroker(2).values['advertised.listeners']},CLIENT_SECURE_VPCE://b-2-tls.feed.abc123.c2.kafka.us-east-1.amazonaws.com:8442`,
    );
    expect(two.after['listener.security.protocol.map']).toBe(
      'CLIENT_SECURE:SSL,REPLICATION:PLAINTEXT,REPLICATION_SECURE:SSL,CLIENT_SECURE_VPCE:SSL',
    );
    expect(nlbTable(plan, new Map()).map((r) => `${r.nlbPort}->${r.brokerId}->${r.target}`)).toEqual([
      '8441->1->b-1.feed.abc123.c2.kafka.us-east-1.amazonaws.com:8441',
      '8442->2->b-2.feed.abc123.c2.kafka.us-east-1.amazonaws.com:8442',
      '8443->3->b-3.feed.abc123.c2.kafka.us-east-1.amazonaws.com:8443',
    ]);
  });

  it('derives the MSK-style default host template, and refuses what it cannot derive', () => {
    expect(
      defaultHostTemplate([
        'b-1.feed.abc123.c2.kafka.us-east-1.amazonaws.com',
        'b-2.feed.abc123.c2.kafka.us-east-1.amazonaws.com',
      ]),
    ).toBe('b-{id}-tls.feed.abc123.c2.kafka.us-east-1.amazonaws.com');
    expect(() => defaultHostTemplate(['localhost'])).toThrow(
      /cannot derive a host template from the broker names \(localhost\)/,
    );
    expect(() => defaultHostTemplate(['b-1.one.example.com', 'b-2.two.example.com'])).toThrow(/cannot derive/);
  });

  it('reverts overrides to their old values and deletes the ones it added', () => {
    const plan = planListeners([mskBroker(1, { listeners: true })], options, { brokers: [] });
    expect(applyOperations(plan.plan[0]).map((o) => `${o.op} ${o.name}`)).toEqual([
      'set listener.security.protocol.map',
      'set listeners',
      'set advertised.listeners',
    ]);
    expect(revertOperations(plan.plan[0])).toEqual([
      { name: 'listener.security.protocol.map', op: 'delete' },
      { name: 'listeners', op: 'set', value: mskBroker(1).values.listeners },
      { name: 'advertised.listeners', op: 'delete' },
    ]);
  });

  it('sends only the keys whose value changes, both ways', () => {
    const entry = planListeners([mskBroker(1)], options, { brokers: [] }).plan[0];
    // A plan in which the protocol map and advertised.listeners were already as wanted.
    const partial = {
      ...entry,
      before: { ...entry.after, listeners: entry.before.listeners },
      beforeDynamic: { ...entry.beforeDynamic, listeners: true },
    };
    expect(applyOperations(partial)).toEqual([{ name: 'listeners', op: 'set', value: entry.after.listeners }]);
    expect(revertOperations(partial)).toEqual([{ name: 'listeners', op: 'set', value: entry.before.listeners }]);
  });

  it('is idempotent, and refuses a clashing listener or port', () => {
    const applied = planListeners([mskBroker(1)], options, { brokers: [] }).plan[0].after;
    const again = planListeners([{ ...mskBroker(1), values: applied }], options, { brokers: [] });
    expect(again.plan[0].changes).toBe(false);
    expect(applyOperations(again.plan[0])).toEqual([]);
    expect(() =>
      planListeners([{ ...mskBroker(1), values: applied }], { ...options, portBase: 9440 }, { brokers: [] }),
    ).toThrow(/already has a listener CLIENT_SECURE_VPCE with other settings/);
    expect(() => planListeners([mskBroker(1)], { ...options, bindPort: 9094 }, { brokers: [] })).toThrow(
      /already listens on port 9094 \(CLIENT_SECURE\)/,
    );
    expect(
      () =>
        planListeners(
          [mskBroker(1), mskBroker(2)],
          { ...options, hostTemplate: 'nlb.example.com', portBase: 8440 },
          { brokers: [] },
        ).plan,
    ).not.toThrow();
  });

  it('builds the MSK property with {broker_id} in host and port', () => {
    expect(customAdvertisedListeners('CLIENT_SECURE', 'b-{id}-tls.example.com', 8440)).toBe(
      'CLIENT_SECURE://b-{broker_id}-tls.example.com:8440+{broker_id}',
    );
    expect(() => customAdvertisedListeners('CLIENT_SECURE', 'bad host', 8440)).toThrow(/not a host name/);
  });
});
