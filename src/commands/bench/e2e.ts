import type { LatencyResult } from '../../bench/runner.js';
import { defineCommand } from '../command.js';
import { benchFlags, checkBenchOptions, report, runBench, type BenchOptions } from './shared.js';

export default defineCommand<BenchOptions, LatencyResult>({
  name: 'e2e',
  summary: 'send at --rate while a consumer reads; latency percentiles from send to receipt',
  flags: (command) => benchFlags(command, 'e2e'),
  validate: (options) => checkBenchOptions('e2e', options),
  run: (ctx, options) => runBench(ctx, 'e2e', options),
  render: (result) => report(result),
});
