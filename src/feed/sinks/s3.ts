import type { S3Client } from '@aws-sdk/client-s3';
import { KfeedError, messageOf } from '../../errors.js';
import type { ConsumedRecord, FeedBatch } from '../consumer.js';
import { recordJson } from '../render/records.js';

export interface S3Location {
  bucket: string;
  /** '' or a prefix ending in '/'. */
  prefix: string;
}

/** `s3://bucket/some/prefix` -> bucket and prefix. */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new KfeedError('usage', `"${url}" is not an S3 location`, { hint: 'write --sink s3://bucket[/prefix] (bucket names: lower-case letters, digits, "." and "-")' });
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1], prefix: prefix ? `${prefix}/` : '' };
}

export interface S3ClientSettings {
  region?: string;
  /** S3-compatible stores and moto: path-style addressing at this URL. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export async function createS3Client(settings: S3ClientSettings): Promise<S3Client> {
  const { S3Client: Client } = await import('@aws-sdk/client-s3');
  return new Client({
    region: settings.region ?? 'us-east-1',
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: 5,
  });
}

function s3Error(error: unknown, what: string): KfeedError {
  if (error instanceof KfeedError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const message = messageOf(error);
  if (name === 'NoSuchBucket') return new KfeedError('notFound', `${what}: the bucket does not exist`, { hint: 'create it, or pass --create-bucket', cause: error });
  if (name === 'AccessDenied' || name === 'Forbidden') return new KfeedError('denied', `${what}: access denied`, { hint: 'the AWS identity needs s3:PutObject and s3:ListBucket on the bucket', cause: error });
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new KfeedError('aws', 'no AWS credentials found', { hint: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', cause: error });
  }
  if (/ECONNREFUSED|ENOTFOUND|getaddrinfo|EAI_AGAIN/.test(message) || ['ECONNREFUSED', 'ENOTFOUND'].includes((error as { code?: string })?.code ?? '')) {
    return new KfeedError('connection', `${what}: cannot reach S3 (${message})`, { hint: 'check --endpoint-url / AWS_ENDPOINT_URL and the network', cause: error });
  }
  return new KfeedError('aws', `${what}: ${message}`, { cause: error });
}

const pad = (offset: string | bigint) => offset.toString().padStart(20, '0');

/** The key of the object holding offsets first..last of a partition, dated by the first record. */
export function objectKey(location: S3Location, topic: string, partition: number, date: string, first: string, last: string): string {
  return `${partitionPrefix(location, topic, partition)}date=${date}/${pad(first)}-${pad(last)}.jsonl`;
}

function partitionPrefix(location: S3Location, topic: string, partition: number): string {
  return `${location.prefix}${topic}/partition=${partition}/`;
}

const dateOf = (record: ConsumedRecord) => new Date(Number(record.timestamp)).toISOString().slice(0, 10);

export interface S3SinkOptions {
  location: S3Location;
  /** Records per object at most. */
  batchSize: number;
  /** An object is written once its oldest record waited this long, even if not full. */
  batchSeconds: number;
  /** Commits the next offset to read once the object is written. */
  commit: (topic: string, partition: number, offset: string) => Promise<void>;
}

export interface S3SinkStats {
  objects: number;
  records: number;
  /** Records skipped because an earlier run had written them already. */
  recovered: number;
  keys: string[];
}

interface Buffer_ {
  records: ConsumedRecord[];
  since: number;
}

/**
 * Writes records as JSON-lines objects, one partition per object, keyed by topic,
 * partition, date and first-last offset. Offsets are committed only after the object is
 * written. After a restart the first batch of a partition is checked against S3: if a
 * previous run wrote it but died before committing, those records are skipped and the
 * commit is made, so every offset ends up in exactly one object. A batch that is written
 * twice lands on the same key with the same bytes.
 */
export class S3Sink {
  private readonly buffers = new Map<string, Buffer_>();
  /** The next offset per partition that this run expects, once known. */
  private readonly expected = new Map<string, bigint>();
  /** Serialises uploads and commits from batches and from the timer. */
  private chain: Promise<void> = Promise.resolve();
  readonly stats: S3SinkStats = { objects: 0, records: 0, recovered: 0, keys: [] };

  constructor(private readonly client: S3Client, private readonly options: S3SinkOptions) {}

