import { KfeedError } from '../errors.js';

/**
 * The plan behind `kfeed update-listeners`: pure functions from each broker's current
 * listener configs and the user's options to a per-broker before -> after. Nothing here
 * talks to a broker, so the dry run, --apply, --revert and --print-nlb all read the same
 * mapping (broker id -> advertised host:port -> bind port).
 */

/** The three per-broker configs that together define a broker's listeners. */
export const LISTENER_KEYS = ['listener.security.protocol.map', 'listeners', 'advertised.listeners'] as const;
export type ListenerKey = (typeof LISTENER_KEYS)[number];

export type ListenerValues = Record<ListenerKey, string | null>;

/** What a broker reports for its listener configs (describeConfigs on resource BROKER "<id>"). */
export interface BrokerListenerConfig {
  brokerId: number;
  /** The host the broker advertises to this client (its metadata host). */
  host: string;
  values: ListenerValues;
  /** Which keys are per-broker dynamic overrides (the rest come from server.properties or defaults). */
  dynamic: Record<ListenerKey, boolean>;
}

export interface ListenerOptions {
  listenerName: string;
  securityProtocol: string;
  /** Advertised host, `{id}` replaced by the broker id. */
  hostTemplate: string;
  /** Broker N is advertised at port portBase + N. */
  portBase: number;
  /** Host the new listener binds to; default: the host of an existing listener with the same protocol. */
  bindHost?: string;
  /** One bind port for every broker (each broker is its own host). */
  bindPort?: number;
  /** Broker N binds bindPortBase + N (for brokers that share a host). Default: the advertised port. */
  bindPortBase?: number;
}

export interface BrokerPlan {
  brokerId: number;
  /** Where clients behind the load balancer reach this broker. */
  advertised: { host: string; port: number };
  /** Where the broker listens; the load balancer's target. */
  bind: { host: string; port: number };
  /** Host:port that reaches the new listener directly (for verification without the load balancer). */
  direct: string;
  before: ListenerValues;
  beforeDynamic: Record<ListenerKey, boolean>;
  after: Record<ListenerKey, string>;
  /** False when the broker already has exactly this listener. */
  changes: boolean;
}

export interface ListenerPlan {
  kind: 'kfeed-listener-plan';
  version: 1;
  createdAt: string;
  brokers: string[];
  listenerName: string;
  securityProtocol: string;
  hostTemplate: string;
  portBase: number;
  plan: BrokerPlan[];
}

export interface ListenerEntry {
  name: string;
  host: string;
  port: number;
}

const LISTENER_NAME = /^[A-Z][A-Z0-9_]*$/;
const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/** `NAME://host:port,...` -> entries; an empty host means every interface. */
export function parseListeners(value: string | null, key = 'listeners'): ListenerEntry[] {
  if (!value || !value.trim()) return [];
  return value.split(',').map((raw) => {
    const entry = raw.trim();
    const match = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]*):(\d{1,5})$/.exec(entry);
    if (!match)
      throw new KfeedError('config', `the broker's ${key} entry "${entry}" is not NAME://host:port`, {
        hint: 'fix the broker config first',
      });
    return { name: match[1].toUpperCase(), host: match[2], port: Number(match[3]) };
  });
}

export function formatListeners(entries: ListenerEntry[]): string {
  return entries.map((e) => `${e.name}://${e.host}:${e.port}`).join(',');
}

/** `NAME:PROTOCOL,...` -> ordered pairs. */
export function parseProtocolMap(value: string | null): Array<[string, string]> {
  if (!value || !value.trim()) return [];
  return value.split(',').map((raw) => {
    const [name, protocol, ...rest] = raw.trim().split(':');
    if (!name || !protocol || rest.length) {
      throw new KfeedError(
        'config',
        `the broker's listener.security.protocol.map entry "${raw.trim()}" is not NAME:PROTOCOL`,
        { hint: 'fix the broker config first' },
      );
    }
    return [name.toUpperCase(), protocol.toUpperCase()];
  });
}

