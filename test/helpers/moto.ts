import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

export interface Moto {
  /** `http://127.0.0.1:PORT`: pass as --endpoint-url or AWS_ENDPOINT_URL. */
  endpoint: string;
  /** Environment for kfeed runs: the endpoint, a region and dummy credentials. */
  env: Record<string, string>;
  /** Forgets every resource (moto's reset API), for tests that need an empty account. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts moto's server (the AWS API emulator, `pip install "moto[server]"`) on a free loopback
 * port for one test file. A missing moto fails the test: the suite never skips.
 */
export async function startMoto(options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Moto> {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let log = '';
  child.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `moto's server exited (${child.exitCode}); install it with pip install "moto[server]>=5.1.17": ${log.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 0, undefined))]);
    if (failed) throw new Error(`python3 is required to run moto's server: ${failed.message}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `moto's server did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms: ${log.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    },
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** An S3 client of moto's server (what the tests check the sink's objects with). */
export function motoS3(moto: Moto): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}
