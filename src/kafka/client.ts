import type { Admin, Kafka, KafkaConfig, SASLOptions } from 'kafkajs';
import { createIamToken, iamTokenProvider } from '../aws/msk-iam.js';
import type { ConnectionSettings } from '../config/connection.js';
import { translateKafkaError } from './errors.js';

export interface ClientOptions {
  clientId?: string;
  /** Admin calls fail fast on a dead address; producers may ask for more patience. */
  retries?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** Builds a kafkajs client from resolved settings. kafkajs is imported only here, on demand. */
export async function createKafka(settings: ConnectionSettings, options: ClientOptions = {}): Promise<Kafka> {
  const { Kafka: KafkaClass, logLevel } = (await import('kafkajs')).default;
  const useTls = settings.security === 'ssl' || settings.security === 'sasl_ssl';
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'kfeed',
    brokers: settings.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 5000,
    authenticationTimeout: 5000,
    requestTimeout: options.requestTimeoutMs ?? 15000,
    retry: { retries: options.retries ?? 2, initialRetryTime: 200, maxRetryTime: 2000 },
    // kafkajs logs through console; kfeed reports errors itself, once, as one line.
    logLevel: logLevel.NOTHING,
  };
  if (useTls) {
    const tls = settings.tls ?? {};
    config.ssl = {
      rejectUnauthorized: true,
      ...(tls.ca ? { ca: [tls.ca] } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
    };
  }
  if (settings.iam) {
    // One token made before connecting, so missing or expired credentials are named as such,
    // not as a failed connection; then a new token for every connection and re-authentication.
    await createIamToken(settings.iam);
    config.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: iamTokenProvider(settings.iam) };
  } else if (settings.sasl) {
    config.sasl = {
      mechanism: settings.sasl.mechanism,
      username: settings.sasl.username,
      password: settings.sasl.password,
    } as SASLOptions;
  }
  return new KafkaClass(config);
}

/** Runs `work` with a connected admin client, always disconnecting, translating errors. */
export async function withAdmin<T>(
  settings: ConnectionSettings,
  work: (admin: Admin) => Promise<T>,
  options?: ClientOptions,
): Promise<T> {
  const kafka = await createKafka(settings, options);
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (error) {
    throw translateKafkaError(error, settings);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
