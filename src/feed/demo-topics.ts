import type { ConnectionSettings } from '../config/connection.js';
import { withAdmin } from '../kafka/client.js';
import { brokers, logRanges, topicMetadataOf } from '../kafka/topics.js';
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
    const existing = new Set(await admin.listTopics());
    const missing = options.topics.filter((topic) => !existing.has(topic));
    if (missing.length) {
      const replicas = Math.min(3, (await brokers(admin)).length);
      await admin.createTopics({ topics: missing, partitions: options.partitions, replicas });
    }
    for (const topic of options.topics) {
      // A topic just made is known to the controller a little before every part of the broker
      // serves it (leaders, offsets, then the group coordinator's view): retried until all answer.
      await poll(
        async () => {
          const partitions = (await topicMetadataOf(admin, topic)).partitions.map((_, partition) => partition);
          const ranges = await logRanges(admin, topic, partitions);
          await admin.alterConsumerGroupOffsets({
            groupId: options.groupId,
            topics: [
              {
                name: topic,
                partitionOffsets: partitions.map((partition) => ({
                  partition,
                  offset: BigInt(ranges.get(partition)?.high ?? '0'),
                })),
              },
            ],
          });
          return true;
        },
        { what: `topic ${topic} to be served`, timeoutMs: 30_000, signal: options.signal },
      );
    }
  });
}
