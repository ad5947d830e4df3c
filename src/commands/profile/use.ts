import { defineCommand } from '../command.js';

export default defineCommand<{ name: string }, { defaultProfile: string }>({
  name: 'use',
  summary: 'make a profile the default',
  args: [{ key: 'name', syntax: '<name>', description: 'profile name' }],
  run: async (ctx, { name }) => {
    ctx.profiles.use(name);
    return { defaultProfile: name };
  },
  render: (result) => `default profile is now ${result.defaultProfile}`,
});
