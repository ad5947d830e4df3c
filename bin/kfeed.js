#!/usr/bin/env node
// Entry point: the CLI is bundled into dist/ (`npm run bundle`), with commander inside and
// every command in a chunk of its own, so `kfeed --help` loads one small file and no library.
import('../dist/cli.js').then((cli) => cli.main(process.argv.slice(2)));
