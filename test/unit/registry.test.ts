import { describe, expect, it } from 'vitest';
import { kfeed } from '../helpers/run.js';

describe('the command registry', () => {
  it('names every command once, and each loads and registers', async () => {
    const { COMMANDS } = await import('../../src/commands/registry.js');
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      const help = await kfeed([name, '--help']);
      expect({ name, code: help.code }).toEqual({ name, code: 0 });
      expect(help.stdout).toContain(`kfeed ${name}`);
    }
  });
});
