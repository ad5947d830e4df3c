/* eslint-disable @typescript-eslint/no-explicit-any -- engine errors carry their facts as properties, read by shape */
import { identityFromWorkingFolder, type ConnectionSettings } from '../config/connection.js';
import { IAM_DENIED_HINT } from '../aws/msk-iam.js';
import { KfeedError, messageOf } from '../errors.js';
import { kafkaPrincipalOfCertificate } from '../certs/principal.js';

/**
 * The engine (@platformatic/kafka) wraps the real cause: MultipleErrors / ResponseError hold
 * their parts in `errors`, NetworkError the socket's error in `cause`; a ProtocolError names the
 * broker's answer in `apiId` (TOPIC_AUTHORIZATION_FAILED, ...) with its `serverErrorMessage`.
 * Walk them all, breadth first.
 */
export function causes(error: unknown): any[] {
  const chain: any[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift() as any;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    chain.push(e);
    queue.push(e.cause, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return chain;
}

/** The Kafka error name of a broker's answer (e.g. GROUP_AUTHORIZATION_FAILED), if there is one. */
function kafkaErrorName(e: any): string | undefined {
  const name = e?.apiId;
  return typeof name === 'string' && name !== 'UNKNOWN' ? name : undefined;
}

/** Whether the broker answered with the Kafka error `name` anywhere in the error chain. */
export function hasKafkaError(error: unknown, ...names: string[]): boolean {
  return causes(error).some((e) => names.includes(kafkaErrorName(e) ?? ''));
}

/** What the broker said beyond the error name, else the error's own message. */
function brokerMessage(e: any): string {
  return (typeof e.serverErrorMessage === 'string' && e.serverErrorMessage) || messageOf(e);
}

const TLS_PEER_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the broker certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the broker certificate chains to a CA that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the broker certificate was issued by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the broker certificate was issued by an unknown CA',
  CERT_HAS_EXPIRED: 'the broker certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the broker certificate does not name the host connected to',
};

/**
 * Maps what the engine throws to a KfeedError with a message a person can act on. Unknown
 * errors keep their message and exit 1, so nothing is hidden.
 */
export function translateKafkaError(
  error: unknown,
  settings?: Pick<ConnectionSettings, 'brokers' | 'security'> &
    Partial<Pick<ConnectionSettings, 'origin' | 'files' | 'iam'>>,
): KfeedError {
  const translated = translate(error, settings);
  // Errors about who the client is say so when its certificate came from the working folder.
  const identity = settings ? identityFromWorkingFolder(settings) : undefined;
  const aboutTheClient =
    translated.kind === 'denied' || (translated.kind === 'tls' && translated.message.includes("client's certificate"));
  if (!identity || !aboutTheClient || translated.message.includes(identity)) return translated;
  return new KfeedError(translated.kind, `${translated.message} (${identity})`, {
    hint: 'pass --cert and --key (--admin-cert and --admin-key for `acl`) to connect as another client',
    cause: translated.cause ?? error,
  });
}

function translate(
  error: unknown,
  settings?: Pick<ConnectionSettings, 'brokers' | 'security'> & Partial<Pick<ConnectionSettings, 'iam'>>,
): KfeedError {
  if (error instanceof KfeedError) return error;
  const chain = causes(error);
  // kfeed's own errors raised inside the engine (the IAM token function) keep their one line.
  const own = chain.find((e) => e instanceof KfeedError);
  if (own) return own;
  const brokers = settings?.brokers.join(',') ?? 'the brokers';
  const find = (predicate: (e: any) => boolean) => chain.find(predicate);

  const protocol = find((e) => kafkaErrorName(e) !== undefined);
  if (protocol) {
    const type = kafkaErrorName(protocol)!;
    switch (type) {
      case 'TOPIC_ALREADY_EXISTS':
        return new KfeedError('conflict', brokerMessage(protocol).replace(/\.$/, ''), {
          hint: 'choose another name or delete it first',
          cause: error,
        });
      case 'INVALID_REPLICATION_FACTOR':
        return new KfeedError('usage', 'the replication factor is larger than the number of brokers', {
          hint: 'pass a smaller --replication-factor',
          cause: error,
        });
      case 'INVALID_PARTITIONS':
        return new KfeedError('usage', 'the partition count is not valid', {
          hint: 'pass --partitions 1 or more',
          cause: error,
        });
      case 'INVALID_TOPIC_EXCEPTION':
        return new KfeedError('usage', 'the broker rejected the topic name', {
          hint: 'use letters, digits, ".", "_" and "-" (at most 249)',
          cause: error,
        });
      case 'INVALID_CONFIG':
        return new KfeedError('usage', `the broker rejected a config: ${brokerMessage(protocol)}`, {
          hint: 'check the --config values',
          cause: error,
        });
      case 'MESSAGE_TOO_LARGE':
      case 'RECORD_LIST_TOO_LARGE':
        return new KfeedError(
          'usage',
          'the broker refused a record larger than it accepts (message.max.bytes, 1 MB by default)',
          {
            hint: 'send smaller records, or raise max.message.bytes on the topic',
            cause: error,
          },
        );
      case 'UNKNOWN_TOPIC_OR_PARTITION':
      case 'UNKNOWN_TOPIC_ID':
        return unknownTopic(error);
      case 'TOPIC_AUTHORIZATION_FAILED':
      case 'GROUP_AUTHORIZATION_FAILED':
      case 'CLUSTER_AUTHORIZATION_FAILED':
      case 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED': {
        const what = type.split('_')[0].toLowerCase();
        return new KfeedError(
          'denied',
          `not authorized: the broker refused ${what} access to this client's principal`,
          {
            hint: settings?.iam
              ? iamPolicyHint(`that ${what} access`)
              : 'grant it with `kfeed acl grant` (see `kfeed cert inspect` for the principal)',
            cause: error,
          },
        );
      }
      case 'SASL_AUTHENTICATION_FAILED':
      case 'ILLEGAL_SASL_STATE':
      case 'UNSUPPORTED_SASL_MECHANISM':
        if (settings?.iam) {
          const message = `the broker ${brokers} refused the IAM credentials: ${brokerMessage(protocol)}`;
          return new KfeedError('denied', message, { hint: IAM_DENIED_HINT, cause: error });
        }
        return new KfeedError('denied', `SASL authentication failed for ${brokers}: ${brokerMessage(protocol)}`, {
          hint: 'check the user, the password (KFEED_SASL_PASSWORD) and --sasl-mechanism',
          cause: error,
        });
      case 'SECURITY_DISABLED':
        return new KfeedError('config', 'the cluster has no authorizer, so it has no ACLs', {
          hint: 'enable authorizer.class.name on the brokers',
          cause: error,
        });
      case 'POLICY_VIOLATION':
        return new KfeedError('denied', `the cluster policy refused the request: ${brokerMessage(protocol)}`, {
          cause: error,
        });
      default:
        break;
    }
  }
  // The engine finds a topic's partitions in its metadata and says so in its own words.
  if (find((e) => e.code === 'PLT_KFK_USER' && /^Unknown topic /.test(e.message ?? ''))) return unknownTopic(error);

  const tls = find((e) => typeof e.code === 'string' && (e.code in TLS_PEER_CODES || /SSL|TLS|CERT/.test(e.code)));
  if (tls) {
    const code: string = tls.code;
    if (code in TLS_PEER_CODES) {
      const hint =
        code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'connect with the host name in the certificate, or reissue it with that SAN'
          : 'pass the CA that signed the brokers with --ca';
      return new KfeedError('tls', `TLS handshake with ${brokers} failed: ${TLS_PEER_CODES[code]}`, {
        hint,
        cause: error,
      });
    }
    if (
      /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE|CERTIFICATE_UNKNOWN|ACCESS_DENIED/.test(code)
    ) {
      return new KfeedError(
        'tls',
        `the broker ${brokers} refused this client's certificate (${code.replace(/^ERR_SSL_/, '').toLowerCase()})`,
        {
          hint: 'use a certificate signed by the CA the brokers trust (--cert/--key)',
          cause: error,
        },
      );
    }
    if (/BAD_DECRYPT|PASSPHRASE|DECODE/.test(code)) {
      return new KfeedError('tls', 'the private key could not be read: wrong password or not a key', {
        hint: 'check PK_PASSWORD and --key',
        cause: error,
      });
    }
    return new KfeedError('tls', `TLS with ${brokers} failed: ${messageOf(tls)}`, {
      hint: 'check --ca, --cert and --key',
      cause: error,
    });
  }
  // A TLS client whose peer closed before the handshake ended: a plaintext listener.
  if (find((e) => e.code === 'PLT_KFK_USER' && /^TLS handshake failed/.test(e.message ?? ''))) {
    return new KfeedError('connection', `the broker ${brokers} closed the connection during the TLS handshake`, {
      hint: 'is this a plaintext listener? pass --plaintext',
      cause: error,
    });
  }

  const net = find((e) =>
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE'].includes(e.code),
  );
  if (net) {
    const reason: Record<string, string> = {
      ECONNREFUSED: 'connection refused',
      ENOTFOUND: 'unknown host',
      EAI_AGAIN: 'host name lookup failed',
      EHOSTUNREACH: 'host unreachable',
      ENETUNREACH: 'network unreachable',
      ETIMEDOUT: 'timed out',
      EPIPE: 'the connection was closed',
    };
    return new KfeedError('connection', `cannot reach ${brokers}: ${reason[net.code]}`, {
      hint: 'check --brokers and that the cluster is up (`kfeed local status` for a local one)',
      cause: error,
    });
  }
  // A connection that timed out before it was made, and one made that never answered a request.
  const timeout = find((e) => e.name === 'TimeoutError' || e.constructor?.name === 'TimeoutError');
  if (timeout && /^Connection .*timed out/.test(messageOf(timeout))) {
    return new KfeedError('connection', `cannot reach ${brokers}: timed out`, {
      hint: 'check --brokers, the security protocol (--plaintext?) and that the cluster is up',
      cause: error,
    });
  }
  if (timeout) {
    return new KfeedError('connection', `the broker ${brokers} accepted the connection but did not answer`, {
      hint: 'check --brokers: is a Kafka listener there, and is it not overloaded?',
      cause: error,
    });
  }
  const closed = find(
    (e) =>
      e.code === 'ECONNRESET' ||
      (e.code === 'PLT_KFK_NETWORK' && /^Connection closed/.test(e.message ?? '')) ||
      (e.code === 'PLT_KFK_USER' && /^Broker requires TLS/.test(e.message ?? '')),
  );
  if (closed) {
    return new KfeedError('connection', `the broker ${brokers} closed the connection`, {
      hint:
        settings?.security === 'plaintext' || settings?.security === 'sasl_plaintext'
          ? 'is this a TLS listener? drop --plaintext'
          : 'is this a plaintext listener, or does it need a client certificate?',
      cause: error,
    });
  }
  const network = find((e) => e.code === 'PLT_KFK_NETWORK');
  if (network) {
    return new KfeedError('connection', `cannot talk to ${brokers}: ${messageOf(chain[chain.length - 1])}`, {
      hint: 'check --brokers and that the cluster is up',
      cause: error,
    });
  }
  return new KfeedError('internal', messageOf(error), { cause: error });
}

