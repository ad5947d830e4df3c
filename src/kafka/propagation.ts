import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { abortable, poll } from '../wait.js';
import { closeQuietly, createAdmin, withAdmin } from './client.js';
import { brokers } from './topics.js';

/**
 * Waits until every broker's metadata lists the topic with a leader for each partition.
 * A broker learns of a new topic a little after the controller: without this wait, a
 * client that asks another broker right after `create-topic` is told the topic does not exist.
 */
export async function waitUntilEveryBrokerKnows(
  settings: ConnectionSettings,
  topic: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const addresses = (await abortable(withAdmin(settings, brokers), options.signal)).map((b) => `${b.host}:${b.port}`);
  if (addresses.length < 2) return;
  const pending = new Set(addresses);
  await poll(
    async () => {
      for (const address of [...pending]) {
        if (await brokerKnows({ ...settings, brokers: [address] }, topic)) pending.delete(address);
      }
      return pending.size === 0 ? true : undefined;
    },
    {
      what: `every broker to list topic ${topic}`,
      timeoutMs,
      intervalMs: 200,
      signal: options.signal,
      onTimeout: () =>
        new KfeedError(
          'connection',
          `topic ${topic} was created, but broker(s) ${[...pending].join(', ')} ` +
            `did not list it within ${timeoutMs / 1000} s`,
          {
            hint: 'check the brokers with `kfeed describe-topic`',
          },
        ),
    },
  );
}

async function brokerKnows(settings: ConnectionSettings, topic: string): Promise<boolean> {
  // A fresh client asks its one bootstrap address: this broker's own view of the topic.
  const admin = await createAdmin(settings, { retries: 0 });
  try {
    const metadata = await admin.metadata({ topics: [topic] });
    return metadata.topics.get(topic)?.partitions.every((p) => p.leader >= 0) ?? false;
  } catch {
    return false;
  } finally {
    await closeQuietly(admin);
  }
}
