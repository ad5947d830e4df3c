// Benchmark (not a test): `kfeed makecsr` RSA-2048 against `openssl req -newkey rsa:2048 -nodes`
// in the same run, and `kfeed issuecert` wall time against moto's AWS Private CA (made ACTIVE with
// the suite's own Private CA helper). Usage: npm run bench:makecsr -- [runs] [--save]
// Writes only into a temporary folder, and into bench/results/ with --save.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMoto } from '../test/helpers/moto.js';
import { createPrivateCa } from '../test/helpers/private-ca.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/kfeed.js');
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 15);
const save = process.argv.includes('--save');
if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('build first: npm run build');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-bench-'));

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = { ...process.env };
delete env.PK_PASSWORD;

try {
  // Alternate the two so that machine load hits both alike.
  const kfeedTimes: number[] = [];
  const opensslTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = path.join(work, `run-${i}`);
    fs.mkdirSync(dir);
    const out = path.join(dir, 'kfeed');
    kfeedTimes.push(
      timed(
        process.execPath,
        [bin, 'makecsr', '--yes', '--cn', 'bench client', '--o', 'Example Corp', '--c', 'US', '--out-dir', out],
        env,
      ),
    );
    const key = path.join(dir, 'key.pem');
    const csr = path.join(dir, 'req.csr');
    opensslTimes.push(
      timed('openssl', [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        '/C=US/O=Example Corp/CN=bench client',
      ]),
    );
  }

  // issuecert against moto: one CA made ACTIVE the way ACM does, then timed issuecert runs.
  const issueTimes: number[] = [];
  const moto = await startMoto();
  try {
    const awsEnv = { ...env, ...moto.env };
    const ca = await createPrivateCa(moto.env, { commonName: 'kfeed bench CA' });
    for (let i = 0; i < runs; i++) {
      const csr = path.join(work, `run-${i}`, 'kfeed', 'client_cert.csr');
      issueTimes.push(timed(process.execPath, [bin, 'issuecert', csr, '--ca-arn', ca.arn], awsEnv));
    }
  } finally {
    await moto.stop();
  }

  const rows: Array<[string, number[]]> = [
    ['kfeed makecsr (RSA 2048, whole process)', kfeedTimes],
    ['openssl req -newkey rsa:2048 -nodes', opensslTimes],
    ['kfeed issuecert vs moto (whole process)', issueTimes],
  ];
  const ratio = median(kfeedTimes) / median(opensslTimes);
  const ms = (n: number, width: number) => n.toFixed(0).padStart(width);
  const lines = [
    `kfeed benchmark, ${runs} runs each, ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs`,
    `${'what'.padEnd(42)} ${'median ms'.padStart(10)} ${'min'.padStart(8)} ${'max'.padStart(8)}`,
    ...rows.map(
      ([name, xs]) => `${name.padEnd(42)} ${ms(median(xs), 10)} ${ms(Math.min(...xs), 8)} ${ms(Math.max(...xs), 8)}`,
    ),
    `makecsr / openssl (median): ${ratio.toFixed(2)}x (target <= 1.5x)   ` +
      `issuecert median: ${median(issueTimes).toFixed(0)} ms (target < 1000 ms)`,
  ];
  console.log(lines.join('\n'));
  if (save) {
    const dir = path.join(root, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `makecsr-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`),
      lines.join('\n') + '\n',
    );
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
