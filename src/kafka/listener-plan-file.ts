import fs from 'node:fs';
import path from 'node:path';
import { readUserFile, writeFileAtomic } from '../config/files.js';
import { parsePlan, type ListenerPlan } from './listeners.js';

/**
 * The plan files of `update-listeners --apply`: saved before anything changes, they are the
 * way back for --revert. A ZooKeeper-mode plan holds each broker's configs before and after;
 * an MSK plan (kind below, written by src/aws/msk-listeners.ts) the configuration revisions.
 */
export const MSK_LISTENER_PLAN_KIND = 'kfeed-msk-listener-plan';

/** The kind a plan file says it is, or undefined when it cannot be read as JSON. */
export function planFileKind(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: string }).kind;
  } catch {
    return undefined; // the reader of the plan reports unreadable files with a proper message
  }
}

/** `<dir>/<prefix>-<UTC time>.json`, e.g. kfeed-listeners-20250101T120000Z.json. */
export function defaultPlanFile(dir: string, prefix: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return path.join(dir, `${prefix}-${stamp}.json`);
}

/** `exclusive` refuses to replace an existing file: an older plan may be someone's only way back. */
export function writePlanFile(file: string, plan: object, options: { exclusive?: boolean } = {}): void {
  writeFileAtomic(file, JSON.stringify(plan, null, 2) + '\n', options);
}

/** A ZooKeeper-mode plan that `--apply` saved. */
export function readListenerPlan(file: string): ListenerPlan {
  return parsePlan(readUserFile(file, 'plan file'), file);
}
