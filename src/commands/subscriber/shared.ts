import type { Command } from 'commander';
import type { ConnectionFlags, ConnectionSettings } from '../../config/connection.js';
import type { Context } from '../../context.js';
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
