import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { brokerLogFile } from '../../local/cluster.js';
import { integer } from '../options.js';
import { clusterNameOption, requireState } from './shared.js';

export function register(group: Command, ctx: Context): void {
  group
    .command('logs')
    .description('print the log of a broker (or ZooKeeper)')
    .addOption(clusterNameOption())
    .option('--broker <id>', 'broker id', integer('--broker', 1, 99), 1)
    .option('--zookeeper', 'the ZooKeeper log instead')
    .option('-n, --lines <n>', 'last N lines', integer('--lines', 1, 1_000_000), 100)
    .action((options: { name: string; broker: number; zookeeper?: boolean; lines: number }) => localLogs(ctx, options));
}

export async function localLogs(ctx: Context, options: { name: string; broker: number; zookeeper?: boolean; lines: number }): Promise<void> {
  const state = requireState(ctx, options.name);
  let file: string;
  if (options.zookeeper) {
    if (!state.zookeeper) throw new KfeedError('usage', `cluster ${state.name} runs in KRaft mode and has no ZooKeeper`, { hint: 'drop --zookeeper' });
    file = path.join(state.zookeeper.dir, 'zookeeper.log');
  } else {
    const broker = state.brokers.find((b) => b.id === options.broker);
    if (!broker) throw new KfeedError('usage', `cluster ${state.name} has no broker ${options.broker}`, { hint: `brokers are ${state.brokers.map((b) => b.id).join(', ')}` });
    file = brokerLogFile(broker);
  }
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  ctx.print(lines.slice(-options.lines).join('\n'));
}

