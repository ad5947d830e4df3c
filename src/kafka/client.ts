import net from 'node:net';
import type { Admin, BaseOptions, ConnectionPoolEventPayload, SASLOptions } from '@platformatic/kafka';
import { createIamToken, iamTokenProvider } from '../aws/msk-iam.js';
import type { ConnectionSettings } from '../config/connection.js';
import { messageOf } from '../errors.js';
import { abortable } from '../wait.js';
import { translateKafkaError } from './errors.js';

/**
 * kfeed's Kafka engine is @platformatic/kafka. Every client (admin, producer, consumer) is built
 * from `baseOptions`, so TLS, SASL and IAM are set up in this one place; the engine is imported
 * only when a command talks to Kafka, so `kfeed --help` does not load it.
 */

export interface ClientOptions {
  clientId?: string;
  /** Admin calls fail fast on a dead address; producers may ask for more patience. */
  retries?: number;
  /** Pause between two tries (ms). */
  retryDelayMs?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The engine's module, loaded on first use. */
export function engine(): Promise<typeof import('@platformatic/kafka')> {
  return import('@platformatic/kafka');
}

/**
 * The options every engine client of this connection shares: bootstrap brokers, timeouts,
 * TLS (CA, client certificate and key, host names checked) and SASL (SCRAM, or OAUTHBEARER with
 * a fresh MSK IAM token for every connection and re-authentication). Producer and consumer code
 * spread these into their own options.
 */
export async function baseOptions(settings: ConnectionSettings, options: ClientOptions = {}): Promise<BaseOptions> {
  const base: BaseOptions = {
    clientId: options.clientId ?? 'kfeed',
    bootstrapBrokers: settings.brokers,
    connectTimeout: options.connectionTimeoutMs ?? 5000,
    // A broker that accepted the connection and never answers is named within seconds.
    requestTimeout: options.requestTimeoutMs ?? 10000,
    timeout: options.requestTimeoutMs ?? 10000,
    retries: options.retries ?? 2,
    retryDelay: options.retryDelayMs ?? 250,
  };
  const tls = tlsOptions(settings);
  if (tls) {
    base.tls = tls;
    // SNI names the host, as other Kafka clients send it; RFC 6066 forbids it for an IP address.
    base.tlsServerName = !settings.brokers.some((b) => net.isIP(b.replace(/^\[|\]?:\d+$/g, '')) !== 0);
  }
  const sasl = await saslOptions(settings);
  if (sasl) base.sasl = sasl;
  return base;
}

/**
 * Node's TLS options for a TLS connection (undefined for plaintext): the broker's certificate
 * and the host name it names are checked; the client's certificate and key when given.
 */
function tlsOptions(
  settings: ConnectionSettings,
): { rejectUnauthorized: true; ca?: string[]; cert?: string; key?: string; passphrase?: string } | undefined {
  if (settings.security !== 'ssl' && settings.security !== 'sasl_ssl') return undefined;
  const tls = settings.tls ?? {};
  return {
    rejectUnauthorized: true,
    ...(tls.ca ? { ca: [tls.ca] } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
  };
}

async function saslOptions(settings: ConnectionSettings): Promise<SASLOptions | undefined> {
  if (settings.iam) {
    const iam = settings.iam;
    // One token made before connecting, so missing or expired credentials are named as such,
    // not as a failed connection; then a new token for every connection and re-authentication.
    await createIamToken(iam);
    return { mechanism: 'OAUTHBEARER', token: iamTokenProvider(iam) };
  }
  if (settings.sasl) {
    const mechanism = settings.sasl.mechanism === 'scram-sha-256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
    return { mechanism, username: settings.sasl.username, password: settings.sasl.password };
  }
  return undefined;
}

/** An admin client of the engine; close it with `closeQuietly`. */
export async function createAdmin(settings: ConnectionSettings, options: ClientOptions = {}): Promise<Admin> {
  const { Admin: AdminClass } = await engine();
  const admin = new AdminClass(await baseOptions(settings, options));
  // Even where nobody asks for the explanation: see watchSocketErrors.
  watchSocketErrors(admin);
  return admin;
}

/** Closes an engine client, ignoring a connection that is already gone. */
export async function closeQuietly(client: { close(): Promise<void> }): Promise<void> {
  await client.close().catch(() => undefined);
}

/**
 * Remembers the last socket error of a client's connections. A broker that refuses the client's
 * certificate says so in a TLS alert after the handshake; the engine then reports only
 * "Connection closed". The returned function adds that alert to an error before translation.
 * Every engine client kfeed makes needs this listener, on connections that failed too: the
 * engine's pool listens for one error per connection, and one whose authentication the broker
 * refused emits a second when the broker then resets it, which without a listener ends the
 * process with an uncaught exception.
 */
export function watchSocketErrors(client: {
  on(
    event: 'client:broker:connect' | 'client:broker:failed',
    listener: (payload: ConnectionPoolEventPayload) => void,
  ): unknown;
}): (error: unknown) => unknown {
  let last: Error | undefined;
  const watch = ({ connection }: ConnectionPoolEventPayload) => {
    connection.on('error', (error: Error) => (last = error));
  };
  client.on('client:broker:connect', watch);
  client.on('client:broker:failed', watch);
  return (error) => (last && error !== last ? new AggregateError([error, last], messageOf(error)) : error);
}

/**
 * Asks the cluster once for its metadata with a client that does not retry: a wrong address, a
 * silent port or a refused credential fails here within one request timeout, translated, before
 * the working client (which retries each request) would wait out every retry.
 */
export async function reach(settings: ConnectionSettings, options: ClientOptions = {}): Promise<void> {
  const probe = await createAdmin(settings, { ...options, clientId: 'kfeed-probe', retries: 0 });
  const explain = watchSocketErrors(probe);
  // Ctrl-C ends the wait under way at once, also on a broker that accepted the connection and
  // is silent. What runs after a stop (the clean-up it asks for: undoing steps, deleting a
  // temporary topic) is not cut short by it.
  const stop = settings.signal?.aborted ? undefined : settings.signal;
  try {
    await abortable(probe.metadata({ topics: [] }), stop);
  } catch (error) {
    throw translateKafkaError(explain(error), settings);
  } finally {
    await closeSoon(probe, stop);
  }
}

/** Closes a client; once `signal` fired, without waiting for a request under way to end. */
export async function closeSoon(client: { close(): Promise<void> }, signal: AbortSignal | undefined): Promise<void> {
  const closing = closeQuietly(client);
  if (!signal?.aborted) await closing;
}

/**
 * Runs `work` with an admin client that has reached the cluster (a metadata round trip, so a
 * wrong address or credential fails here, translated), always closing it.
 */
export async function withAdmin<T>(
  settings: ConnectionSettings,
  work: (admin: Admin) => Promise<T>,
  options?: ClientOptions,
): Promise<T> {
  await reach(settings, options);
  const admin = await createAdmin(settings, options);
  const explain = watchSocketErrors(admin);
  try {
    return await work(admin);
  } catch (error) {
    throw translateKafkaError(explain(error), settings);
  } finally {
    await closeQuietly(admin);
  }
}