export function formatProtocolMap(pairs: Array<[string, string]>): string {
  return pairs.map(([n, p]) => `${n}:${p}`).join(',');
}

/** Replaces `{id}` in a host template; the result must be a plain host name or address. */
export function expandHost(template: string, brokerId: number): string {
  const host = template.replaceAll('{id}', String(brokerId));
  if (!/^[A-Za-z0-9.-]+$/.test(host) || host.startsWith('.') || host.endsWith('.')) {
    throw new KfeedError('usage', `the host template "${template}" gives "${host}", which is not a host name`, {
      hint: 'write it like b-{id}-tls.example.com',
    });
  }
  return host;
}

/**
 * The default host template: MSK names brokers b-N.<cluster domain>, and its broker
 * certificates are issued to *.<cluster domain>, so b-N-tls.<cluster domain> is both
 * a name the client account can put in DNS and a name the certificate matches.
 */
export function defaultHostTemplate(brokerHosts: string[]): string {
  const domains = new Set(brokerHosts.map((h) => h.split('.').slice(1).join('.')));
  const [domain] = [...domains];
  if (domains.size !== 1 || !domain || !domain.includes('.') || /^\d+(\.\d+)*$/.test(domain)) {
    throw new KfeedError('usage', `cannot derive a host template from the broker names (${brokerHosts.join(', ')})`, {
      hint: 'pass --host-template, e.g. --host-template "b-{id}-tls.example.com"',
    });
  }
  return `b-{id}-tls.${domain}`;
}

function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KfeedError('usage', `${what} ${port} is not a TCP port`, {
      hint: 'choose --port-base / --bind-port values so that every port is between 1 and 65535',
    });
  }
  return port;
}

/** Kafka validates listener names and protocols; refuse bad ones before a broker does. */
export function checkListenerOptions(options: ListenerOptions): void {
  if (!LISTENER_NAME.test(options.listenerName)) {
    throw new KfeedError('usage', `"${options.listenerName}" is not a listener name`, {
      hint: 'use upper-case letters, digits and "_", e.g. CLIENT_SECURE_VPCE',
    });
  }
  if (!PROTOCOLS.includes(options.securityProtocol)) {
    throw new KfeedError('usage', `"${options.securityProtocol}" is not a Kafka security protocol`, {
      hint: `use one of ${PROTOCOLS.join(', ')}`,
    });
  }
  if (options.bindPort !== undefined && options.bindPortBase !== undefined) {
    throw new KfeedError('usage', '--bind-port and --bind-port-base exclude each other', { hint: 'pass one of them' });
  }
}

/** The address broker `id` advertises on the new listener: always by broker id, never list order. */
export function advertisedAddress(options: Pick<ListenerOptions, 'hostTemplate' | 'portBase'>, brokerId: number) {
  return {
    host: expandHost(options.hostTemplate, brokerId),
    port: checkPort(options.portBase + brokerId, 'the advertised port'),
  };
}

export function bindPortOf(options: ListenerOptions, brokerId: number): number {
  if (options.bindPort !== undefined) return checkPort(options.bindPort, 'the bind port');
  if (options.bindPortBase !== undefined) return checkPort(options.bindPortBase + brokerId, 'the bind port');
  return checkPort(options.portBase + brokerId, 'the bind port');
}

