import type { ThroughputResult } from '../../bench/runner.js';
import { defineCommand } from '../command.js';
import { benchFlags, checkBenchOptions, report, runBench, type BenchOptions } from './shared.js';

export default defineCommand<BenchOptions, ThroughputResult>({
  name: 'produce',
  summary:
    'send messages as fast as the producer takes them (or at --rate); msg/s and MB/s until the last is acknowledged',
  flags: (command) => benchFlags(command, 'produce'),
  validate: (options) => checkBenchOptions('produce', options),
  run: (ctx, options) => runBench(ctx, 'produce', options),
  render: (result) => report(result),
});
