import type { Admin } from 'kafkajs';
import type { ConnectionSettings } from '../config/connection.js';
import { withAdmin } from '../kafka/client.js';
import { poll } from '../wait.js';

/**
 * The demo's topics, ready to be read by `groupId` from where they end now: created if missing,
 * served with a leader for every partition, and the group's offsets committed at their ends,
 * so that a consumer of that (new) group reads only records written from now on — records
 * already in the topics are not the demo's, and no consumer seek races its group's join.
 */
export async function prepareDemoTopics(
  settings: ConnectionSettings,
  options: { topics: string[]; partitions: number; groupId: string; signal?: AbortSignal },
): Promise<void> {
  await withAdmin(settings, async (admin) => {
    // Created without kafkajs's own wait for leaders: under load it gives up with "unknown
    // topic" while the broker is still electing; the wait below is the one that counts.
    const existing = new Set(await admin.listTopics());
    const missing = options.topics.filter((topic) => !existing.has(topic));
    if (missing.length) {
      const replicationFactor = Math.min(3, (await admin.describeCluster()).brokers.length);
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: options.partitions, replicationFactor })),
        waitForLeaders: false,
      });
    }
    for (const topic of options.topics) {
      // A topic just made is known to the controller a little before every part of the broker
      // serves it (offsets, then the group coordinator's view): retried until both answer.
      await poll(
        async () => {
          await admin.setOffsets({ groupId: options.groupId, topic, partitions: await endOffsets(admin, topic) });
          return true;
        },
        { what: `topic ${topic} to be served`, timeoutMs: 30_000, signal: options.signal },
      );
    }
  });
}

async function endOffsets(admin: Admin, topic: string): Promise<Array<{ partition: number; offset: string }>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
}
