import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KfeedError } from '../errors.js';
import { poll } from '../wait.js';
import type { BrokerState, LocalClusterState } from './state.js';
import { loggingConfiguration, releaseOf } from './versions.js';

/** Whether `pid` is alive and is the process we started with `marker` on its command line. */
export function processAlive(pid: number | undefined, marker: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A process that exited and awaits reaping has an empty command line: it counts as gone.
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

export function brokerConfigFile(broker: BrokerState): string {
  return path.join(broker.dir, 'server.properties');
}

export function brokerLogFile(broker: BrokerState): string {
  return path.join(broker.dir, 'broker.log');
}

export function zookeeperLogFile(zookeeper: { dir: string }): string {
  return path.join(zookeeper.dir, 'zookeeper.log');
}

export function brokerAlive(broker: BrokerState): boolean {
  return processAlive(broker.pid, brokerConfigFile(broker));
}

export function zookeeperAlive(state: LocalClusterState): boolean {
  return Boolean(state.zookeeper) && processAlive(state.zookeeper!.pid, state.zookeeper!.dir);
}

/** The JVM's arguments for `mainClass` with the cluster's classpath and logging. */
export function jvmArgs(
  state: LocalClusterState,
  heapMb: number,
  mainClass: string,
  args: string[],
  dir: string,
): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    loggingConfiguration(releaseOf(state.kafkaVersion), state.dir).jvmFlag,
    `-Dkafka.logs.dir=${dir}`,
    '-Dzookeeper.admin.enableServer=false',
    '-cp',
    state.classpath,
    mainClass,
    ...args,
  ];
}

/** Starts a JVM that outlives kfeed (its own session, output to `logFile`); returns its pid. */
export function spawnJava(state: LocalClusterState, args: string[], logFile: string, env: NodeJS.ProcessEnv): number {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(state.java, args, { detached: true, stdio: ['ignore', log, log], env });
  fs.closeSync(log);
  child.unref();
  if (!child.pid)
    throw new KfeedError('prerequisite', `could not start ${state.java}`, { hint: 'check the Java install' });
  return child.pid;
}

/**
 * Why a JVM of the cluster ended, from its log: the last ERROR / FATAL line (a port already
 * in use, a bad config), else its last lines. The last lines alone are often its shutdown.
 */
export function failureReason(file: string): string {
  let lines: string[];
  try {
    lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  } catch {
    return 'no log';
  }
  const cause = [...lines].reverse().find((line) => /\b(FATAL|ERROR)\b|Exception:|already in use/.test(line));
  return (cause ?? lines.slice(-2).join(' ')).trim().slice(0, 400);
}

/**
 * Stops a process we started: SIGTERM (or SIGKILL when `kill`), then SIGKILL if it is still
 * there after `timeoutMs`, and waits until it is gone. It takes no abort signal on purpose:
 * it is what an interrupted command runs to leave nothing behind, and it is bounded.
 */
export async function stopProcess(
  pid: number | undefined,
  marker: string,
  options: { kill?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  if (!processAlive(pid, marker)) return;
  const gone = (what: string, timeoutMs: number) =>
    poll(() => (processGone(pid!, marker) ? true : undefined), { what, timeoutMs, intervalMs: 100 });
  signalProcess(pid!, options.kill ? 'SIGKILL' : 'SIGTERM');
  try {
    await gone(`process ${pid} to stop`, options.timeoutMs ?? 15_000);
  } catch {
    signalProcess(pid!, 'SIGKILL');
    await gone(`process ${pid} to stop after SIGKILL`, 5000);
  }
}

/**
 * Whether the process is gone for good. One that exited but awaits reaping by us (we are its
 * parent when kfeed runs in-process, or when demo started the cluster) is not gone yet: Node
 * reaps it within a turn of the event loop, and until then its pid still answers signals.
 */
function processGone(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return !processAlive(pid, marker); // no /proc
  }
  // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (state === 'Z') return Number(ppid) !== process.pid;
  return !processAlive(pid, marker); // a live process without our marker: the pid was reused
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone in between
  }
}
