import type { API, Base, Connection } from '@platformatic/kafka';
import { KfeedError } from '../errors.js';

/**
 * A few questions the engine's client classes do not ask themselves (ConsumerGroupDescribe for
 * KIP-848 groups, Metadata with the internal topics, which its metadata cache leaves out) are
 * asked with the engine's own exported request definitions (`consumerGroupDescribeV0`,
 * `metadataV12`, ...: encoder, decoder and error checks), over a connection its client made
 * with its public `connectToBrokers`. Nothing here encodes bytes.
 */

/** A connection to broker `nodeId` (any broker when absent), made by the client with its TLS and SASL. */
export async function connectionTo(client: Base, nodeId?: number): Promise<{ nodeId: number; connection: Connection }> {
  const connections = await client.connectToBrokers(nodeId === undefined ? null : [nodeId]);
  const [found] = [...connections];
  if (!found) {
    throw new KfeedError('connection', `broker ${nodeId ?? ''} is not in the cluster's metadata`.replace('  ', ' '), {
      hint: 'check the cluster with `kfeed topic list`',
    });
  }
  return { nodeId: found[0], connection: found[1] };
}

/** Whether the brokers speak request `apiKey` at `version` (from the ApiVersions the client asked). */
export async function speaks(client: Base, apiKey: number, version: number): Promise<boolean> {
  const api = (await client.listApis()).find((a) => a.apiKey === apiKey);
  return api !== undefined && api.minVersion <= version && version <= api.maxVersion;
}

/** Sends one request of the engine's definition `api` to broker `nodeId` (any when absent). */
export async function send<Args extends unknown[], Response>(
  client: Base,
  api: API<Args, Response>,
  nodeId: number | undefined,
  ...args: Args
): Promise<Response> {
  const { connection } = await connectionTo(client, nodeId);
  return api.async(connection, ...args);
}
