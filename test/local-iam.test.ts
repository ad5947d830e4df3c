import fs from 'node:fs';
import type { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IamAuth } from '../src/aws/msk-iam.js';
import { baseOptions, engine, watchSocketErrors } from '../src/kafka/client.js';
import { translateKafkaError } from '../src/kafka/errors.js';
import { poll } from '../src/wait.js';
import { tempDir } from './helpers/env.js';
import { kfeed, kfeedBinary } from './helpers/run.js';
import { mskIamToken } from './helpers/sigv4.js';

const NAME = 'iam';
const LIFETIME_SECONDS = 15;
const work = tempDir('kfeed-local-iam-');

interface Up {
  bootstrap: { iam: string[] };
  files: { ca: string };
  iam: {
    region: string;
    accessKeyId: string;
    credentialsFile: string;
    awsProfile: string;
    principal: string;
    tokenLifetimeSeconds: number;
  };
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  return lines[0];
}

describe('kfeed local up --iam: a broker that checks MSK IAM tokens', () => {
  let up: Up;
  let keys: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };
  let connection: string[];

  beforeAll(async () => {
    const result = await kfeed([
      'local',
      'up',
      '--name',
      NAME,
      '--iam',
      '--iam-token-lifetime',
      String(LIFETIME_SECONDS),
      '--no-profile',
      '--json',
    ]);
    if (result.code !== 0) throw new Error(`local up --iam failed (${result.code}): ${result.stderr}`);
    up = JSON.parse(result.stdout);
    const text = fs.readFileSync(up.iam.credentialsFile, 'utf8');
    keys = {
      AWS_ACCESS_KEY_ID: /aws_access_key_id = (\S+)/.exec(text)![1],
      AWS_SECRET_ACCESS_KEY: /aws_secret_access_key = (\S+)/.exec(text)![1],
    };
    connection = [
      '--brokers',
      up.bootstrap.iam.join(','),
      '--ca',
      up.files.ca,
      '--auth',
      'iam',
      '--region',
      up.iam.region,
    ];
  });
  afterAll(async () => {
    await kfeed(['local', 'down', '--name', NAME]);
  });

  it('prints the access key id, keeps the secret in a 0600 file and never prints it', async () => {
    expect(up.iam.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(keys.AWS_ACCESS_KEY_ID).toBe(up.iam.accessKeyId);
    expect(fs.statSync(up.iam.credentialsFile).mode & 0o777).toBe(0o600);
    expect(up.iam).toMatchObject({
      region: 'us-east-1',
      tokenLifetimeSeconds: LIFETIME_SECONDS,
      principal: `User:kfeed-local-${NAME}`,
    });
    const status = await kfeed(['local', 'status', '--name', NAME]);
    expect(status.stdout).toContain(up.iam.accessKeyId);
    expect(status.stdout + JSON.stringify(up)).not.toContain(keys.AWS_SECRET_ACCESS_KEY);
  });

  it('list-topics, produce and consume with --auth iam', async () => {
    const env = { ...keys };
    const created = await kfeed(['topic', 'create', 'iam-quotes', ...connection], { env });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    // The built binary, with the key found by the SDK's chain through a named profile.
    const chainEnv = {
      AWS_SHARED_CREDENTIALS_FILE: up.iam.credentialsFile,
      AWS_PROFILE: up.iam.awsProfile,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const listed = await kfeedBinary(['list-topics', '--json', ...connection], { env: chainEnv, cwd: work });
    expect(listed.stderr).toBe('');
    expect(JSON.stringify(JSON.parse(listed.stdout))).toContain('iam-quotes');
    const produced = await kfeed(['produce', '-t', 'iam-quotes', ...connection], {
      env,
      stdin: 'AAPL 1\nMSFT 2\nGOOG 3\n',
    });
    expect(produced.code).toBe(0);
    const consumed = await kfeed(
      ['consume', 'iam-quotes', '--from-beginning', '-n', '3', '--format', 'raw', ...connection],
      { env },
    );
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['AAPL 1', 'MSFT 2', 'GOOG 3']);
  });

  it('refuses a wrong secret key in one line', async () => {
    const result = await kfeed(['list-topics', ...connection], {
      env: { ...keys, AWS_SECRET_ACCESS_KEY: `${keys.AWS_SECRET_ACCESS_KEY}x` },
    });
    expect(oneLine(result.stderr)).toMatch(
      /^kfeed: the broker localhost:\d+ refused the IAM credentials: IAM token refused: the signature does not match/,
    );
    expect(result.code).toBe(6);
  });

  it('refuses a token signed for another host (region) in one line', async () => {
    const result = await kfeed(['list-topics', ...connection, '--region', 'eu-west-1'], { env: keys });
    expect(oneLine(result.stderr)).toMatch(
      /refused the IAM credentials: IAM token refused: signed for host kafka\.eu-west-1\.amazonaws\.com, this cluster is kafka\.us-east-1\.amazonaws\.com/,
    );
    expect(result.code).toBe(6);
  });

  it('refuses an expired token in one line (and takes the same token made now)', async () => {
    const ca = fs.readFileSync(up.files.ca, 'utf8');
    const iam = { region: up.iam.region } as IamAuth;
    const settings = { brokers: up.bootstrap.iam, security: 'sasl_ssl' as const, tls: { ca }, origin: {}, files: {} };
    const connect = async (signedAt: Date) => {
      const token = mskIamToken({
        accessKeyId: keys.AWS_ACCESS_KEY_ID,
        secret: keys.AWS_SECRET_ACCESS_KEY,
        region: up.iam.region,
        signedAt,
      });
      const admin = await adminWithToken(settings, token);
      try {
        await admin.listTopics();
        return undefined;
      } catch (error) {
        return translateKafkaError(error, { ...settings, iam });
      } finally {
        await admin.close().catch(() => undefined);
      }
    };
    expect(await connect(new Date())).toBeUndefined();
    const refused = await connect(new Date(Date.now() - 3600_000));
    expect(refused?.line).toMatch(
      /^the broker localhost:\d+ refused the IAM credentials: IAM token refused: expired at \d{4}-\d\d-\d\dT/,
    );
    expect(refused?.exitCode).toBe(6);
  });

  it('a consumer running across several token lifetimes loses nothing', async () => {
    const env = { ...keys };
    const topic = 'iam-long-run';
    expect((await kfeed(['topic', 'create', topic, ...connection], { env })).code).toBe(0);
    const rounds = 4;
    const consumer = kfeed(
      ['consume', topic, '--from-beginning', '-g', 'iam-long', '-n', String(rounds), '--format', 'raw', ...connection],
      { env },
    );
    const started = Date.now();
    // A client that keeps re-sending one token: the broker must end its session once that token's lifetime is over.
    const ca = fs.readFileSync(up.files.ca, 'utf8');
    const settings = { brokers: up.bootstrap.iam, security: 'sasl_ssl' as const, tls: { ca }, origin: {}, files: {} };
    const fixedToken = mskIamToken({
      accessKeyId: keys.AWS_ACCESS_KEY_ID,
      secret: keys.AWS_SECRET_ACCESS_KEY,
      region: up.iam.region,
      signedAt: new Date(),
    });
    const stale = await adminWithToken(settings, fixedToken);
    await stale.listTopics();
    for (let round = 0; round < rounds; round++) {
      const sent = await kfeed(['produce', '-t', topic, ...connection], { env, stdin: `round ${round}\n` });
      expect(sent.code).toBe(0);
      // Each round waits until a whole token lifetime has passed, so every session ends at least once.
      const until = Date.now() + LIFETIME_SECONDS * 1000 + 1000;
      await poll(() => (Date.now() > until ? true : undefined), {
        what: 'a token lifetime to pass',
        timeoutMs: LIFETIME_SECONDS * 2000,
        intervalMs: 250,
      });
    }
    const result = await consumer;
    const staleError = await stale.listTopics().then(
      () => undefined,
      (error: unknown) => translateKafkaError(error, { ...settings, iam: { region: up.iam.region } as IamAuth }),
    );
    await stale.close().catch(() => undefined);
    // The broker ends the session at the token's lifetime: it closes the connection, or refuses the stale token on re-authentication.
    expect(staleError?.line).toMatch(
      /closed the connection|refused the IAM credentials: IAM token refused: expired at/,
    );
    expect(result.stderr).toMatch(new RegExp(`^consumed ${rounds} messages in \\d+\\.\\d{3} s \\([\\d.]+/s\\)\\n$`));
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(Array.from({ length: rounds }, (_, i) => `round ${i}`));
    expect(Date.now() - started).toBeGreaterThan(rounds * LIFETIME_SECONDS * 1000);
  });
});

/** An engine admin client whose OAUTHBEARER token is a given one (for tokens the signer cannot make). */
async function adminWithToken(settings: Parameters<typeof baseOptions>[0], token: string): Promise<Admin> {
  const { Admin: AdminClass } = await engine();
  const admin = new AdminClass({
    ...(await baseOptions(settings, { retries: 0 })),
    sasl: { mechanism: 'OAUTHBEARER', token },
  });
  // A refused re-authentication and then the socket's reset are two errors of one connection.
  watchSocketErrors(admin);
  return admin;
}
