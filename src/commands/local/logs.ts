import fs from 'node:fs';
import { KfeedError } from '../../errors.js';
import { brokerLogFile, zookeeperLogFile } from '../../local/processes.js';
import { defineCommand } from '../command.js';
import { integer } from '../options.js';
import { clusterNameOption, requireState } from './shared.js';

export interface LogsOptions {
  name: string;
  broker: number;
  zookeeper?: boolean;
  lines: number;
}

export interface LogsResult {
  file: string;
  /** The last lines asked for, oldest first. */
  lines: string[];
}

export default defineCommand<LogsOptions, LogsResult>({
  name: 'logs',
  summary: 'print the log of a broker (or ZooKeeper)',
  flags: (command) =>
    command
      .addOption(clusterNameOption())
      .option('--broker <id>', 'broker id', integer('--broker', 1, 99), 1)
      .option('--zookeeper', 'the ZooKeeper log instead')
      .option('-n, --lines <n>', 'last N lines', integer('--lines', 1, 1_000_000), 100),
  run: async (ctx, options) => {
    const state = requireState(ctx, options.name);
    let file: string;
    if (options.zookeeper) {
      if (!state.zookeeper) {
        throw new KfeedError('usage', `cluster ${state.name} runs in KRaft mode and has no ZooKeeper`, {
          hint: 'drop --zookeeper',
        });
      }
      file = zookeeperLogFile(state.zookeeper);
    } else {
      const broker = state.brokers.find((b) => b.id === options.broker);
      if (!broker) {
        throw new KfeedError('usage', `cluster ${state.name} has no broker ${options.broker}`, {
          hint: `brokers are ${state.brokers.map((b) => b.id).join(', ')}`,
        });
      }
      file = brokerLogFile(broker);
    }
    const lines = (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return { file, lines: lines.slice(-options.lines) };
  },
  // An empty log prints an empty line, as before.
  render: (result) => result.lines.join('\n') + '\n',
});
