import net from 'node:net';

/**
 * A TCP forwarder standing in for one NLB listener: it accepts on `listenPort` and pipes each
 * connection to `target`, counting connections and bytes so a test can prove traffic went
 * through it.
 */
export interface Forwarder {
  port: number;
  target: { host: string; port: number };
  connections: number;
  bytesToTarget: number;
  bytesFromTarget: number;
  close(): Promise<void>;
}

export async function startForwarder(listenPort: number, target: { host: string; port: number }): Promise<Forwarder> {
  const sockets = new Set<net.Socket>();
  const forwarder: Forwarder = {
    port: listenPort,
    target,
    connections: 0,
    bytesToTarget: 0,
    bytesFromTarget: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    forwarder.connections += 1;
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    client.on('data', (d) => (forwarder.bytesToTarget += d.length));
    upstream.on('data', (d) => (forwarder.bytesFromTarget += d.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  return forwarder;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A base B such that B+1 .. B+count are all free on loopback (port base + broker id), and
 * none of them is in `avoid`.
 */
export async function freePortBase(count: number, avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ports = Array.from({ length: count }, (_, i) => base + 1 + i);
    if (ports.some((p) => avoid.includes(p))) continue;
    let free = true;
    for (const port of ports) if (!(await portFree(port))) free = false;
    if (free) return base;
  }
  throw new Error(`no run of ${count} free ports found`);
}
