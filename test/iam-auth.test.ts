import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCredentialSource } from '../src/aws/credentials-source.js';
import { createIamToken, decodeIamToken, iamTokenProvider, resolveIamAuth } from '../src/aws/msk-iam.js';
import { poll } from '../src/wait.js';
import { ProfileStore } from '../src/config/profiles.js';
import { resolveConnection } from '../src/config/connection.js';
import { KfeedError } from '../src/errors.js';
import { tempDir } from './helpers/env.js';
import { kfeed, kfeedBinary } from './helpers/run.js';
import { EMPTY_PAYLOAD_HASH, sigV4QuerySignature } from './helpers/sigv4.js';

const KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAKFEEDTEST0000001',
  AWS_SECRET_ACCESS_KEY: 'kfeed/test/secret/key/0123456789abcdefghij',
};
const work = tempDir('kfeed-iam-auth-');
/** An environment where the AWS chain finds nothing of this machine's own. */
const isolated = {
  HOME: work,
  AWS_CONFIG_FILE: path.join(work, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
};

describe("the signer's token, decoded, has the fields MSK documents", () => {
  it('is a base64url presigned URL for kafka-cluster:Connect, SigV4-signed with the given key', async () => {
    const auth = resolveIamAuth({
      env: { ...KEYS, AWS_SESSION_TOKEN: 'session-token-value' },
      regionFlag: 'eu-west-1',
      brokers: ['localhost:9098'],
    });
    const before = Date.now();
    const token = await createIamToken(auth);
    expect(token.value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.expiresAt).toBeGreaterThan(before + 890_000);
    expect(token.expiresAt).toBeLessThanOrEqual(before + 905_000);
    const { host, params } = decodeIamToken(token.value);
    expect(host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(params.Action).toBe('kafka-cluster:Connect');
    expect(params['X-Amz-Algorithm']).toBe('AWS4-HMAC-SHA256');
    expect(params['X-Amz-Credential']).toMatch(
      new RegExp(`^${KEYS.AWS_ACCESS_KEY_ID}/\\d{8}/eu-west-1/kafka-cluster/aws4_request$`),
    );
    expect(params['X-Amz-Date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(params['X-Amz-Credential'].split('/')[1]).toBe(params['X-Amz-Date'].slice(0, 8));
    expect(params['X-Amz-Expires']).toBe('900');
    expect(params['X-Amz-SignedHeaders']).toBe('host');
    expect(params['X-Amz-Security-Token']).toBe('session-token-value');
    expect(params['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(params['User-Agent']).toMatch(/^aws-msk-iam-sasl-signer-js\/\d+\.\d+\.\d+$/);
    // The user agent is added after signing; the signature covers every other parameter.
    const { ['User-Agent']: _agent, ...signed } = params;
    expect(params['X-Amz-Signature']).toBe(
      sigV4QuerySignature(host, signed, KEYS.AWS_SECRET_ACCESS_KEY, EMPTY_PAYLOAD_HASH),
    );
    expect(params['X-Amz-Signature']).not.toBe(sigV4QuerySignature(host, signed, `${KEYS.AWS_SECRET_ACCESS_KEY}x`));
  });

  it("every call of the engine's token function signs anew (a fresh X-Amz-Date once the second changes)", async () => {
    const auth = resolveIamAuth({ env: KEYS, regionFlag: 'us-east-1', brokers: ['localhost:9098'] });
    const provider = iamTokenProvider(auth);
    const first = decodeIamToken(await provider()).params['X-Amz-Date'];
    // X-Amz-Date has one-second resolution: ask until it moves on, at most 5 s.
    const later = await poll(
      async () => {
        const date = decodeIamToken(await provider()).params['X-Amz-Date'];
        return date !== first ? date : undefined;
      },
      { timeoutMs: 5000, intervalMs: 50, what: 'a token with a new date' },
    );
    expect(later > first).toBe(true);
  });
});

describe('--auth iam in the connection resolver', () => {
  const profiles = (dir: string) => new ProfileStore(dir);
  const resolve = (
    flags: Record<string, string | boolean>,
    env: NodeJS.ProcessEnv,
    store = profiles(tempDir('kfeed-iam-prof-')),
  ) => resolveConnection({ flags, env, cwd: work, profiles: store, secrets: { password: async () => undefined } });

  it('flags > env > profile for the auth and the region; SASL over TLS; the credential source named without a secret', async () => {
    const store = profiles(tempDir('kfeed-iam-prof-'));
    store.put('msk', {
      brokers: ['b-1.feed.abc123.c2.kafka.eu-west-1.amazonaws.com:9098'],
      security: 'sasl_ssl',
      auth: 'iam',
      region: 'eu-west-1',
    });
    const fromProfile = await resolve({}, { ...KEYS }, store);
    expect(fromProfile.security).toBe('sasl_ssl');
    expect(fromProfile.iam?.region).toBe('eu-west-1');
    expect(fromProfile.origin).toMatchObject({ auth: 'profile msk', region: 'profile msk' });
    expect(fromProfile.origin.credentials).toBe(
      'environment AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (access key …0001)',
    );
    expect(JSON.stringify(fromProfile.origin)).not.toContain(KEYS.AWS_SECRET_ACCESS_KEY);
    expect(fromProfile.tls?.cert).toBeUndefined();

    const fromEnv = await resolve(
      { brokers: 'localhost:9098' },
      { ...KEYS, KFEED_AUTH: 'iam', AWS_REGION: 'us-east-2' },
    );
    expect(fromEnv.origin).toMatchObject({ auth: 'KFEED_AUTH', region: 'AWS_REGION' });
    expect(fromEnv.iam?.region).toBe('us-east-2');
    const fromFlags = await resolve(
      { brokers: 'localhost:9098', auth: 'iam', region: 'ap-south-1' },
      { ...KEYS, AWS_REGION: 'us-east-2' },
    );
    expect(fromFlags.origin).toMatchObject({ auth: '--auth', region: '--region' });
    expect(fromFlags.iam?.region).toBe('ap-south-1');
  });

  it('takes the region from the AWS config profile when nothing else names one', async () => {
    const config = path.join(work, 'config-with-region');
    fs.writeFileSync(config, '[default]\nregion = sa-east-1\n[profile feed]\nregion = ca-central-1\n');
    const settings = await resolve(
      { brokers: 'localhost:9098', auth: 'iam' },
      { ...KEYS, AWS_CONFIG_FILE: config, AWS_PROFILE: 'feed' },
    );
    expect(settings.iam?.region).toBe('ca-central-1');
    expect(settings.origin.region).toBe('AWS config profile "feed"');
  });

  it("refuses, in one line each: no region, a region that is not the MSK cluster's, an unknown method, IAM with a SASL user", async () => {
    const cases: Array<[Record<string, string>, NodeJS.ProcessEnv, RegExp]> = [
      [
        { brokers: 'localhost:9098', auth: 'iam' },
        { ...KEYS, AWS_CONFIG_FILE: path.join(work, 'none') },
        /^no AWS region for IAM authentication/,
      ],
      [
        { brokers: 'b-1.feed.abc123.c2.kafka.eu-west-1.amazonaws.com:9098', auth: 'iam', region: 'us-east-1' },
        KEYS,
        /^region us-east-1 \(from --region\) is not the cluster's region eu-west-1 — IAM tokens are signed for one region: pass --region eu-west-1$/,
      ],
      [{ brokers: 'localhost:9098', auth: 'kerberos' }, KEYS, /^unknown auth method "kerberos" \(from --auth\)/],
      [{ brokers: 'localhost:9098', auth: 'iam', region: 'us-east-1', saslUser: 'alice' }, KEYS, /exclude each other/],
    ];
    for (const [flags, env, message] of cases) {
      const error = await resolve(flags, env).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KfeedError);
      expect((error as KfeedError).line).toMatch(message);
      expect((error as KfeedError).line).not.toContain('\n');
    }
  });
});

describe('where credentials come from (profile show --resolved)', () => {
  it('follows the chain order and never returns a secret', () => {
    const files: Record<string, string> = {
      '/h/.aws/config':
        '[profile sso]\nsso_session = corp\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/feed\nsource_profile = base\n[profile proc]\ncredential_process = /bin/creds\n',
      '/h/.aws/credentials': '[static]\naws_access_key_id = AKIASTATIC0000009999\naws_secret_access_key = verysecret\n',
    };
    const readFile = (file: string) => files[file];
    const source = (env: NodeJS.ProcessEnv) => describeCredentialSource({ env: { HOME: '/h', ...env }, readFile });
    expect(source({ ...KEYS }).kind).toBe('env');
    expect(source({ AWS_PROFILE: 'sso' }).description).toBe(
      'AWS IAM Identity Center (SSO) session corp, profile "sso" in /h/.aws/config',
    );
    expect(source({ AWS_PROFILE: 'role' }).description).toMatch(
      /^assumed role arn:aws:iam::123456789012:role\/feed via source profile "base"/,
    );
    expect(source({ AWS_PROFILE: 'proc' }).kind).toBe('process');
    const fromFile = source({ AWS_PROFILE: 'static' });
    expect(fromFile.description).toBe('static keys of profile "static" in /h/.aws/credentials (access key …9999)');
    expect(fromFile.description).not.toContain('verysecret');
    expect(source({ AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' }).kind).toBe(
      'web-identity',
    );
    expect(source({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/creds' }).kind).toBe('container');
    expect(source({}).kind).toBe('instance-role');
  });
});

describe('kfeed with --auth iam: credential errors in one line, before any connection', () => {
  // Port 9 (discard) on loopback: nothing listens; the credential checks come first.
  const args = ['topic', 'list', '--brokers', '127.0.0.1:9', '--auth', 'iam', '--region', 'us-east-1'];

  it('no credentials anywhere in the chain', async () => {
    const result = await kfeedBinary(args, { env: isolated, cwd: work });
    expect(result.stderr.trim()).toMatch(/^kfeed: no AWS credentials found for IAM authentication — set AWS_PROFILE/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(3);
  });

  it('expired credentials', async () => {
    const env = { ...isolated, ...KEYS, AWS_SESSION_TOKEN: 't', AWS_CREDENTIAL_EXPIRATION: '2020-01-01T00:00:00Z' };
    const result = await kfeed(args, { env, cwd: work });
    expect(result.stderr.trim()).toBe(
      'kfeed: the AWS credentials expired at 2020-01-01T00:00:00.000Z — refresh them (`aws sso login`, a new session token or new keys) and run again',
    );
    expect(result.code).toBe(3);
  });

  it('expired credentials from a credential_process say so, with the time (not "no credentials")', async () => {
    const script = path.join(work, 'expired-creds.sh');
    const printed = { Version: 1, AccessKeyId: 'AKIAPROCESS000000001', SecretAccessKey: 's', SessionToken: 't' };
    fs.writeFileSync(
      script,
      `#!/bin/sh\necho '${JSON.stringify({ ...printed, Expiration: '2020-01-01T00:00:00Z' })}'\n`,
      { mode: 0o700 },
    );
    const config = path.join(work, 'process-config');
    fs.writeFileSync(config, `[profile proc]\ncredential_process = ${script}\n`);
    const result = await kfeedBinary(args, {
      env: { ...isolated, AWS_CONFIG_FILE: config, AWS_PROFILE: 'proc' },
      cwd: work,
    });
    expect(result.stderr.trim()).toBe(
      `kfeed: the AWS credentials expired at 2020-01-01T00:00:00.000Z (credential_process of profile "proc" in ${config}) — renew what the credential_process reads (its session or token) and run again`,
    );
    expect(result.code).toBe(3);
  });

  it('credentials from a named profile of the shared files reach the connection (then the dead address is named)', async () => {
    const credentials = path.join(work, 'credentials');
    fs.writeFileSync(
      credentials,
      '[feed]\naws_access_key_id = AKIAPROFILE000000042\naws_secret_access_key = profilesecret\n',
      { mode: 0o600 },
    );
    const env = { ...isolated, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: 'feed' };
    const result = await kfeedBinary(args, { env, cwd: work });
    expect(result.stderr.trim()).toMatch(/^kfeed: cannot reach 127\.0\.0\.1:9: connection refused/);
    expect(result.code).toBe(4);
  });

  it('acl commands on an IAM connection say that IAM policies authorize IAM clients', async () => {
    const result = await kfeed(['acl', 'list', '--brokers', '127.0.0.1:9', '--auth', 'iam', '--region', 'us-east-1'], {
      env: { ...isolated, ...KEYS },
      cwd: work,
    });
    expect(result.stderr.trim()).toBe(
      'kfeed: IAM clients are authorized by IAM policies, not Kafka ACLs — make the policy with `kfeed iam policy` and attach it to the role or user',
    );
    expect(result.code).toBe(2);
  });
});

describe('local up --iam prerequisites', () => {
  it('a missing JDK (no javac) is one line saying what to install', async () => {
    const { checkJavac } = await import('../src/local/iam.js');
    const noJdk = tempDir('kfeed-no-jdk-');
    let error: unknown;
    try {
      checkJavac('java', { JAVA_HOME: noJdk, PATH: noJdk });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KfeedError);
    expect((error as KfeedError).line).toBe(
      'a JDK (javac) is needed to build the IAM token validator of `local up --iam` — install a JDK 17+ (e.g. `apt-get install openjdk-17-jdk-headless`) or point JAVA_HOME at one',
    );
    expect((error as KfeedError).exitCode).toBe(9);
  });
});
