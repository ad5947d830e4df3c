#!/usr/bin/env node
// Entry point: the CLI is bundled into dist/ (`npm run bundle`), with commander inside and
// every command in a chunk of its own, so `kfeed --help` loads one small file and no library.
// The Kafka engine (@platformatic/kafka) needs Node 22.22+ or 24.6+ (package.json `engines`):
// say so in one line before an older Node fails somewhere deep inside it.
const [major, minor] = process.versions.node.split('.').map(Number);
if ((major === 22 && minor >= 22) || (major === 24 && minor >= 6) || major >= 25) {
  import('../dist/cli.js').then((cli) => cli.main(process.argv.slice(2)));
} else {
  process.stderr.write(
    `kfeed: Node.js ${process.versions.node} is not supported — run kfeed on Node.js 22.22+ or 24.6+` +
      ' (in the repository, `npm install` brings Node 24: use `npx kfeed` or `npm run`)\n',
  );
  process.exitCode = 9;
}