function unknownTopic(error: unknown): KfeedError {
  return new KfeedError('notFound', 'the topic does not exist', {
    hint: 'list topics with `kfeed list-topics`',
    cause: error,
  });
}

/** How `kfeed acl grant` names this connection's client: its certificate file, else its principal. */
function grantee(settings?: Pick<ConnectionSettings, 'files' | 'tls' | 'sasl'>): string {
  if (settings?.files?.cert) return `--cert ${settings.files.cert}`;
  if (settings?.sasl) return `--principal 'User:${settings.sasl.username}'`;
  if (settings?.tls?.cert) {
    try {
      return `--principal '${kafkaPrincipalOfCertificate(settings.tls.cert)}'`;
    } catch {
      // fall through to the placeholder
    }
  }
  return '--cert CLIENT.pem';
}

type Grantee = Pick<ConnectionSettings, 'files' | 'tls' | 'sasl'> & Partial<Pick<ConnectionSettings, 'iam'>>;

/**
 * What to do about a refusal on an IAM connection: IAM policies, not Kafka ACLs, decide what
 * an IAM client may do (kfeed refuses `acl grant` there).
 */
function iamPolicyHint(what: string): string {
  return (
    `an admin allows ${what} in this AWS identity's IAM policy: ` +
    '`kfeed iam policy --cluster-arn ARN --topics ... --role consumer|producer` prints the least one'
  );
}