/** Per broker: the listener configs before, and after adding the new listener. */
export function planBroker(broker: BrokerListenerConfig, options: ListenerOptions): BrokerPlan {
  const name = options.listenerName;
  const listeners = parseListeners(broker.values.listeners);
  if (listeners.length === 0)
    throw new KfeedError('config', `broker ${broker.brokerId} reports no listeners`, {
      hint: 'is the client allowed to describe broker configs?',
    });
  // Unset advertised.listeners means "the same as listeners".
  const advertisedList = broker.values['advertised.listeners']
    ? parseListeners(broker.values['advertised.listeners'], 'advertised.listeners')
    : listeners;
  const protocols = parseProtocolMap(broker.values['listener.security.protocol.map']);
  const protocolOf = new Map(protocols);

  const advertised = advertisedAddress(options, broker.brokerId);
  const bindPort = bindPortOf(options, broker.brokerId);
  const sameProtocol = listeners.find((l) => l.name !== name && protocolOf.get(l.name) === options.securityProtocol);
  const bindHost = options.bindHost ?? sameProtocol?.host ?? '';
  const bind = { host: bindHost, port: bindPort };
  const directHost =
    bindHost && bindHost !== '0.0.0.0' && bindHost !== '[::]'
      ? bindHost === '127.0.0.1'
        ? broker.host
        : bindHost
      : broker.host;
  const newListener: ListenerEntry = { name, host: bindHost, port: bindPort };
  const newAdvertised: ListenerEntry = { name, host: advertised.host, port: advertised.port };

  const existing = listeners.find((l) => l.name === name);
  const existingAdvertised = advertisedList.find((l) => l.name === name);
  const base = {
    brokerId: broker.brokerId,
    advertised,
    bind,
    direct: `${directHost}:${bindPort}`,
    before: { ...broker.values },
    beforeDynamic: { ...broker.dynamic },
  };
  if (existing || existingAdvertised || protocolOf.has(name)) {
    const same =
      existing?.host === newListener.host &&
      existing?.port === newListener.port &&
      existingAdvertised?.host === newAdvertised.host &&
      existingAdvertised?.port === newAdvertised.port &&
      protocolOf.get(name) === options.securityProtocol;
    if (!same) {
      throw new KfeedError('conflict', `broker ${broker.brokerId} already has a listener ${name} with other settings`, {
        hint: 'revert it first (`kfeed update-listeners --revert PLANFILE`) or choose another --listener-name',
      });
    }
    return { ...base, after: currentValues(broker, listeners, advertisedList, protocols), changes: false };
  }
  if (
    !broker.values['advertised.listeners'] &&
    listeners.some((l) => l.host === '' || l.host === '0.0.0.0' || l.host === '[::]')
  ) {
    // Writing advertised.listeners would replace the host name Kafka derives for wildcard binds.
    throw new KfeedError(
      'config',
      `broker ${broker.brokerId} has no advertised.listeners and binds a wildcard address`,
      {
        hint: 'set advertised.listeners on the broker first, so the existing listeners keep their advertised names',
      },
    );
  }
  const clash = listeners.find(
    (l) =>
      l.port === bindPort &&
      (l.host === bindHost || !l.host || !bindHost || l.host === '0.0.0.0' || bindHost === '0.0.0.0'),
  );
  if (clash) {
    throw new KfeedError('usage', `broker ${broker.brokerId} already listens on port ${bindPort} (${clash.name})`, {
      hint: 'choose another --bind-port or --bind-port-base',
    });
  }
  const after = {
    'listener.security.protocol.map': formatProtocolMap([...protocols, [name, options.securityProtocol]]),
    listeners: formatListeners([...listeners, newListener]),
    'advertised.listeners': formatListeners([...advertisedList, newAdvertised]),
  };
  return { ...base, after, changes: true };
}

function currentValues(
  broker: BrokerListenerConfig,
  listeners: ListenerEntry[],
  advertised: ListenerEntry[],
  protocols: Array<[string, string]>,
) {
  return {
    'listener.security.protocol.map': broker.values['listener.security.protocol.map'] ?? formatProtocolMap(protocols),
    listeners: broker.values.listeners ?? formatListeners(listeners),
    'advertised.listeners': broker.values['advertised.listeners'] ?? formatListeners(advertised),
  };
}

