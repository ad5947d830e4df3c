import type { Command } from 'commander';
import type { Context } from '../../context.js';
import * as down from './down.js';
import * as logs from './logs.js';
import * as status from './status.js';
import * as up from './up.js';

export function register(program: Command, ctx: Context): void {
  const group = program.command('local').description('run a real Apache Kafka with mTLS on this machine');
  for (const verb of [up, status, logs, down]) verb.register(group, ctx);
}

export { localUp, startCluster } from './up.js';
export { localDown, removeCluster } from './down.js';
