import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';
import { KfeedError } from '../errors.js';

/**
 * The parts of kafkajs 2.2.4 that are not its public API but that the consumer-group commands
 * need: the cluster object its clients use (brokers, coordinators, leaders), each broker's
 * typed requests (Fetch, OffsetFetch, DescribeGroups, FindCoordinator), and its encoder for a
 * request kafkajs lacks (OffsetDelete). Kept in this one file, behind a version guard.
 */

const requireCjs = createRequire(import.meta.url);
const SUPPORTED = /^2\.2\./;

export interface KafkajsEncoder {
  writeBoolean(v: boolean): KafkajsEncoder;
  writeUVarIntBytes(v?: null): KafkajsEncoder;
  writeUVarIntString(v: string | null): KafkajsEncoder;
  writeUVarIntArray(items: KafkajsEncoder[] | null): KafkajsEncoder;
  writeInt8(v: number): KafkajsEncoder;
  writeInt16(v: number): KafkajsEncoder;
  writeInt32(v: number): KafkajsEncoder;
  writeString(v: string | null): KafkajsEncoder;
  writeArray(items: KafkajsEncoder[]): KafkajsEncoder;
}
export interface KafkajsDecoder {
  readInt64(): bigint;
  readTaggedFields(): void;
  readUVarIntString(): string | null;
  readUVarIntArray<T>(reader: (d: KafkajsDecoder) => T): T[] | null;
  readInt16(): number;
  readInt32(): number;
  readString(): string | null;
  readArray<T>(reader: (d: KafkajsDecoder) => T): T[];
}

export interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  messages: Array<{ offset: string; timestamp: string }>;
}
export interface KafkajsBroker {
  nodeId: number;
  versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  connectionPool: { send(request: unknown): Promise<unknown> };
  findGroupCoordinator(q: { groupId: string; coordinatorType: number }): Promise<{ coordinator: { nodeId: number } }>;
  listGroups(): Promise<{ groups: Array<{ groupId: string; protocolType: string }> }>;
  describeGroups(q: { groupIds: string[] }): Promise<{ groups: RawGroupDescription[] }>;
  offsetFetch(q: {
    groupId: string;
    topics: Array<{ topic: string; partitions: Array<{ partition: number }> }>;
  }): Promise<{
    responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; errorCode: number }> }>;
    errorCode?: number;
  }>;
  listOffsets(q: {
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; timestamp: number }> }>;
  }): Promise<{
    responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; errorCode: number }> }>;
  }>;
  fetch(q: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: FetchedPartition[] }> }>;
  deleteGroups(groupIds: string[]): Promise<{ results: Array<{ groupId: string; errorCode: number }> }>;
}
export interface RawGroupDescription {
  groupId: string;
  errorCode: number;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string; memberAssignment: Buffer }>;
}
export interface KafkajsCluster {
  brokerPool: {
    brokers: Record<string, unknown>;
    metadata?: { brokers: Array<{ nodeId: number; host: string; port: number }> };
    findConnectedBroker(): Promise<KafkajsBroker>;
  };
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findBroker(query: { nodeId: string }): Promise<KafkajsBroker>;
  findGroupCoordinator(query: { groupId: string }): Promise<KafkajsBroker>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
}

function guard(): void {
  const version = (requireCjs('kafkajs/package.json') as { version: string }).version;
  if (!SUPPORTED.test(version)) {
    throw new KfeedError('internal', `kfeed's consumer-group requests were written for kafkajs 2.2.x, not ${version}`, {
      hint: 'install the kafkajs version in package-lock.json (npm ci)',
    });
  }
}

export function kafkajsCodec() {
  guard();
  const Encoder = requireCjs('kafkajs/src/protocol/encoder') as new () => KafkajsEncoder;
  const Decoder = requireCjs('kafkajs/src/protocol/decoder') as new (data: Buffer) => KafkajsDecoder;
  return { Encoder, Decoder };
}

/** kafkajs's decoder of a consumer member's assignment (topic -> partitions). */
export function decodeMemberAssignment(data: Buffer): Record<string, number[]> {
  guard();
  const { AssignerProtocol } = requireCjs('kafkajs') as {
    AssignerProtocol: { MemberAssignment: { decode(b: Buffer): { assignment: Record<string, number[]> } | null } };
  };
  try {
    return AssignerProtocol.MemberAssignment.decode(data)?.assignment ?? {};
  } catch {
    // A group of another protocol type (connect, a stream app's own): its members have no topics.
    return {};
  }
}

/** The cluster object kafkajs builds for its own clients, with the same TLS / SASL settings. */
export function clusterOf(kafka: Kafka): KafkajsCluster {
  guard();
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  if (typeof create !== 'function') {
    throw new KfeedError('internal', 'this kafkajs build has no cluster factory', {
      hint: 'kfeed needs kafkajs 2.2.x',
    });
  }
  return create({ metadataMaxAge: 0, allowAutoTopicCreation: false }) as KafkajsCluster;
}
