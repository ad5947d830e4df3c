#!/usr/bin/env node
// Entry point: everything lives in the compiled CLI; keep this file free of imports so
// `kfeed --help` loads as little as possible.
import('../dist/src/cli.js').then((cli) => cli.main(process.argv.slice(2)));
