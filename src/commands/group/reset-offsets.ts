import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { usageError } from '../../errors.js';
import { resetOffsets, withGroups, type ResetMode, type ResetResult } from '../../kafka/groups.js';
import { checkResetTarget, groupExists } from '../../kafka/reset-target.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';
import { parseTopicPartitions } from './shared.js';

export interface ResetOffsetsOptions extends ConnectionFlags {
  group: string;
  topic: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toTime?: string;
  shiftBy?: string;
  execute?: boolean;
  newGroup?: boolean;
}

/** The reset, and whether it makes a new group (`--new-group` on a group that did not exist). */
export interface ResetOffsetsResult extends ResetResult {
  newGroup: boolean;
}

const INTEGER = /^-?\d+$/;

/** The one mode the flags name; exactly one is required. */
export function resetMode(options: ResetOffsetsOptions): ResetMode {
  const modes: ResetMode[] = [];
  if (options.toEarliest) modes.push({ to: 'earliest' });
  if (options.toLatest) modes.push({ to: 'latest' });
  if (options.toOffset !== undefined) {
    if (!/^\d+$/.test(options.toOffset))
      throw usageError(`--to-offset "${options.toOffset}" is not an offset`, 'pass a whole number, 0 or more');
    modes.push({ to: 'offset', offset: Number(options.toOffset) });
  }
  if (options.toTime !== undefined) {
    const timestamp = Date.parse(options.toTime);
    if (!/^\d{4}-\d{2}-\d{2}/.test(options.toTime) || Number.isNaN(timestamp)) {
      throw usageError(`--to-time "${options.toTime}" is not an ISO 8601 time`, 'write e.g. 2026-11-30T09:30:00Z');
    }
    modes.push({ to: 'time', timestamp });
  }
  if (options.shiftBy !== undefined) {
    if (!INTEGER.test(options.shiftBy))
      throw usageError(`--shift-by "${options.shiftBy}" is not a whole number`, 'pass e.g. --shift-by -100');
    modes.push({ to: 'shift', by: Number(options.shiftBy) });
  }
  if (modes.length !== 1) {
    throw usageError(
      modes.length ? 'more than one reset mode given' : 'no reset mode given',
      'pass exactly one of --to-earliest, --to-latest, --to-offset N, --to-time ISO, --shift-by N',
    );
  }
  return modes[0];
}

export default defineCommand<ResetOffsetsOptions, ResetOffsetsResult>({
  name: 'reset-offsets',
  summary: 'plan (and with --execute, apply) new committed offsets for an inactive group',
  args: [{ key: 'group', syntax: '<group>', description: 'consumer group id' }],
  flags: (command) =>
    withConnectionOptions(
      command
        .requiredOption('--topic <topic[:p,...]>', 'the topic (and optionally some of its partitions)')
        .option('--to-earliest', 'to the start of the log')
        .option('--to-latest', 'to the end of the log')
        .option('--to-offset <n>', 'to this offset (clamped to the log)')
        .option('--to-time <iso>', 'to the first record at or after this time')
        .option('--shift-by <n>', 'move by n (negative: back), clamped to the log')
        .option('--execute', 'apply the plan (without it, nothing changes)')
        .option(
          '--new-group',
          'the group may not exist yet: --execute creates it (without this, a missing group is refused)',
        ),
    ),
  validate: (options) => {
    parseTopicPartitions(options.topic);
    resetMode(options);
  },
  run: async (ctx: Context, options) => {
    const { topic, partitions } = parseTopicPartitions(options.topic);
    const settings = await ctx.connection(connectionFlags(options));
    return withGroups(
      settings,
      async (client) => {
        const exists = await groupExists(client, options.group);
        const target = checkResetTarget({ group: options.group, exists, newGroup: Boolean(options.newGroup) });
        const reset = await resetOffsets(client, {
          group: options.group,
          topic,
          partitions,
          mode: resetMode(options),
          execute: Boolean(options.execute),
        });
        return { ...reset, newGroup: target === 'new' };
      },
      ctx.abort.signal,
    );
  },
  render: (result, view) => {
    const table = view.table(result.partitions, [
      { header: 'TOPIC', value: (r) => r.topic },
      { header: 'PARTITION', value: (r) => r.partition, align: 'right' },
      { header: 'OLD', value: (r) => r.currentOffset ?? '-', align: 'right' },
      { header: 'NEW', value: (r) => r.newOffset, align: 'right' },
      {
        header: 'NOTE',
        value: (r) =>
          r.clamped
            ? `asked ${r.requestedOffset}: clamped to the ${r.clamped === 'log-start' ? 'start' : 'end'} of the log`
            : '',
      },
    ]);
    const footer = result.executed
      ? `${result.newGroup ? 'created group' : 'reset group'} ${result.group} on ${result.topic}`
      : result.newGroup
        ? `plan only: nothing changed (group ${result.group} does not exist yet: --execute creates it)`
        : 'plan only: nothing changed (pass --execute to apply it)';
    return `${table}\n${footer}`;
  },
});
