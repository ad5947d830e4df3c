import fs from 'node:fs';
import type { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IamAuth } from '../src/aws/msk-iam.js';
import { baseOptions, engine, watchSocketErrors } from '../src/kafka/client.js';
import { translateKafkaError } from '../src/kafka/errors.js';
import { poll } from '../src/wait.js';
import { awsMskIamAuthJars, runAwsIamJavaTool, writeAwsIamClientProperties } from './helpers/aws-iam-java.js';
import { tempDir } from './helpers/env.js';
import { kfeed, kfeedBinary } from './helpers/run.js';
import { mskIamToken } from './helpers/sigv4.js';

const NAME = 'iam';
// The session lifetime (--iam-token-lifetime): tokens themselves stay good until their own X-Amz-Expires.
const LIFETIME_SECONDS = 30;
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

  it('takes a token until its own X-Amz-Expires (at most 900 s), past the session lifetime; refuses it after, in one line', async () => {
    const ca = fs.readFileSync(up.files.ca, 'utf8');
    const iam = { region: up.iam.region } as IamAuth;
    const settings = { brokers: up.bootstrap.iam, security: 'sasl_ssl' as const, tls: { ca }, origin: {}, files: {} };
    const connect = async (secondsAgo: number, expiresSeconds?: number) => {
      const token = mskIamToken({
        accessKeyId: keys.AWS_ACCESS_KEY_ID,
        secret: keys.AWS_SECRET_ACCESS_KEY,
        region: up.iam.region,
        signedAt: new Date(Date.now() - secondsAgo * 1000),
        expiresSeconds,
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
    const expired =
      /^the broker localhost:\d+ refused the IAM credentials: IAM token refused: expired at \d{4}-\d\d-\d\dT/;
    expect(await connect(0)).toBeUndefined();
    // Older than the session lifetime, well within its 900 s: as on MSK, the token is good.
    expect(await connect(LIFETIME_SECONDS + 30)).toBeUndefined();
    const shortToken = await connect(120, 60);
    expect(shortToken?.line).toMatch(expired);
    expect(shortToken?.exitCode).toBe(6);
    // An X-Amz-Expires beyond 900 s is cut to MSK's 900 s.
    expect((await connect(1000, 3600))?.line).toMatch(expired);
    expect((await connect(3600))?.line).toMatch(expired);
  });

  it("kfeed and AWS's own Java client both keep working for 100 s on a 30 s session lifetime", async () => {
    const env = { ...keys };
    const topic = 'iam-long-run';
    expect((await kfeed(['topic', 'create', topic, ...connection], { env })).code).toBe(0);
    // AWS's aws-msk-iam-auth in both set-ups AWS documents, with the key through AWS's profile chain:
    // the producer re-sends its login token (good for 900 s) on each re-authentication, the
    // consumer signs a new one each time.
    await awsMskIamAuthJars();
    const loginTokenOnly = writeAwsIamClientProperties(work, up.files.ca, { loginOnly: true });
    const tokenPerAuthentication = writeAwsIamClientProperties(work, up.files.ca, { loginOnly: false });
    const awsEnv = {
      AWS_SHARED_CREDENTIALS_FILE: up.iam.credentialsFile,
      AWS_PROFILE: up.iam.awsProfile,
      AWS_REGION: up.iam.region,
    };
    const bootstrap = ['--bootstrap-server', up.bootstrap.iam.join(',')];
    const javaRecords = 100;
    const rounds = 5;
    const expected = [
      ...Array.from({ length: javaRecords }, (_, i) => String(i)),
      ...Array.from({ length: rounds }, (_, i) => `kfeed ${i}`),
    ].sort();
    // Each client ends by itself after 100 s; a stalled one is stopped here, so the checks below say what failed.
    const RUN_LIMIT_MS = 150_000;
    const started = Date.now();
    // One record a second for 100 s, on long-lived connections that re-authenticate every ~30 s.
    const javaProducer = runAwsIamJavaTool(
      NAME,
      'org.apache.kafka.tools.VerifiableProducer',
      [
        ...bootstrap,
        '--topic',
        topic,
        '--max-messages',
        String(javaRecords),
        '--throughput',
        '1',
        '--producer.config',
        loginTokenOnly,
      ],
      { env: awsEnv, timeoutMs: RUN_LIMIT_MS },
    );
    const javaConsumer = runAwsIamJavaTool(
      NAME,
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      [
        ...bootstrap,
        '--topic',
        topic,
        '--from-beginning',
        '--group',
        'iam-aws-java',
        '--max-messages',
        String(expected.length),
        '--timeout-ms',
        '60000',
        '--consumer.config',
        tokenPerAuthentication,
      ],
      { env: awsEnv, timeoutMs: RUN_LIMIT_MS },
    );
    const kfeedConsumer = kfeed(
      [
        'consume',
        topic,
        '--from-beginning',
        '-g',
        'iam-long',
        '-n',
        String(expected.length),
        '--format',
        'raw',
        ...connection,
      ],
      { env, abortAfterMs: RUN_LIMIT_MS },
    );
    for (let round = 0; round < rounds; round++) {
      const sent = await kfeed(['produce', '-t', topic, ...connection], { env, stdin: `kfeed ${round}\n` });
      expect(sent.code).toBe(0);
      const until = Date.now() + 20_000;
      await poll(() => (Date.now() > until ? true : undefined), {
        what: 'the next round',
        timeoutMs: 25_000,
        intervalMs: 250,
      });
    }
    const [produced, consumedByJava, consumedByKfeed] = await Promise.all([javaProducer, javaConsumer, kfeedConsumer]);
    expect(Date.now() - started).toBeGreaterThan(100_000);
    const events = produced.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; value?: string });
    expect(events.filter((e) => e.name === 'producer_send_error')).toEqual([]);
    expect(events.filter((e) => e.name === 'producer_send_success')).toHaveLength(javaRecords);
    expect(produced.code).toBe(0);
    for (const run of [produced, consumedByJava]) {
      expect(run.stderr).not.toMatch(/IAM token refused|AuthenticationException|Authentication failed/);
      // The broker ends each session after 30 s (the token is good for 900 s) and the client
      // re-authenticates on the same connection with the token it holds.
      const sessions = [...run.stderr.matchAll(/Finished (re-)?authentication with session expiration in (\d+) ms/g)];
      expect(sessions.filter((m) => m[1]).length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...sessions.map((m) => Number(m[2])))).toBeLessThanOrEqual(LIFETIME_SECONDS * 1000);
    }
    expect(consumedByJava.stdout.trim().split('\n').sort()).toEqual(expected);
    expect(consumedByJava.code).toBe(0);
    expect(consumedByKfeed.stderr).toMatch(
      new RegExp(`^consumed ${expected.length} messages in \\d+\\.\\d{3} s \\([\\d.]+/s\\)\\n$`),
    );
    expect(consumedByKfeed.code).toBe(0);
    expect(consumedByKfeed.stdout.trim().split('\n').sort()).toEqual(expected);
  }, 240_000);
});

/** An engine admin client whose OAUTHBEARER token is a given one (for tokens the signer cannot make). */
async function adminWithToken(settings: Parameters<typeof baseOptions>[0], token: string): Promise<Admin> {
  const { Admin: AdminClass } = await engine();
  const admin = new AdminClass({
    ...(await baseOptions(settings, { retries: 0 })),
    sasl: { mechanism: 'OAUTHBEARER', token },
  });
  // A refused authentication and then the socket's reset are two errors of one connection.
  watchSocketErrors(admin);
  return admin;
}
