import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerDiscover } from './discover.js';

/** `kfeed msk ...`: Amazon MSK through its API. */
export function register(program: Command, ctx: Context): void {
  const msk = program.command('msk').description('Amazon MSK: find a cluster, its brokers and bootstrap strings');
  registerDiscover(msk, ctx);
}
