import type { Command } from 'commander';
import type { Context } from '../context.js';
import { integer } from './options.js';
import { symbolList } from './produce.js';

export interface DemoOptions {
  name: string;
  duration?: number;
  rate: number;
  symbols?: string;
  seed: number;
  keepCluster?: boolean;
  profile: boolean;
  snapshotSeconds: number;
}

export const DEMO_TOPICS = ['quote', 'trade', 'bar'];

export function register(program: Command, ctx: Context): void {
  program
    .command('demo')
    .description('start a local broker, stream a simulated market into it and show a live ticker, over mTLS, until Ctrl-C')
    .option('--name <name>', 'local cluster to use (started if it is not running)', 'local')
    .option('--duration <seconds>', 'stop after this many seconds (default: at Ctrl-C)', integer('--duration', 1))
    .option('--rate <n>', 'simulated events per second', integer('--rate', 1, 100_000), 50)
    .option('--symbols <list>', 'comma-separated symbols to simulate')
    .option('--seed <n>', 'seed of the simulated market', integer('--seed', 0, 2 ** 32 - 1), 1)
    .option('--keep-cluster', 'leave the cluster running at the end (it is stopped if the demo started it)')
    .option('--no-profile', 'do not write or select a profile for the cluster')
    .option('--snapshot-seconds <n>', 'on a non-terminal: seconds between ticker snapshots', integer('--snapshot-seconds', 1, 3600), 2)
    .action(async (options: DemoOptions) => {
      await demoRun(ctx, options);
    });
}

export interface DemoSummary {
  cluster: string;
  produced: number;
  tickerUpdates: number;
  symbols: number;
  clusterStopped: boolean;
}

export async function demoRun(ctx: Context, options: DemoOptions): Promise<DemoSummary> {
  const chosenSymbols = options.symbols === undefined ? undefined : symbolList('--symbols', options.symbols);
  const { startCluster, removeCluster } = await import('./local/index.js');
  const { adminConnection, readClusterState, localClusterStatus } = await import('../local/cluster.js');
  const before = readClusterState(ctx.paths.dataDir, options.name);
  const wasRunning = Boolean(before) && localClusterStatus(before!).brokers.every((b) => b.running);
  // The demo's profile is selected while it runs; a cluster the demo stops takes it along.
  const previousDefault = ctx.profiles.read().defaultProfile;
  // 1. the broker (re-used when it runs already)
  const state = await startCluster(ctx, { name: options.name, mode: 'kraft', profile: options.profile, timeout: 180 });
  const settings = adminConnection(state);

  // 2. the topics
  const { withAdmin } = await import('../kafka/client.js');
  const { ensureTopics } = await import('../kafka/topics.js');
  await withAdmin(settings, (admin) => ensureTopics(admin, DEMO_TOPICS, 3));
  ctx.info(`topics ${DEMO_TOPICS.join(', ')} ready; streaming a simulated market${options.duration ? ` for ${options.duration} s` : ' until Ctrl-C'}`);

  // 3. the ticker, reading the three topics
  const { openFeedConsumer } = await import('../feed/consumer.js');
  const { TickerBoard, TickerView } = await import('../feed/render/ticker.js');
  const { createFeedProducer } = await import('../feed/producer.js');
  const { simSource, DEFAULT_SIM_SYMBOLS } = await import('../feed/sources/sim.js');
  const { runStop, pumpFeed, consumeIntoBoard } = await import('../feed/pipeline.js');

  const consumer = await openFeedConsumer(settings, { topics: DEMO_TOPICS, groupId: 'kfeed-demo', start: { from: 'committed', fallback: 'earliest' } });
  const producer = await createFeedProducer(settings);
  // Market and ticker stop together: at Ctrl-C, at --duration, or when either fails. The
  // duration counts from here: on a fresh cluster the group's first join (which creates
  // __consumer_offsets) can take longer than a short --duration.
  const stop = runStop(ctx.abort.signal, options.duration);
  const board = new TickerBoard();
  const view = new TickerView(board, {
    out: ctx.io.stdout,
    snapshotSeconds: options.snapshotSeconds,
    footer: () => `produced ${producer.stats().acknowledged}, ticker ${board.updates} updates — Ctrl-C stops`,
  });
  const source = simSource({ symbols: chosenSymbols ?? DEFAULT_SIM_SYMBOLS, rate: options.rate, seed: options.seed, routing: {} });

  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    stop.stop();
  };
  if (!ctx.json) view.start();
  const ticker = consumeIntoBoard(consumer, board, { signal: stop.signal, onUpdate: () => view.touch() }).catch(fail);

  // 4. until Ctrl-C or --duration, then a clean stop: source, producer, ticker, broker
  const market = await pumpFeed(source, producer, { signal: stop.signal });
  if (market.failure) fail(market.failure);
  await ticker;
  await consumer.close();
  if (!ctx.json) view.stop();
  stop.dispose();

  let clusterStopped = false;
  let restoredDefault: string | undefined;
  if (!wasRunning && !options.keepCluster) {
    // Reported on stderr: the ticker's last frame stays the last thing on stdout.
    await removeCluster(ctx, options.name);
    clusterStopped = true;
    if (previousDefault && previousDefault !== options.name && ctx.profiles.get(previousDefault)) {
      ctx.profiles.use(previousDefault);
      restoredDefault = previousDefault;
    }
  }
  const summary: DemoSummary = {
    cluster: options.name,
    produced: market.stats.acknowledged,
    tickerUpdates: board.updates,
    symbols: board.symbols,
    clusterStopped,
  };
  if (ctx.json) ctx.printJson(summary);
  else {
    ctx.info(
      `demo stopped: ${summary.produced} records produced, ${summary.tickerUpdates} shown by the ticker; ` +
        (clusterStopped ? `cluster ${options.name} stopped${restoredDefault ? `; profile ${restoredDefault} is the default again` : ''}` : `cluster ${options.name} still runs (kfeed local down --name ${options.name} stops it)`),
    );
  }
  if (failure) throw failure;
  return summary;
}
