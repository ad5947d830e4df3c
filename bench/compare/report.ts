// What bench/compare.ts writes: the results as markdown, and the issue's targets checked.
import type { ColdRow, LatencyRow, ThroughputRow } from './workloads.js';
import { E2E_DEFAULTS, E2E_FAST, E2E_JAVA } from './workloads.js';

export interface Machine {
  nproc: string;
  cpu: string;
  memory: string;
  os: string;
  node: string;
  java?: string;
  kcat: string;
  loadAverage: number[];
}

export interface Target {
  measure: string;
  target: string;
  measured: string;
  met?: boolean;
}

export interface Results {
  startedAt: string;
  count: number;
  size: number;
  partitions: number;
  rounds: number;
  e2eRate: number;
  e2eSeconds: number;
  javaMessages: number;
  machine: Machine;
  kafkaVersion?: string;
  coldStart?: Record<string, ColdRow>;
  produce?: Record<string, ThroughputRow>;
  consume?: Record<string, ThroughputRow>;
  rss?: { count: number; rssMb?: number; seconds: number };
  e2e?: Record<string, LatencyRow>;
  loadAverageAtEnd?: number[];
  targets?: Target[];
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined
    ? 'n/a'
    : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : undefined);

export function markdown(r: Results): string {
  const m = r.machine;
  const lines = [
    `# kfeed vs kcat vs Apache Kafka's Java tools`,
    '',
    `${r.startedAt} · ${r.count.toLocaleString('en-US')} messages of ${r.size} B (quote-shaped JSON, null keys) per run · ${r.partitions} partitions · ${r.rounds} interleaved rounds · one local Kafka ${r.kafkaVersion} broker (KRaft) over mTLS · medians`,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory}, ${m.os}; Node ${m.node}; ${m.java}; ${m.kcat}. Load average at start ${m.loadAverage.join(' / ')}, at end ${(r.loadAverageAtEnd ?? []).join(' / ')}; each run's own 1-minute load is in compare.json.`,
    '',
    'msg/s is messages over the wall time of the whole process (start, connect, send or read everything, exit), the one measure every tool has. "tool says" is what the tool reports about itself (it leaves out start-up). CPU is the process\'s user + system time (GNU time) per message.',
  ];
  const throughputTable = (title: string, rows: Record<string, ThroughputRow> | undefined, note: string) => {
    if (!rows) return;
    const kcat = rows.kcat;
    lines.push(
      '',
      `## ${title}`,
      '',
      note,
      '',
      '| tool | msg/s (wall) | tool says msg/s | × kcat | CPU µs/msg | CPU × kcat | peak RSS MB |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const [tool, row] of Object.entries(rows)) {
      const errors = row.runs.filter((s) => s.error).length;
      lines.push(
        `| ${tool}${errors ? ` (${errors} failed)` : ''} | ${fmt(row.median)} | ${fmt(row.reportedMedian)} | ${fmt(ratio(row.median, kcat?.median), 2)} | ${fmt(row.cpuMicrosPerRecord, 1)} | ${fmt(ratio(row.cpuMicrosPerRecord, kcat?.cpuMicrosPerRecord), 2)} | ${fmt(row.peakRssMb, 1)} |`,
      );
    }
  };
  throughputTable(
    'Produce (acks=all, idempotent)',
    r.produce,
    "Each tool's defaults otherwise: kfeed linger 5 ms / 1000 records a batch; kcat (librdkafka) linger 5 ms; Java linger 0 ms / 16 KB batches. A fresh topic per run.",
  );
  throughputTable(
    'Consume to /dev/null',
    r.consume,
    'The same filled topic, read from the start: kfeed and Java in a fresh consumer group (join included), kcat by partition assignment.',
  );
  if (r.rss)
    lines.push(
      '',
      `Peak RSS of one \`kfeed bench produce\` of ${fmt(r.rss.count)} records: ${fmt(r.rss.rssMb, 1)} MB.`,
    );
  if (r.e2e) {
    lines.push(
      '',
      `## End to end at ${r.e2eRate} msg/s`,
      '',
      `\`kfeed bench e2e --rate ${r.e2eRate} --duration ${r.e2eSeconds}\` (1 s warm-up not measured): latency from handing a message to the producer until the consumer in the same process has it. Kafka's own EndToEndLatency tool in the same rounds (${r.javaMessages} messages, one at a time, acks=all, whole milliseconds).`,
      '',
      '| run | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms | sent msg/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const [variant, row] of Object.entries(r.e2e))
      lines.push(
        `| ${variant} | ${fmt(row.p50, 2)} | ${fmt(row.p95, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.p999, 2)} | ${fmt(row.max, 2)} | ${fmt(row.sentPerSecond)} |`,
      );
  }
  if (r.coldStart) {
    const base = r.coldStart['node -e 0'].medianMs;
    lines.push(
      '',
      `## Cold start (interleaved)`,
      '',
      '| command | median ms | min ms | / node -e 0 |',
      '|---|---:|---:|---:|',
    );
    for (const [label, row] of Object.entries(r.coldStart))
      lines.push(
        `| \`${label}\` | ${fmt(row.medianMs, 1)} | ${fmt(row.minMs, 1)} | ${fmt(ratio(row.medianMs, base), 2)}x |`,
      );
  }
  if (r.targets?.length) {
    lines.push('', '## Targets', '', '| measure | target | measured | met |', '|---|---|---|---|');
    for (const t of r.targets)
      lines.push(
        `| ${t.measure} | ${t.target} | ${t.measured} | ${t.met === undefined ? 'n/a' : t.met ? 'yes' : 'no'} |`,
      );
  }
  return lines.join('\n') + '\n';
}

