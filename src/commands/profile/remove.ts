import { defineCommand } from '../command.js';

export default defineCommand<{ name: string }, { removed: string }>({
  name: 'remove',
  summary: 'delete a profile',
  args: [{ key: 'name', syntax: '<name>', description: 'profile name' }],
  run: async (ctx, { name }) => {
    ctx.profiles.remove(name);
    return { removed: name };
  },
  render: (result) => `profile ${result.removed} removed`,
});
