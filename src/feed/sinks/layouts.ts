/**
 * Where the S3 sink puts an object, and how it reads a key back (pure: no S3, no clock).
 * Every key ends in the zero-padded first and last offsets it holds, so that a restart can
 * find an object written before the crash by listing the keys that start with its first
 * offset, and the same records always land on the same key.
 *
 * - jsonl: `prefix/topic/partition=P/date=YYYY-MM-DD/<first>-<last>.jsonl`, dated by the
 *   Kafka timestamp of the first record (the layout kfeed has always written).
 * - parquet: Hive-style partitions on the event time,
 *   `prefix/topic=T/date=YYYY-MM-DD/hour=HH/<P>-<first>-<last>.parquet`, one object per hour.
 */
import type { S3Location } from './s3.js';

const pad = (offset: string | bigint) => offset.toString().padStart(20, '0');

/** A key read back: which topic partition, which offsets (inclusive). */
export interface ObjectKeyInfo {
  topic: string;
  partition: number;
  first: bigint;
  last: bigint;
}

/** An hour of event time: the Hive partition values. */
export interface EventHour {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** 00 to 23 (UTC). */
  hour: string;
}

/** The hour (UTC) of a time in milliseconds since the epoch. */
export function eventHour(ms: number): EventHour {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** The JSON-lines key of offsets first..last of a partition, dated by the first record. */
export function objectKey(
  location: S3Location,
  topic: string,
  partition: number,
  date: string,
  first: string,
  last: string,
): string {
  return `${jsonlStart(location, topic, partition, date, first)}${pad(last)}.jsonl`;
}

/** The start of every JSON-lines key whose first offset is `first`. */
export function jsonlStart(location: S3Location, topic: string, partition: number, date: string, first: string) {
  return `${location.prefix}${topic}/partition=${partition}/date=${date}/${pad(first)}-`;
}

/** The Parquet key of offsets first..last of a partition, all of whose records fall in `hour`. */
export function hiveKey(
  location: S3Location,
  topic: string,
  partition: number,
  hour: EventHour,
  first: string,
  last: string,
): string {
  return `${hiveStart(location, topic, partition, hour, first)}${pad(last)}.parquet`;
}

/** The start of every Parquet key whose first offset is `first`. */
export function hiveStart(location: S3Location, topic: string, partition: number, hour: EventHour, first: string) {
  return `${hiveTopicPrefix(location.prefix, topic)}date=${hour.date}/hour=${hour.hour}/${partition}-${pad(first)}-`;
}

/** The folder (under a prefix ending in '/', or '') holding every Parquet object of a topic: a table's location. */
export function hiveTopicPrefix(prefix: string, topic: string): string {
  return `${prefix}topic=${topic}/`;
}

const JSONL_KEY = /^([^/]+)\/partition=(\d+)\/date=\d{4}-\d\d-\d\d\/(\d{20})-(\d{20})\.jsonl$/;
const HIVE_KEY = /^topic=([^/]+)\/date=\d{4}-\d\d-\d\d\/hour=\d\d\/(\d+)-(\d{20})-(\d{20})\.parquet$/;

/** Reads a key either layout wrote under `location`; undefined for any other key. */
export function parseObjectKey(location: S3Location, key: string): ObjectKeyInfo | undefined {
  if (!key.startsWith(location.prefix)) return undefined;
  const rest = key.slice(location.prefix.length);
  const jsonl = JSONL_KEY.exec(rest);
  if (jsonl) return { topic: jsonl[1], partition: Number(jsonl[2]), first: BigInt(jsonl[3]), last: BigInt(jsonl[4]) };
  const hive = HIVE_KEY.exec(rest);
  if (hive) return { topic: hive[1], partition: Number(hive[2]), first: BigInt(hive[3]), last: BigInt(hive[4]) };
  return undefined;
}
