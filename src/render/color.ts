import { Chalk, type ChalkInstance } from 'chalk';
import type { Context } from '../context.js';

/**
 * Colours for a command's stdout, off when it is not a terminal, NO_COLOR is set or TERM is
 * dumb. A module of its own so that only commands that colour something load chalk.
 */
export function colorsFor(ctx: Context): ChalkInstance {
  return new Chalk({ level: ctx.colorful ? 1 : 0 });
}

/** The same colours for a renderer, which knows only whether the terminal takes them. */
export function colors(colorful: boolean): ChalkInstance {
  return new Chalk({ level: colorful ? 1 : 0 });
}
