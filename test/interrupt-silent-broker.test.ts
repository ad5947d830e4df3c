import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testEnv } from './helpers/env.js';
import { groupOwners, startSink } from './helpers/s3-sink.js';
import { BIN, kfeed } from './helpers/run.js';
import { unique } from './helpers/unique.js';
import { waitFor } from './helpers/wait.js';

/**
 * A "broker" that accepts every connection and never answers: the wait for its first answer is
 * what Ctrl-C / SIGTERM must end, at once, for every kind of client kfeed opens.
 */
let silent: net.Server;
let port = 0;
const sockets = new Set<net.Socket>();
let connected: (() => void) | undefined;

beforeAll(async () => {
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume(); // reads and drops what the client sends, so its close is seen
    socket.on('close', () => sockets.delete(socket));
    connected?.();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

/** Runs kfeed against the silent broker and sends `signal` once it is connected and waiting. */
function interruptWhileWaiting(args: string[], signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; stderr: string; msAfterSignal: number; openAfterExit: number }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args, '--brokers', `127.0.0.1:${port}`, '--plaintext'], {
        // No profile: the suite's own would add its TLS settings.
        env: testEnv({ XDG_CONFIG_HOME: tempDir('kfeed-silent-') }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let signalledAt = 0;
      child.stderr.on('data', (d) => (stderr += d));
      // Signalled a moment after its first connection, well inside the engine's 10 s request time-out.
      connected = () => {
        connected = undefined;
        setTimeout(() => {
          signalledAt = Date.now();
          child.kill(signal);
        }, 500);
      };
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        const msAfterSignal = signalledAt ? Date.now() - signalledAt : -1;
        // The kernel closes an exited process's sockets; give the server's 'close' events a moment.
        setTimeout(() => resolve({ code, stderr, msAfterSignal, openAfterExit: sockets.size }), 200);
      });
    },
  );
}

describe('Ctrl-C and SIGTERM end a wait on a broker that accepted the connection and never answers', () => {
  it.each([
    [['list-topics'], 'SIGINT', 130],
    [['acl', 'list'], 'SIGTERM', 143],
    [['group', 'list'], 'SIGTERM', 143],
    [['subscriber', 'suspend', 'acme'], 'SIGTERM', 143],
    [['subscriber', 'set', 'acme', '--max-bytes-per-second', '1MiB'], 'SIGINT', 130],
    [['consume', 'quotes'], 'SIGINT', 130],
    [['consume', 'quotes', '-g', 'desk'], 'SIGTERM', 143],
    [['produce', '--source', 'sim', '--count', '10', '--topic', 'quotes'], 'SIGTERM', 143],
  ] as Array<[string[], NodeJS.Signals, number]>)(
    'kfeed %s, %s: exit %i within a second, nothing left open',
    async (args, signal, code) => {
      const run = await interruptWhileWaiting(args, signal);
      expect(run.msAfterSignal, run.stderr).toBeGreaterThan(0);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code, stderr: '' });
      // Without the fix the wait ran to the request time-out (10 s) and exited 4.
      expect(run.msAfterSignal).toBeLessThan(1500);
      expect(run.openAfterExit).toBe(0);
    },
  );
});

describe('Ctrl-C during a group join that waits for a member that does not answer', () => {
  it('ends `consume -g` at once (exit 130) while the group waits out the stopped member', async () => {
    const topic = unique('join');
    const group = unique('join-group');
    expect((await kfeed(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
    const args = ['consume', topic, '-g', group, '--group-protocol', 'classic'];
    // The first member owns the partitions, then stops answering (SIGSTOP): a second member's
    // join waits for the rebalance, which waits for the first member's session to expire.
    const first = startSink(args, {});
    try {
      await waitFor('the first member owning partitions', async () =>
        (await groupOwners(group)) === 1 ? true : undefined,
      );
      first.child.kill('SIGSTOP');
      const second = startSink(args, {});
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(second.child.exitCode, second.output()).toBeNull();
      const signalledAt = Date.now();
      second.child.kill('SIGINT');
      expect({ code: await second.exited, output: second.output() }).toMatchObject({ code: 130 });
      expect(second.output()).toMatch(/^consumed 0 messages/);
      expect(second.output()).not.toMatch(/^kfeed:/m);
      // Without the fix it waited for the rebalance (the 10 s session of the stopped member).
      expect(Date.now() - signalledAt).toBeLessThan(1500);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
  });
});
