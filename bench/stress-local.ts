/**
 * Starts and stops local clusters in a loop and reports every run that did not behave:
 * `npm run stress:local -- [--rounds 30] [--variants kraft,zk3-acls] [--out file]`.
 *
 * Each round runs every variant once (so a run cut short still covers them all evenly), each
 * `local up` / `local status` / `local down` through the built binary, in XDG folders of its
 * own. A run is good when `up` exits 0 and says "is up" on stderr, its status shows every
 * broker running, and after `down` the cluster folder and every process of it are gone.
 * The results (counts per variant, and each failure with its output) are written after every
 * run, as JSON and as Markdown next to it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Variant {
  name: string;
  args: string[];
  brokers: number;
}

const VARIANTS: Variant[] = [
  { name: 'kraft', args: [], brokers: 1 },
  { name: 'kraft-acls', args: ['--require-acls'], brokers: 1 },
  { name: 'kraft-scram', args: ['--scram-user', 'stress'], brokers: 1 },
  { name: 'kraft-acls-scram', args: ['--require-acls', '--scram-user', 'stress'], brokers: 1 },
  { name: 'zk3', args: ['--mode', 'zookeeper', '--broker-count', '3'], brokers: 3 },
  { name: 'zk3-acls', args: ['--mode', 'zookeeper', '--broker-count', '3', '--require-acls'], brokers: 3 },
];

interface Step {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Failure {
  variant: string;
  round: number;
  why: string;
  steps: Record<string, Step>;
}

interface Results {
  startedAt: string;
  finishedAt?: string;
  host: { cpus: number; loadAtStart: number[]; loadNow: number[] };
  roundsAsked: number;
  perVariant: Record<string, { runs: number; failures: number; upSeconds: number[] }>;
  failures: Failure[];
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

// --bin: a copy of the built binary, so that rebuilding the work tree does not change a run under way.
const BIN = path.resolve(option('--bin', path.join(import.meta.dirname, '../../bin/kfeed.js')));

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Step> {
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - began });
    });
  });
}

/** Live processes whose command line holds `text`. */
function processesWith(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** One up / status / down cycle; the reason it failed, or undefined. */
async function cycle(
  variant: Variant,
  env: NodeJS.ProcessEnv,
  dataDir: string,
  steps: Record<string, Step>,
): Promise<string | undefined> {
  const name = `stress-${variant.name}`;
  const up = (steps.up = await run(['local', 'up', '--name', name, '--no-profile', ...variant.args], env, 300_000));
  let why: string | undefined;
  if (up.code !== 0) why = `local up exited ${up.code}`;
  else if (!/local cluster \S+ is up/.test(up.stderr)) why = 'local up printed no "is up" line';
  else {
    const running = (up.stdout.match(/^broker \d+\s+running/gm) ?? []).length;
    if (running !== variant.brokers) why = `local up showed ${running} of ${variant.brokers} brokers running`;
  }
  if (!why) {
    const status = (steps.status = await run(['local', 'status', '--name', name, '--json'], env, 60_000));
    if (status.code !== 0) why = `local status exited ${status.code}`;
    else if (JSON.parse(status.stdout).running !== true) why = 'local status says not running';
  }
  const down = (steps.down = await run(['local', 'down', '--name', name], env, 120_000));
  const folder = path.join(dataDir, 'kfeed', 'clusters', name);
  if (!why && down.code !== 0) why = `local down exited ${down.code}`;
  if (!why && fs.existsSync(folder)) why = 'the cluster folder is left after down';
  const left = processesWith(`${folder}/`);
  if (left.length) {
    why ??= `processes left after down: ${left.join(', ')}`;
    for (const pid of left) process.kill(pid, 'SIGKILL');
  }
  return why;
}

function markdown(results: Results): string {
  const rows = Object.entries(results.perVariant).map(
    ([variant, r]) =>
      `| ${variant} | ${r.runs} | ${r.failures} | ${r.upSeconds.length ? median(r.upSeconds).toFixed(1) : '-'} | ${
        r.upSeconds.length ? Math.max(...r.upSeconds).toFixed(1) : '-'
      } |`,
  );
  const failures = results.failures.map(
    (f) =>
      `### ${f.variant}, round ${f.round}: ${f.why}\n\n` +
      Object.entries(f.steps)
        .map(
          ([step, s]) =>
            `\`${step}\` exit ${s.code} in ${(s.ms / 1000).toFixed(1)} s\n\n\`\`\`\n${(s.stderr + s.stdout).trim().slice(-3000)}\n\`\`\``,
        )
        .join('\n\n'),
  );
  return [
    `# kfeed local up/down stress`,
    '',
    `Started ${results.startedAt}${results.finishedAt ? `, finished ${results.finishedAt}` : ' (still running)'}; ` +
      `${results.roundsAsked} rounds asked; ${results.host.cpus} CPUs, load ${results.host.loadAtStart.map((l) => l.toFixed(1)).join(' ')} ` +
      `at start, ${results.host.loadNow.map((l) => l.toFixed(1)).join(' ')} now.`,
    '',
    '| variant | runs | failures | median up (s) | slowest up (s) |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
    results.failures.length ? '## Failures\n' : 'No failures.',
    ...failures,
    '',
  ].join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const rounds = Number(option('--rounds', '30'));
  const wanted = option('--variants', VARIANTS.map((v) => v.name).join(',')).split(',');
  const variants = VARIANTS.filter((v) => wanted.includes(v.name));
  if (!Number.isInteger(rounds) || rounds < 1 || variants.length !== wanted.length) {
    throw new Error(
      `usage: stress-local [--rounds N] [--variants ${VARIANTS.map((v) => v.name).join(',')}] [--out file.json]`,
    );
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = path.resolve(
    option('--out', path.join(import.meta.dirname, '../../bench/results', `stress-local-${stamp}.json`)),
  );
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-stress-'));
  const dataDir = path.join(root, 'data');
  // Folders of its own; the jar cache is the user's, so the jars are fetched once.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_DATA_HOME: dataDir,
    XDG_CONFIG_HOME: path.join(root, 'config'),
    KFEED_SASL_PASSWORD: 'stress-password-1',
    NO_COLOR: '1',
  };
  delete env.KFEED_PROFILE;
  delete env.TLSBROKERS;
  const results: Results = {
    startedAt: new Date().toISOString(),
    host: { cpus: os.cpus().length, loadAtStart: os.loadavg(), loadNow: os.loadavg() },
    roundsAsked: rounds,
    perVariant: Object.fromEntries(variants.map((v) => [v.name, { runs: 0, failures: 0, upSeconds: [] }])),
    failures: [],
  };
  const save = () => {
    results.host.loadNow = os.loadavg();
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(out.replace(/\.json$/, '') + '.md', markdown(results));
  };
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true; // finish the cycle under way (so its cluster goes down), then stop
    console.error('stopping after this cycle');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (let round = 1; round <= rounds && !stopping; round++) {
      for (const variant of variants) {
        if (stopping) break;
        const steps: Record<string, Step> = {};
        const why = await cycle(variant, env, dataDir, steps);
        const tally = results.perVariant[variant.name];
        tally.runs += 1;
        if (steps.up?.code === 0) tally.upSeconds.push(steps.up.ms / 1000);
        if (why) {
          tally.failures += 1;
          results.failures.push({ variant: variant.name, round, why, steps });
        }
        console.error(
          `round ${round} ${variant.name}: ${why ?? 'ok'} (${((steps.up?.ms ?? 0) / 1000).toFixed(1)} s up)`,
        );
        save();
      }
    }
  } finally {
    // The run's own folders (clusters, profiles) go, also when a cycle throws.
    fs.rmSync(root, { recursive: true, force: true });
  }
  results.finishedAt = new Date().toISOString();
  save();
  const failed = results.failures.length;
  console.error(`${failed} failure(s); results in ${out}`);
  process.exitCode = failed ? 1 : 0;
}

await main();
