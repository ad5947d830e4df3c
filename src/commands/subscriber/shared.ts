import type { Command } from 'commander';
import type { ConnectionFlags, ConnectionSettings } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { parseByteRate, parseRequestPercent, type SubscriberQuotaChange } from '../../subscribers/quota.js';
import { DEFAULT_REGISTRY_TOPIC } from '../../subscribers/registry.js';
import type { RegistryAccess } from '../../subscribers/shared.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

/** What the subscriber verbs share (as gh keeps a noun's shared flags in pkg/cmd/<noun>/shared). */
export interface RegistryFlags extends ConnectionFlags {
  registryTopic: string;
}

export function withRegistryOptions(command: Command): Command {
  return withConnectionOptions(
    command.option(
      '--registry-topic <topic>',
      'the compacted topic that holds the subscriber registry (its history is TOPIC_history)',
      DEFAULT_REGISTRY_TOPIC,
    ),
  );
}

/** An admin connection to the cluster and the registry on it. */
export async function registryAccess(
  ctx: Context,
  options: RegistryFlags,
): Promise<{ access: RegistryAccess; settings: ConnectionSettings }> {
  const settings = await ctx.connection(connectionFlags(options));
  const { openRegistryAccess } = await import('../../subscribers/shared.js');
  const access = await openRegistryAccess(settings, options.registryTopic, ctx.abort.signal);
  return { access, settings };
}

/** Runs a registry flow, turning client errors into one-line KfeedErrors. */
export async function withRegistry<T>(access: RegistryAccess, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw access.translate(error);
  }
}

/** The quota flags of `subscriber add` and `subscriber set` (set also takes their --no- forms). */
export interface QuotaFlags {
  /** A rate (`512KiB`), or false for --no-max-bytes-per-second. */
  maxBytesPerSecond?: string | false;
  maxRequestPercent?: string | false;
}

export function withQuotaOptions(command: Command, options: { removable?: boolean } = {}): Command {
  command
    .option(
      '--max-bytes-per-second <rate>',
      'a Kafka client quota on its principal, per broker: N bytes, or N KiB / MiB ' +
        "(a consumer's fetches, a producer's writes)",
    )
    .option('--max-request-percent <p>', "a quota on the brokers' request time, percent of one thread per broker");
  if (options.removable)
    command
      .option('--no-max-bytes-per-second', 'remove its byte-rate quota')
      .option('--no-max-request-percent', 'remove its request-time quota');
  return command;
}

/** The quota change the flags ask for, each value checked (bad values are refused before any change). */
export function quotaChangeOf(flags: QuotaFlags): SubscriberQuotaChange {
  const of = <T>(value: string | false | undefined, parse: (text: string) => T): T | null | undefined =>
    value === undefined ? undefined : value === false ? null : parse(value);
  const change: SubscriberQuotaChange = {};
  const bytes = of(flags.maxBytesPerSecond, (text) => parseByteRate(text));
  const percent = of(flags.maxRequestPercent, (text) => parseRequestPercent(text));
  if (bytes !== undefined) change.maxBytesPerSecond = bytes;
  if (percent !== undefined) change.maxRequestPercent = percent;
  return change;
}
