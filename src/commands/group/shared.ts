import { usageError } from '../../errors.js';
import type { GroupDescription } from '../../kafka/groups.js';
import type { RenderView } from '../command.js';

/** Time lag for people: "0 s", "12.3 s", "4 min 05 s", "2 h 03 min"; "-" when unknown. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1).replace(/\.0$/, '') : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function renderGroup(group: GroupDescription, view: RenderView): string {
  // A group that committed nothing has no lag yet: "0" would read as caught up.
  const lag = group.committedPartitions
    ? `lag ${group.lag} message(s), ${formatSeconds(group.lagSeconds)} behind`
    : 'no commits';
  const header = `group ${group.group}: ${group.state}, ${group.members.length} member(s), ${lag}`;
  const table = view.table(
    group.partitions,
    [
      { header: 'TOPIC', value: (p) => p.topic },
      { header: 'PARTITION', value: (p) => p.partition, align: 'right' },
      { header: 'COMMITTED', value: (p) => p.committedOffset ?? '-', align: 'right' },
      { header: 'LOG END', value: (p) => p.logEndOffset, align: 'right' },
      { header: 'LAG', value: (p) => p.lag ?? '-', align: 'right' },
      { header: 'LAG TIME', value: (p) => formatSeconds(p.lagSeconds), align: 'right' },
      { header: 'MEMBER', value: (p) => p.memberId ?? '-' },
      { header: 'CLIENT', value: (p) => p.clientId ?? '-' },
      { header: 'HOST', value: (p) => p.host ?? '-' },
    ],
    'no committed offsets and no assigned partitions',
  );
  return `${header}\n${table}`;
}

/** `--topic T` or `--topic T:0,2`: the topic and, optionally, some of its partitions. */
export function parseTopicPartitions(value: string): { topic: string; partitions?: number[] } {
  const at = value.lastIndexOf(':');
  if (at < 0) return { topic: value };
  const topic = value.slice(0, at);
  const list = value.slice(at + 1).split(',');
  if (!topic || list.some((p) => !/^\d+$/.test(p))) {
    throw usageError(`"${value}" is not a topic with partitions`, 'write --topic T or --topic T:0,1,2');
  }
  return { topic, partitions: [...new Set(list.map(Number))].sort((a, b) => a - b) };
}
