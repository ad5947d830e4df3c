import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/env.js';
import { kfeed } from '../helpers/run.js';
import { expectFailure } from '../helpers/assert.js';

/**
 * Two peers that are not brokers, on loopback: one accepts and never says a word (a silent
 * broker), one accepts and closes at once. kfeed must tell them apart.
 */
describe('a peer that closes and a peer that never answers are reported differently', () => {
  const servers: net.Server[] = [];
  const sockets: net.Socket[] = [];
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) server.close();
  });
  const listen = async (onConnection: (socket: net.Socket) => void) => {
    const server = net.createServer((socket) => {
      sockets.push(socket);
      onConnection(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  };
  const listTopics = (port: number) =>
    kfeed(['topic', 'list', '--brokers', `127.0.0.1:${port}`, '--plaintext'], {
      env: { XDG_CONFIG_HOME: tempDir() },
      cwd: tempDir(),
    });

  it('accepted and never answered: "did not answer", within seconds, and nothing about a closed connection', async () => {
    let accepted = 0;
    const port = await listen(() => (accepted += 1));
    const started = Date.now();
    const result = await listTopics(port);
    expectFailure(
      result,
      4,
      /^kfeed: the broker 127\.0\.0\.1:\d+ accepted the connection but did not answer — check --brokers: is a Kafka listener there, and is it not overloaded\?$/,
    );
    expect(result.stderr).not.toMatch(/closed/);
    expect(accepted).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('accepted and closed: "closed the connection", with the TLS-listener hint for --plaintext', async () => {
    let accepted = 0;
    const port = await listen((socket) => {
      accepted += 1;
      socket.end();
    });
    const result = await listTopics(port);
    expectFailure(
      result,
      4,
      /^kfeed: the broker 127\.0\.0\.1:\d+ closed the connection — is this a TLS listener\? drop --plaintext$/,
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