/**
 * A client refused a consumer group: which ACL it lacks and the grant that gives it. Kafka
 * checks READ on the group for FindCoordinator, joining and committing; DESCRIBE for describing.
 */
export function groupDeniedError(
  group: string,
  settings?: Grantee,
  options: { topic?: string; operation?: 'READ' | 'DESCRIBE' | 'DELETE'; cause?: unknown } = {},
): KfeedError {
  const operation = options.operation ?? 'READ';
  const topic = options.topic ?? 'TOPIC';
  const role = operation === 'DELETE' ? 'all' : 'consumer';
  if (settings?.iam) {
    return new KfeedError('denied', `this client is not authorized for group ${group} (${operation} refused)`, {
      hint: iamPolicyHint(`group ${group}`),
      cause: options.cause,
    });
  }
  return new KfeedError(
    'denied',
    `this client is not authorized for group ${group}: it needs the ACL ${operation} on group ${group}`,
    {
      hint:
        'an admin grants it with ' +
        `\`kfeed acl grant ${grantee(settings)} --role ${role} --topic ${topic} --group ${group}\``,
      cause: options.cause,
    },
  );
}

/** A client refused a topic it named (Kafka answers so whether or not the topic exists). */
export function topicDeniedError(topic: string, settings?: Grantee, cause?: unknown): KfeedError {
  const message =
    `this client is not authorized for topic ${topic}: ` + 'Kafka refused it DESCRIBE (an authorization problem)';
  if (settings?.iam) return new KfeedError('denied', message, { hint: iamPolicyHint(`topic ${topic}`), cause });
  return new KfeedError('denied', message, {
    hint:
      'an admin grants a role with ' +
      `\`kfeed acl grant ${grantee(settings)} --role producer --topic ${topic}\` (or --role consumer)`,
    cause,
  });
}

/** Whether the client gave up finding a group coordinator. */
export function isCoordinatorNotFound(error: unknown): boolean {
  return causes(error).some((e) => /^(COORDINATOR_NOT_AVAILABLE|NOT_COORDINATOR)/.test(kafkaErrorName(e) ?? ''));
}

/** Whether the broker answered GROUP_AUTHORIZATION_FAILED anywhere in the error chain. */
export function isGroupDenied(error: unknown): boolean {
  return hasKafkaError(error, 'GROUP_AUTHORIZATION_FAILED');
}
