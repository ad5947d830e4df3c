import type { Admin } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import type { AclBinding } from '../kafka/acls.js';
import { appendRecords, readWholeTopic } from '../kafka/records.js';
import { ensureTopic } from '../kafka/topics.js';
import { parseSubscriberRecord, type SubscriberRecord } from './registry.js';

/**
 * The history: every change to a subscriber (add, renew, remove, drift repair, suspend and
 * resume, a quota set, a name or principal used again), appended to a topic that is never
 * compacted and never expires, so the registry's latest record can never rewrite what happened
 * before. Keyed by name.
 */
export const HISTORY_FORMAT = 1;

export const SUBSCRIBER_ACTIONS = ['add', 'renew', 'remove', 'repair', 'suspend', 'resume', 'set'] as const;
export type SubscriberAction = (typeof SUBSCRIBER_ACTIONS)[number];

export interface SubscriberEvent {
  format: typeof HISTORY_FORMAT;
  name: string;
  generation: number;
  action: SubscriberAction;
  /** When (ISO) and who (the operator's principal). */
  at: string;
  by: string;
  /** What changed, one line for people. */
  what: string;
  /** What an `add` was allowed to use again: the name or the principal of a removed subscriber. */
  reused?: Array<'name' | 'principal'>;
  aclsGranted?: AclBinding[];
  aclsDeleted?: AclBinding[];
  /** The subscriber's record after the change. */
  record: SubscriberRecord;
}

/** The history topic that goes with a registry topic (`_kfeed_subscribers` -> `_kfeed_subscribers_history`). */
export function historyTopicOf(registryTopic: string): string {
  return `${registryTopic}_history`;
}

/** One partition (read whole, in order), deletion never: no compaction, no time or size limit. */
export async function ensureHistoryTopic(admin: Admin, topic: string): Promise<void> {
  await ensureTopic(admin, topic, {
    partitions: 1,
    configs: [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: '-1' },
      { name: 'retention.bytes', value: '-1' },
    ],
  });
}

export async function appendHistory(
  settings: ConnectionSettings,
  topic: string,
  event: SubscriberEvent,
): Promise<void> {
  await appendRecords(settings, topic, [{ key: event.name, value: JSON.stringify(event) }]);
}

/** Every event of `name` (of all its generations), oldest first. */
export async function readHistory(
  settings: ConnectionSettings,
  topic: string,
  name: string,
  signal?: AbortSignal,
): Promise<SubscriberEvent[]> {
  const records = await readWholeTopic(settings, topic, { signal, describe: `the subscriber history ${topic}` });
  return records
    .filter((r) => r.key === name && r.value !== null)
    .map((r) => parseSubscriberEvent(r.value!, topic, r.offset));
}

/** Parses one history value; an event kfeed cannot read is named by its offset, never guessed at. */
export function parseSubscriberEvent(value: string, topic: string, offset: string): SubscriberEvent {
  const damaged = (why: string) =>
    new KfeedError('verification', `the history event at offset ${offset} of ${topic} cannot be read: ${why}`, {
      hint:
        'it was not written by this version of kfeed; inspect it with ' +
        `\`kfeed consume ${topic} --offset ${offset} -n 1\``,
    });
  let data: Partial<SubscriberEvent>;
  try {
    data = JSON.parse(value) as Partial<SubscriberEvent>;
  } catch {
    throw damaged('it is not JSON');
  }
  if (data.format !== HISTORY_FORMAT) throw damaged(`format ${String(data.format)} is not ${HISTORY_FORMAT}`);
  if (!SUBSCRIBER_ACTIONS.includes(data.action as SubscriberAction))
    throw damaged(`action ${String(data.action)} is unknown`);
  for (const field of ['name', 'at', 'by', 'what'] as const)
    if (typeof data[field] !== 'string') throw damaged(`${field} is missing`);
  if (!Number.isInteger(data.generation)) throw damaged('generation is missing');
  if (typeof data.record !== 'object' || data.record === null) throw damaged('record is missing');
  parseSubscriberRecord(data.name!, JSON.stringify(data.record), topic);
  return data as SubscriberEvent;
}
