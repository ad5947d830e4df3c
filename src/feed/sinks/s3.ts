import type { BucketLocationConstraint, S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, type AwsInput } from '../../aws/config.js';
import { translateAwsError } from '../../aws/errors.js';
import { KfeedError } from '../../errors.js';
import type { CommitOffset, ConsumedRecord, FeedBatch } from '../consumer.js';
import { JSONL_FORMAT, type ObjectFormat } from './formats.js';
import { parseObjectKey } from './layouts.js';

export interface S3Location {
  bucket: string;
  /** '' or a prefix ending in '/'. */
  prefix: string;
}

/** `s3://bucket/some/prefix` -> bucket and prefix. */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match)
    throw new KfeedError('usage', `"${url}" is not an S3 location`, {
      hint: 'write s3://bucket[/prefix] (bucket names: lower-case letters, digits, "." and "-")',
    });
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1], prefix: prefix ? `${prefix}/` : '' };
}

/** An S3 client and what error messages and bucket creation need to know about it. */
export interface S3Connection {
  client: S3Client;
  region: string;
  endpoint?: string;
}

/**
 * A client with the settings every kfeed AWS client gets (src/aws/config.ts), plus what S3
 * needs: path-style addressing at a given endpoint (S3-compatible stores, moto), and a region
 * even when none is configured (S3 signs every request with one; us-east-1 is S3's default,
 * and a bucket elsewhere is reached through the region redirect S3 answers with).
 */
export async function createS3Client(input: AwsInput): Promise<S3Connection> {
  const config = awsClientConfig({ ...input, service: 'S3' });
  const { S3Client: Client } = await import('@aws-sdk/client-s3');
  const make = (region?: string) =>
    new Client({
      ...config,
      ...(region ? { region } : {}),
      ...(config.endpoint ? { forcePathStyle: true } : {}),
      followRegionRedirects: true,
    });
  let client = make();
  let region: string;
  try {
    // The flags and environment, else the SDK's chain (the profile in the AWS config file).
    region = await client.config.region();
  } catch {
    client.destroy();
    region = 'us-east-1';
    client = make(region);
  }
  return { client, region, endpoint: config.endpoint };
}

/** AWS's error as one line, with the sink's own advice where it has better. */
function s3Error(error: unknown, what: string, endpoint: string | undefined): KfeedError {
  if ((error as { name?: string })?.name === 'NoSuchBucket') {
    return new KfeedError('notFound', `${what} failed: the bucket does not exist`, {
      hint: 'create it, or pass --create-bucket',
      cause: error,
    });
  }
  const translated = translateAwsError(error, what, endpoint);
  if (translated.kind === 'denied')
    return new KfeedError('denied', translated.message, {
      hint: 'the AWS identity needs s3:ListBucket and s3:PutObject on the bucket',
      cause: error,
    });
  return translated;
}

