import type { ThroughputResult } from '../../bench/runner.js';
import { defineCommand } from '../command.js';
import { benchFlags, checkBenchOptions, report, runBench, type BenchOptions } from './shared.js';

export default defineCommand<BenchOptions, ThroughputResult>({
  name: 'consume',
  summary: 'read messages (a temporary topic is filled first, untimed); msg/s and MB/s',
  flags: (command) => benchFlags(command, 'consume'),
  validate: (options) => checkBenchOptions('consume', options),
  run: (ctx, options) => runBench(ctx, 'consume', options),
  render: (result) => report(result),
});