  async ensureBucket(create: boolean): Promise<void> {
    const { HeadBucketCommand, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const bucket = this.options.location.bucket;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 403) throw new KfeedError('denied', `S3 bucket ${bucket}: access denied`, { hint: 'the AWS identity needs s3:ListBucket and s3:PutObject on it' });
      if (status !== 404 && (error as { name?: string }).name !== 'NotFound') throw s3Error(error, `S3 bucket ${bucket}`);
    }
    if (!create) throw new KfeedError('notFound', `S3 bucket ${bucket} does not exist`, { hint: 'create it, or pass --create-bucket' });
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      throw s3Error(error, `creating S3 bucket ${bucket}`);
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
      const id = `${batch.topic}:${batch.partition}`;
      let records = batch.records;
      if (!records.length) return;
      const expected = this.expected.get(id);
      if (expected === undefined) {
        // The first batch of a partition in this run (or since it was reassigned): check
        // whether an earlier run wrote these offsets already.
        this.buffers.delete(id);
        records = await this.recover(batch.topic, batch.partition, records);
      } else {
        // Offsets read again (a consumer restart) that are buffered or written already.
        records = records.filter((r) => BigInt(r.offset) >= expected);
      }
      for (const record of records) {
        let current = this.buffers.get(id);
        if (!current) this.buffers.set(id, (current = { records: [], since: Date.now() }));
        current.records.push(record);
        this.expected.set(id, BigInt(record.offset) + 1n);
        if (current.records.length >= this.options.batchSize) await this.write(batch.topic, batch.partition);
      }
    });
  }

  /** Skips what an earlier run wrote but did not commit; commits past it. */
  private async recover(topic: string, partition: number, records: ConsumedRecord[]): Promise<ConsumedRecord[]> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const first = records[0];
    const id = `${topic}:${partition}`;
    const prefix = `${partitionPrefix(this.options.location, topic, partition)}date=${dateOf(first)}/${pad(first.offset)}-`;
    let found;
    try {
      found = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.location.bucket, Prefix: prefix, MaxKeys: 10 }));
    } catch (error) {
      throw s3Error(error, `listing s3://${this.options.location.bucket}/${prefix}`);
    }
    const lasts = (found.Contents ?? []).map((o) => /-(\d{20})\.jsonl$/.exec(o.Key ?? '')?.[1]).filter((x): x is string => Boolean(x)).map(BigInt);
    if (!lasts.length) {
      this.expected.set(id, BigInt(first.offset));
      return records;
    }
    const last = lasts.reduce((a, b) => (a > b ? a : b));
    await this.options.commit(topic, partition, (last + 1n).toString());
    const rest = records.filter((r) => BigInt(r.offset) > last);
    this.stats.recovered += records.length - rest.length;
    this.expected.set(id, last + 1n);
    return rest;
  }

  private async write(topic: string, partition: number): Promise<void> {
    const id = `${topic}:${partition}`;
    const buffer = this.buffers.get(id);
    if (!buffer || buffer.records.length === 0) return;
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const records = buffer.records;
    const first = records[0];
    const last = records[records.length - 1];
    const key = objectKey(this.options.location, topic, partition, dateOf(first), first.offset, last.offset);
    const body = records.map((r) => JSON.stringify(recordJson(r))).join('\n') + '\n';
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.options.location.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
    } catch (error) {
      throw s3Error(error, `writing s3://${this.options.location.bucket}/${key}`);
    }
    this.buffers.delete(id);
    this.stats.objects += 1;
    this.stats.records += records.length;
    this.stats.keys.push(key);
    await this.options.commit(topic, partition, (BigInt(last.offset) + 1n).toString());
  }

  /** Writes every buffer whose oldest record has waited `batchSeconds` (call from a timer). */
  flushDue(now = Date.now()): Promise<void> {
    return this.serial(async () => {
      for (const [id, buffer] of [...this.buffers]) {
        if (now - buffer.since >= this.options.batchSeconds * 1000) {
          const at = id.lastIndexOf(':');
          await this.write(id.slice(0, at), Number(id.slice(at + 1)));
        }
      }
    });
  }

  /** Writes everything buffered (a clean stop). */
  flushAll(): Promise<void> {
    return this.serial(async () => {
      for (const id of [...this.buffers.keys()]) {
        const at = id.lastIndexOf(':');
        await this.write(id.slice(0, at), Number(id.slice(at + 1)));
      }
    });
  }

  /** Forgets partitions this consumer no longer owns (their records will be read by another). */
  keepOnly(assigned: Map<string, number[]>): void {
    for (const id of [...this.buffers.keys(), ...this.expected.keys()]) {
      const at = id.lastIndexOf(':');
      if (!(assigned.get(id.slice(0, at)) ?? []).includes(Number(id.slice(at + 1)))) {
        this.buffers.delete(id);
        this.expected.delete(id);
      }
    }
  }
}