const atLeast = (value: number | undefined, floor: number) => (value === undefined ? undefined : value >= floor);
const atMost = (value: number | undefined, ceiling: number) => (value === undefined ? undefined : value <= ceiling);

export function targets(r: Results): Target[] {
  const out: Target[] = [];
  for (const [label, rows, floor] of [
    ['produce', r.produce, 0.5],
    ['consume', r.consume, 0.8],
  ] as const) {
    if (!rows) continue;
    const speed = ratio(rows['kfeed bench']?.median, rows.kcat?.median);
    out.push({
      measure: `kfeed bench ${label}, whole process`,
      target: `>= ${floor}x kcat (goal 1.0x)`,
      measured: `${fmt(speed, 2)}x`,
      met: atLeast(speed, floor),
    });
    const cpu = ratio(rows['kfeed bench']?.cpuMicrosPerRecord, rows.kcat?.cpuMicrosPerRecord);
    out.push({
      measure: `kfeed bench ${label}, CPU per message`,
      target: '<= 3x kcat',
      measured: `${fmt(cpu, 2)}x`,
      met: atMost(cpu, 3),
    });
  }
  if (r.rss) {
    out.push({
      measure: `peak RSS, ${fmt(r.rss.count)}-message kfeed bench produce`,
      target: '<= 120 MB',
      measured: `${fmt(r.rss.rssMb, 1)} MB`,
      met: r.rss.count < 1_000_000 ? undefined : atMost(r.rss.rssMb, 120),
    });
  }
  if (r.e2e) {
    const java = r.e2e[E2E_JAVA]?.p99;
    for (const variant of [E2E_DEFAULTS, E2E_FAST]) {
      const p99 = r.e2e[variant]?.p99;
      out.push({
        measure: `${variant}: p99 at ${r.e2eRate} msg/s`,
        target: `<= Java EndToEndLatency p99 (${fmt(java, 0)} ms)`,
        measured: `${fmt(p99, 2)} ms`,
        met: java === undefined || p99 === undefined ? undefined : p99 <= java,
      });
    }
  }
  if (r.coldStart) {
    const c = ratio(r.coldStart['kfeed --help'].medianMs, r.coldStart['node -e 0'].medianMs);
    out.push({
      measure: '`kfeed --help` cold start',
      target: '<= 1.3x `node -e 0`',
      measured: `${fmt(c, 2)}x`,
      met: atMost(c, 1.3),
    });
  }
  return out;
}
