import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { closeQuietly, createAdmin } from '../kafka/client.js';
import { translateKafkaError } from '../kafka/errors.js';
import { poll } from '../wait.js';
import { adminConnection } from './endpoints.js';
import { brokerAlive, brokerLogFile, failureReason } from './processes.js';
import type { LocalClusterState } from './state.js';

/**
 * Waits until every broker is registered and answers a metadata request over mTLS.
 * A broker process that exits ends the wait at once, and so does `signal`.
 */
export async function waitUntilServing(
  state: LocalClusterState,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const settings = adminConnection(state);
  await poll(
    async () => {
      const dead = state.brokers.find((b) => !brokerAlive(b));
      if (dead) {
        throw new KfeedError(
          'internal',
          `broker ${dead.id} of cluster ${state.name} exited: ${failureReason(brokerLogFile(dead))}`,
          {
            hint: `see ${brokerLogFile(dead)} (kfeed local logs --name ${state.name} --broker ${dead.id})`,
          },
        );
      }
      // Each broker is asked on its own: in ZooKeeper mode a broker's view of the cluster lags
      // behind the controller's, and a client that meets a lagging broker sees fewer brokers.
      const views = await Promise.all(
        settings.brokers.map((address) => brokerView({ ...settings, brokers: [address] })),
      );
      const lagging = views.find(
        (v) => typeof v === 'string' || v.brokers !== state.brokers.length || v.controller < 0,
      );
      if (!lagging) return true;
      throw new Error(
        typeof lagging === 'string' ? lagging : `${lagging.brokers} of ${state.brokers.length} brokers registered`,
      );
    },
    {
      what: `cluster ${state.name} to serve`,
      timeoutMs,
      intervalMs: 500,
      signal,
      onTimeout: (last) =>
        new KfeedError(
          'connection',
          `cluster ${state.name} did not become ready in ${Math.round(timeoutMs / 1000)} s ` +
            `(${(last as Error)?.message ?? 'no answer'})`,
          { hint: `see the logs: kfeed local logs --name ${state.name}` },
        ),
    },
  );
}

/** What one broker reports about the cluster, or why it could not be asked. */
async function brokerView(settings: ConnectionSettings): Promise<{ brokers: number; controller: number } | string> {
  const admin = await createAdmin(settings, { retries: 0, connectionTimeoutMs: 2000, requestTimeoutMs: 5000 });
  try {
    const cluster = await admin.metadata({ topics: [], forceUpdate: true });
    return { brokers: cluster.brokers.size, controller: cluster.controllerId ?? -1 };
  } catch (error) {
    return translateKafkaError(error, settings).message;
  } finally {
    await closeQuietly(admin);
  }
}