/** Checks the bucket exists; creates it (in the client's region) when asked to. */
export async function ensureBucket(s3: S3Connection, bucket: string, create: boolean): Promise<void> {
  const { HeadBucketCommand, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  try {
    await s3.client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    // HeadBucket answers without a body: a missing bucket is only a 404.
    const missing =
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 ||
      (error as { name?: string }).name === 'NotFound';
    if (!missing) throw s3Error(error, `checking S3 bucket ${bucket}`, s3.endpoint);
  }
  if (!create)
    throw new KfeedError('notFound', `S3 bucket ${bucket} does not exist`, {
      hint: 'create it, or pass --create-bucket',
    });
  // Outside us-east-1, S3 refuses a bucket whose request does not name the region.
  const where =
    s3.region === 'us-east-1'
      ? {}
      : { CreateBucketConfiguration: { LocationConstraint: s3.region as BucketLocationConstraint } };
  try {
    await s3.client.send(new CreateBucketCommand({ Bucket: bucket, ...where }));
  } catch (error) {
    // Another sink created it in the meantime.
    if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou')
      throw s3Error(error, `creating S3 bucket ${bucket}`, s3.endpoint);
  }
}

/** The S3 user metadata (x-amz-meta-kfeed-group) naming the consumer group that wrote an object. */
export const GROUP_METADATA = 'kfeed-group';

export interface S3SinkOptions {
  location: S3Location;
  /** The consumer group this sink commits in; recorded in every object it writes. */
  group: string;
  /** Records per object at most. */
  batchSize: number;
  /** An object is written once its oldest record waited this long, even if not full. */
  batchSeconds: number;
  /** What the objects are (default JSON lines). */
  format?: ObjectFormat;
  /** Commits the next offset to read once the object is written; false: the partition went to another member. */
  commit: CommitOffset;
  /** The token of the consumer's current assignment of a partition; undefined: not this sink's (FeedConsumer.owner). */
  owner: (topic: string, partition: number) => number | undefined;
  /** The group's committed offset of a partition (FeedConsumer.committed). */
  committed: (topic: string, partition: number) => Promise<bigint | undefined>;
  /** Has the consumer read its partitions again from the group's commits (FeedConsumer.rewind). */
  rewind: () => void;
}

export interface S3SinkStats {
  objects: number;
  records: number;
  /** Records skipped because an earlier run had written them already. */
  recovered: number;
  keys: string[];
}

/** What the sink holds of one partition during one assignment of it to this consumer. */
interface PartitionState {
  topic: string;
  partition: number;
  /** The assignment (FeedConsumer.owner) this state belongs to. */
  token: number;
  /** The next offset this assignment expects: lower ones are read again after a rebalance. */
  expected: bigint;
  records: ConsumedRecord[];
  /** When the oldest buffered record arrived. */
  since: number;
  /** Whether S3 was checked for what an earlier owner stored from the first offset on. */
  checked: boolean;
  /** Since when this assignment waits for its first record (the group's commit), if it still does. */
  waiting?: number;
}

/**
 * How long an assignment waits for the record at the group's commit when records after it come
 * first (read before a rebalance; the consumer is rewound to the commits). Past this, a gap is
 * taken as one in the log (transaction markers, compaction, retention).
 */
const FIRST_RECORD_WAIT_MS = 10_000;

/**
 * Writes records as objects of one partition each (JSON lines or Parquet: formats.ts), keyed
 * by topic, partition, date (and hour) and first-last offset. Offsets are committed after
 * each object is written, so the committed offset is where the partition's next object
 * starts. Before the first object of each assignment of a partition (a start, a restart, a
 * rebalance) S3 is checked for an object starting there: one that an earlier run or another
 * member of the group wrote but did not commit (it died, or lost the partition in between).
 * Its records are skipped and the commit is made, so every offset ends up in exactly one
 * object. Only the newest object of a partition can be written and not committed (each
 * commit follows its upload), so that one check suffices; the check waits until the first
 * write, so that an upload the previous owner still had under way has landed. A sink writes
 * and commits only partitions it owns: when one goes to another member, what it buffered of
 * it is dropped, and the new owner reads it again from the last commit. A batch that is
 * written twice lands on the same key with the same bytes.
 */
export class S3Sink {
  private readonly partitions = new Map<string, PartitionState>();
  /** Serialises uploads and commits from batches and from the timer. */
  private chain: Promise<void> = Promise.resolve();
  readonly stats: S3SinkStats = { objects: 0, records: 0, recovered: 0, keys: [] };
  private readonly format: ObjectFormat;

  constructor(
    private readonly s3: S3Connection,
    private readonly options: S3SinkOptions,
  ) {
    this.format = options.format ?? JSONL_FORMAT;
  }

  private async call<T>(what: string, work: (client: S3Client) => Promise<T>): Promise<T> {
    try {
      return await work(this.s3.client);
    } catch (error) {
      throw s3Error(error, what, this.s3.endpoint);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** Takes a consumed batch; writes the partition's object when it is full. */
  add(batch: FeedBatch): Promise<void> {
    return this.serial(async () => {
      if (!batch.records.length) return;
      const token = this.options.owner(batch.topic, batch.partition);
      // Read before the partition went to another member: that one reads these again.
      if (token === undefined) return;
      const id = `${batch.topic}:${batch.partition}`;
      let state = this.partitions.get(id);
      if (state?.token !== token) {
        // The first batch of this assignment: whatever an earlier one held is not ours to write.
        // It starts at the group's commit: records before it were stored by whoever committed.
        const first = BigInt(batch.records[0].offset);
        const committed = await this.options.committed(batch.topic, batch.partition);
        state = {
          topic: batch.topic,
          partition: batch.partition,
          token,
          expected: committed ?? first,
          records: [],
          since: Date.now(),
          checked: false,
          waiting: committed !== undefined && first > committed ? Date.now() : undefined,
        };
        this.partitions.set(id, state);
        // The stream is past the commit: it may not come back by itself (FeedConsumer.rewind).
        if (state.waiting !== undefined) this.options.rewind();
      }
      for (const record of batch.records) {
        // Offsets read again (the stream went back to the last commit) are buffered or written already.
        if (BigInt(record.offset) < state.expected) continue;
        if (state.waiting !== undefined) {
          // Read before the rebalance, past the commit: the records from the commit on come next.
          if (BigInt(record.offset) > state.expected && Date.now() - state.waiting < FIRST_RECORD_WAIT_MS) continue;
          state.waiting = undefined;
        }
        if (!state.records.length) state.since = Date.now();
        state.records.push(record);
        state.expected = BigInt(record.offset) + 1n;
        if (state.records.length >= this.options.batchSize) {
          await this.write(state);
          if (this.partitions.get(id) !== state) return;
        }
      }
    });
  }

  /**
   * Refuses a prefix that another consumer group writes to: two groups each read every record,
   * so their objects would overlap. Sinks of one group split the partitions and stay apart.
   * Checks the newest object of each topic partition on the first page of the listing
   * (objects of either format).
   */
  async checkPrefixOwner(): Promise<void> {
    const { ListObjectsV2Command, HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const { bucket, prefix } = this.options.location;
    const listed = await this.call(`listing s3://${bucket}/${prefix}`, (client) =>
      client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix })),
    );
    const newest = new Map<string, { key: string; modified: number }>();
    for (const object of listed.Contents ?? []) {
      const parsed = parseObjectKey(this.options.location, object.Key ?? '');
      if (!parsed) continue;
      const id = `${parsed.topic}:${parsed.partition}`;
      const modified = object.LastModified?.getTime() ?? 0;
      if ((newest.get(id)?.modified ?? -1) < modified) newest.set(id, { key: object.Key!, modified });
    }
    for (const { key } of [...newest.values()].slice(0, 50)) {
      const head = await this.call(`reading s3://${bucket}/${key}`, (client) =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
      );
      const recorded = head.Metadata?.[GROUP_METADATA];
      // Objects of kfeed versions that did not record the group say nothing either way.
      if (recorded === undefined) continue;
      const owner = decodeURIComponent(recorded);
      if (owner !== this.options.group)
        throw new KfeedError('conflict', `s3://${bucket}/${prefix} holds objects of consumer group ${owner} (${key})`, {
          hint: `give group ${this.options.group} its own prefix, or run this sink in group ${owner}`,
        });
    }
  }

  /** Whether the sink still owns the partition in the assignment `state` belongs to; forgets it if not. */
  private owns(state: PartitionState): boolean {
    if (this.options.owner(state.topic, state.partition) === state.token) return true;
    this.forget(state);
    return false;
  }

  private forget(state: PartitionState): void {
    const id = `${state.topic}:${state.partition}`;
    if (this.partitions.get(id) === state) this.partitions.delete(id);
  }

  /**
   * Skips what an earlier run or owner stored from the first buffered offset on but did not
   * commit, and commits past it. False: the partition went to another member meanwhile.
   */
  private async skipStored(state: PartitionState): Promise<boolean> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const { topic, partition } = state;
    const prefix = this.format.startPrefix(this.options.location, topic, partition, state.records[0]);
    const found = await this.call(`listing s3://${this.options.location.bucket}/${prefix}`, (client) =>
      client.send(new ListObjectsV2Command({ Bucket: this.options.location.bucket, Prefix: prefix, MaxKeys: 10 })),
    );
    const lasts = (found.Contents ?? [])
      .map((o) => parseObjectKey(this.options.location, o.Key ?? ''))
      .filter((parsed) => parsed?.topic === topic && parsed.partition === partition)
      .map((parsed) => parsed!.last);
    if (!lasts.length) return true;
    const last = lasts.reduce((a, b) => (a > b ? a : b));
    if (!(await this.options.commit(topic, partition, (last + 1n).toString()))) return false;
    const rest = state.records.filter((r) => BigInt(r.offset) > last);
    this.stats.recovered += state.records.length - rest.length;
    state.records = rest;
    if (state.expected <= last) state.expected = last + 1n;
    return true;
  }

  /** Writes a partition's buffer: one object at a time, each committed once it is stored. */
  private async write(state: PartitionState): Promise<void> {
    if (!state.records.length || !this.owns(state)) return;
    const { topic, partition } = state;
    if (!state.checked) {
      if (!(await this.skipStored(state))) return this.forget(state);
      state.checked = true;
      if (!state.records.length) return;
    }
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const objects = this.format.objects(this.options.location, topic, partition, state.records);
    for (const object of objects) {
      // Gone to another member (a rebalance): that one reads these records again.
      if (!this.owns(state)) return;
      await this.call(`writing s3://${this.options.location.bucket}/${object.key}`, (client) =>
        client.send(
          new PutObjectCommand({
            Bucket: this.options.location.bucket,
            Key: object.key,
            Body: object.body(),
            ContentType: this.format.contentType,
            // Metadata is ASCII only; group ids need not be.
            Metadata: { [GROUP_METADATA]: encodeURIComponent(this.options.group) },
          }),
        ),
      );
      state.records = state.records.slice(object.count);
      this.stats.objects += 1;
      this.stats.records += object.count;
      this.stats.keys.push(object.key);
      // Not committed: the new owner finds this object when it starts there.
      if (!(await this.options.commit(topic, partition, (BigInt(object.last) + 1n).toString())))
        return this.forget(state);
    }
  }

  /** Writes every buffer whose oldest record has waited `batchSeconds` (call from a timer). */
  flushDue(now = Date.now()): Promise<void> {
    return this.serial(async () => {
      for (const state of [...this.partitions.values()])
        if (state.records.length && now - state.since >= this.options.batchSeconds * 1000) await this.write(state);
    });
  }

  /** Writes everything buffered (a clean stop). */
  flushAll(): Promise<void> {
    return this.serial(async () => {
      for (const state of [...this.partitions.values()]) await this.write(state);
    });
  }
}