export function planListeners(
  brokers: BrokerListenerConfig[],
  options: ListenerOptions,
  meta: { brokers: string[]; now?: Date },
): ListenerPlan {
  checkListenerOptions(options);
  if (brokers.length === 0)
    throw new KfeedError('config', 'the cluster reports no brokers', { hint: 'check the connection settings' });
  const sorted = [...brokers].sort((a, b) => a.brokerId - b.brokerId);
  const plan = sorted.map((b) => planBroker(b, options));
  const seen = new Map<string, number>();
  for (const entry of plan) {
    const key = `${entry.advertised.host}:${entry.advertised.port}`;
    if (seen.has(key))
      throw new KfeedError(
        'usage',
        `brokers ${seen.get(key)} and ${entry.brokerId} would both be advertised as ${key}`,
        { hint: 'put {id} in --host-template' },
      );
    seen.set(key, entry.brokerId);
  }
  return {
    kind: 'kfeed-listener-plan',
    version: 1,
    createdAt: (meta.now ?? new Date()).toISOString(),
    brokers: meta.brokers,
    listenerName: options.listenerName,
    securityProtocol: options.securityProtocol,
    hostTemplate: options.hostTemplate,
    portBase: options.portBase,
    plan,
  };
}

/** One incremental config operation: set a key, or delete the per-broker override. */
export interface ConfigOperation {
  name: string;
  op: 'set' | 'delete';
  value?: string;
}

/** What --apply sends to one broker: only the keys whose value changes. */
export function applyOperations(entry: BrokerPlan): ConfigOperation[] {
  return LISTENER_KEYS.filter((key) => entry.after[key] !== entry.before[key]).map((key) => ({
    name: key,
    op: 'set',
    value: entry.after[key],
  }));
}

/**
 * What --revert sends: a key that was a per-broker override gets its old value back; a key
 * that was not gets its override deleted, so the static value shows through again.
 */
export function revertOperations(entry: BrokerPlan): ConfigOperation[] {
  return LISTENER_KEYS.filter((key) => entry.after[key] !== entry.before[key]).map((key): ConfigOperation =>
    entry.beforeDynamic[key] ? { name: key, op: 'set', value: entry.before[key] ?? '' } : { name: key, op: 'delete' },
  );
}

/** Reads a saved plan, checking that it is one. */
export function parsePlan(text: string, file: string): ListenerPlan {
  let plan: ListenerPlan;
  try {
    plan = JSON.parse(text) as ListenerPlan;
  } catch (error) {
    throw new KfeedError('usage', `${file} is not JSON (${(error as Error).message})`, {
      hint: 'pass the plan file that --apply wrote',
    });
  }
  if (!plan || plan.kind !== 'kfeed-listener-plan' || plan.version !== 1 || !Array.isArray(plan.plan)) {
    throw new KfeedError('usage', `${file} is not a kfeed listener plan`, {
      hint: 'pass the plan file that --apply wrote',
    });
  }
  return plan;
}

/** The table the load balancer needs: one port per broker, from the same mapping as the listeners. */
export interface NlbRow {
  nlbPort: number;
  brokerId: number;
  advertised: string;
  target: string;
}

export function nlbTable(plan: Pick<ListenerPlan, 'plan'>, brokerHosts: Map<number, string>): NlbRow[] {
  return plan.plan.map((entry) => {
    const host =
      entry.bind.host && entry.bind.host !== '0.0.0.0' && entry.bind.host !== '127.0.0.1'
        ? entry.bind.host
        : (brokerHosts.get(entry.brokerId) ?? entry.direct.replace(/:\d+$/, ''));
    return {
      nlbPort: entry.advertised.port,
      brokerId: entry.brokerId,
      advertised: `${entry.advertised.host}:${entry.advertised.port}`,
      target: `${host}:${entry.bind.port}`,
    };
  });
}

/** MSK's cluster property: one template, {broker_id} resolved by MSK per broker. */
export function customAdvertisedListeners(listenerName: string, hostTemplate: string, portBase: number): string {
  expandHost(hostTemplate, 1); // the port carries {broker_id}, so every broker's host:port is unique
  return `${listenerName}://${hostTemplate.replaceAll('{id}', '{broker_id}')}:${portBase}+{broker_id}`;
}
