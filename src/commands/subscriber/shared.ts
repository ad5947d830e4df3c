import type { Command } from 'commander';
import type { ConnectionFlags, ConnectionSettings } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { DEFAULT_REGISTRY_TOPIC } from '../../subscribers/registry.js';
import type { RegistryAccess } from '../../subscribers/lifecycle.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

/** What the subscriber verbs share (as gh keeps a noun's shared flags in pkg/cmd/<noun>/shared). */
export interface RegistryFlags extends ConnectionFlags {
  registryTopic: string;
}

/** What the subscriber verbs share (as gh keeps a noun's shared flags in pkg/cmd/<noun>/shared). */
export interface RegistryFlags extends ConnectionFlags {
  registryTopic: string;
}

export function withRegistryOptions(command: Command): Command {
  return withConnectionOptions(
    command.option(
      '--registry-topic <topic>',
      'the compacted topic that holds the subscriber registry',
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
  const [{ translateKafkaError }, { kafkaPrincipalOfCertificate }, { operatorPrincipal }] = await Promise.all([
    import('../../kafka/errors.js'),
    import('../../certs/principal.js'),
    import('../../subscribers/registry.js'),
  ]);
  const access: RegistryAccess = {
    settings,
    registryTopic: options.registryTopic,
    operator: operatorPrincipal(settings, kafkaPrincipalOfCertificate),
    signal: ctx.abort.signal,
    translate: (error) => translateKafkaError(error, settings),
  };
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
