import type { BaseOptions } from '@platformatic/kafka';
import { createIamToken, iamTokenProvider } from '../aws/msk-iam.js';
import type { ConnectionSettings } from '../config/connection.js';

/**
 * The data path's options for @platformatic/kafka clients (producer, consumer) from resolved
 * settings: brokers, TLS, SCRAM, MSK IAM (OAUTHBEARER with a token per connection).
 */
export async function engineBaseOptions(
  settings: ConnectionSettings,
  options: { clientId: string; retries?: number; retryDelayMs?: number; timeoutMs?: number },
): Promise<BaseOptions> {
  const base: BaseOptions = {
    clientId: options.clientId,
    bootstrapBrokers: settings.brokers,
    connectTimeout: 5000,
    timeout: options.timeoutMs ?? 15_000,
    retries: options.retries ?? 2,
    retryDelay: options.retryDelayMs ?? 250,
  };
  if (settings.security === 'ssl' || settings.security === 'sasl_ssl') {
    const tls = settings.tls ?? {};
    base.tls = {
      rejectUnauthorized: true,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
    };
  }
  if (settings.iam) {
    // One token made first, so missing or expired credentials are named as such.
    await createIamToken(settings.iam);
    const provider = iamTokenProvider(settings.iam);
    base.sasl = { mechanism: 'OAUTHBEARER', token: async () => (await provider()).value };
  } else if (settings.sasl) {
    base.sasl = {
      mechanism: settings.sasl.mechanism === 'scram-sha-512' ? 'SCRAM-SHA-512' : 'SCRAM-SHA-256',
      username: settings.sasl.username,
      password: settings.sasl.password,
    };
  }
  return base;
}
