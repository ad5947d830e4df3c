import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { poll } from '../wait.js';

/**
 * Ports for local clusters, free of races between clusters started in parallel:
 * - they are drawn below the kernel's ephemeral range, so no `bind(0)` and no outgoing
 *   connection of any program is handed one between our check and Kafka's bind;
 * - each is claimed with an exclusive file in a folder shared by every kfeed of this user
 *   (whatever its XDG folders), naming the cluster folder that owns it, so two kfeeds never
 *   pick the same port; the claims go when the cluster is removed.
 */
export function portRegistryDir(): string {
  // Not os.tmpdir(): a TMPDIR of one shell or one test run must not split the user's claims.
  return path.join('/tmp', `kfeed-ports-${os.userInfo().uid}`);
}

/** The lowest port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1024 ? low : 32768;
  } catch {
    return 32768;
  }
}

/** A claim older than this whose cluster folder is gone was left by a crash: it may be taken. */
const STALE_CLAIM_MS = 10 * 60_000;

/**
 * Claims `count` distinct ports for the cluster in `owner` (its folder, which must exist) and
 * checks that each can be bound on loopback now.
 */
export async function reservePorts(count: number, owner: string, registry = portRegistryDir()): Promise<number[]> {
  fs.mkdirSync(registry, { recursive: true, mode: 0o700 });
  const high = ephemeralLow() - 1;
  const low = Math.max(1025, Math.min(20000, high - 5000));
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt > count * 200) throw new Error(`no ${count} free ports found in ${low}-${high}`);
      const port = low + Math.floor(Math.random() * (high - low + 1));
      if (ports.includes(port) || !claim(registry, port, owner)) continue;
      if (await canBind(port)) ports.push(port);
      else release(registry, port, owner);
    }
    return ports;
  } catch (error) {
    releasePorts(ports, owner, registry);
    throw error;
  }
}

/** Gives back the claims `owner` holds on `ports` (claims of other owners stay). */
export function releasePorts(ports: number[], owner: string, registry = portRegistryDir()): void {
  for (const port of ports) release(registry, port, owner);
}

function claim(registry: string, port: number, owner: string): boolean {
  const file = path.join(registry, String(port));
  try {
    fs.writeFileSync(file, owner, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Taken: only a claim left by a crash long ago (its cluster folder gone) is cleared, for a later draw.
  try {
    const holder = fs.readFileSync(file, 'utf8');
    if (!fs.existsSync(holder) && Date.now() - fs.statSync(file).mtimeMs > STALE_CLAIM_MS)
      fs.rmSync(file, { force: true });
  } catch {
    // released in between
  }
  return false;
}

function release(registry: string, port: number, owner: string): void {
  const file = path.join(registry, String(port));
  try {
    if (fs.readFileSync(file, 'utf8') === owner) fs.rmSync(file, { force: true });
  } catch {
    // not claimed
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
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
