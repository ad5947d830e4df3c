import type { Admin } from 'kafkajs';
import type { ConnectionSettings } from '../config/connection.js';
import { withAdmin } from '../kafka/client.js';
import { ensureTopics } from '../kafka/topics.js';
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
    await ensureTopics(admin, options.topics, options.partitions);
    for (const topic of options.topics) {
      // A topic just made is known to the controller a little before the broker serves it.
      const ends = await poll(() => endOffsets(admin, topic), {
        what: `topic ${topic} to be served`,
        timeoutMs: 30_000,
        signal: options.signal,
      });
      await admin.setOffsets({ groupId: options.groupId, topic, partitions: ends });
    }
  });
}

async function endOffsets(admin: Admin, topic: string): Promise<Array<{ partition: number; offset: string }>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
}
