import net from 'node:net';
import { poll } from '../wait.js';

/** `count` distinct free TCP ports on loopback, held open together so none repeats. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(server);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Whether something accepts connections on host:port right now. */
export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves true once something accepts connections on host:port, false after `timeoutMs` or
 * as soon as `alive()` says the process that should listen is gone; `signal` ends the wait.
 */
export async function waitForPort(
  host: string,
  port: number,
  timeoutMs: number,
  alive: () => boolean = () => true,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    return await poll(async () => (!alive() ? false : (await portOpen(host, port)) ? true : undefined), {
      what: `${host}:${port} to accept connections`,
      timeoutMs,
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    return false;
  }
}
