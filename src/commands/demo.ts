import type { ConnectionSettings } from '../config/connection.js';
import type { Context } from '../context.js';
import { describeShape } from '../local/state.js';
import { defineCommand } from './command.js';
import { symbolList } from '../feed/sources/options.js';
import { integer } from './options.js';

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

export interface DemoSummary {
  cluster: string;
  produced: number;
  /** Records the ticker showed: only those the demo produced (it starts at the end of the topics). */
  tickerUpdates: number;
  symbols: number;
  /** The cluster ran before the demo and was used as it was (and is left running). */
  clusterWasRunning: boolean;
  clusterStopped: boolean;
}

export default defineCommand<DemoOptions, DemoSummary>({
  name: 'demo',
  summary: 'start a local broker, stream a simulated market into it and show a live ticker, over mTLS, until Ctrl-C',
  flags: (command) =>
    command
      .option('--name <name>', 'local cluster to use (used as it is if it runs, else started)', 'local')
      .option('--duration <seconds>', 'stop after this many seconds (default: at Ctrl-C)', integer('--duration', 1))
      .option('--rate <n>', 'simulated records per second', integer('--rate', 1, 100_000), 50)
      .option('--symbols <list>', 'comma-separated symbols to simulate')
      .option('--seed <n>', 'seed of the simulated market', integer('--seed', 0, 2 ** 32 - 1), 1)
      .option('--keep-cluster', 'leave the cluster running at the end (it is stopped if the demo started it)')
      .option('--no-profile', 'do not write or select a profile for the cluster')
      .option(
        '--snapshot-seconds <n>',
        'on a non-terminal: seconds between ticker snapshots',
        integer('--snapshot-seconds', 1, 3600),
        2,
      ),
  validate: (options) => void symbolList('--symbols', options.symbols),
  run: demoRun,
  // The ticker was the output; the summary went to stderr. `--json` prints the summary.
  render: () => undefined,
});

async function demoRun(ctx: Context, options: DemoOptions): Promise<DemoSummary> {
  const { adminConnection } = await import('../local/endpoints.js');
  const { bringUpCluster, runningCluster, takeDownCluster } = await import('../local/lifecycle.js');
  const wasRunning = runningCluster(ctx.paths.dataDir, options.name);
  // The demo's profile is selected while it runs; a cluster the demo stops takes it along.
  const previousDefault = ctx.profiles.read().defaultProfile;

  // 1. the broker: a running cluster is used as it is (the admin certificate is a super user,
  //    so required ACLs do not stand in the way); else a KRaft cluster is started.
  if (wasRunning)
    ctx.info(`local cluster ${options.name} runs (${describeShape(wasRunning)}): the demo uses it as it is`);
  const progress = ctx.progress(`starting local cluster ${options.name}`);
  let up;
  try {
    up = await bringUpCluster({
      name: options.name,
      mode: 'kraft',
      brokers: 1,
      requireAcls: false,
      acceptAnyRunningShape: true,
      dataDir: ctx.paths.dataDir,
      cacheDir: ctx.paths.cacheDir,
      env: ctx.env,
      timeoutMs: 180_000,
      onProgress: (text) => progress.update(text),
      signal: ctx.abort.signal,
      profiles: ctx.profiles,
      writeProfile: options.profile,
      makeDefault: 'always',
    });
  } catch (error) {
    progress.fail(
      ctx.abort.signal.aborted
        ? `stopped: local cluster ${options.name} was not started; nothing of it is left`
        : `local cluster ${options.name} did not start`,
    );
    throw error;
  }
  const { state } = up;
  progress.succeed(
    `local cluster ${state.name} ${up.reused ? 'is already running' : 'is up'}: ` +
      `Kafka ${state.kafkaVersion}, ${state.mode}, ` +
      `${state.brokers.length} broker(s)`,
  );
  if (up.profileWritten)
    ctx.info(`profile "${state.name}" written and selected: kfeed commands now reach this cluster over mTLS`);
  const settings = adminConnection(state);

  // A cluster the demo started goes when the demo ends, whether it ended well or not.
  const takeDown = async () => {
    if (wasRunning || options.keepCluster) return undefined;
    // Reported on stderr: the ticker's last frame stays the last thing on stdout.
    const stopping = ctx.progress(`stopping local cluster ${options.name}`);
    const down = await takeDownCluster({
      dataDir: ctx.paths.dataDir,
      name: options.name,
      profiles: ctx.profiles,
      restoreDefault: previousDefault,
    });
    stopping.succeed(`local cluster ${options.name} stopped and removed`);
    return down;
  };
  let run;
  try {
    run = await streamMarket(ctx, settings, options);
  } catch (error) {
    await takeDown();
    throw error;
  }
  const down = await takeDown();
  const { market, board, failure } = run;
  const clusterStopped = Boolean(down);
  const restoredDefault = down?.defaultProfile;
  const summary: DemoSummary = {
    cluster: options.name,
    produced: market.stats.acknowledged,
    tickerUpdates: board.updates,
    symbols: board.symbols,
    clusterWasRunning: Boolean(wasRunning),
    clusterStopped,
  };
  ctx.info(
    `demo stopped: ${summary.produced} records produced, ${summary.tickerUpdates} shown by the ticker; ` +
      (clusterStopped
        ? `cluster ${options.name} stopped${restoredDefault ? `; profile ${restoredDefault} is the default again` : ''}`
        : `cluster ${options.name} still runs (kfeed local down --name ${options.name} stops it)`),
  );
  if (failure) throw failure;
  return summary;
}

/** Topics, ticker and simulated market until Ctrl-C, --duration or a failure (returned, not thrown). */
async function streamMarket(ctx: Context, settings: ConnectionSettings, options: DemoOptions) {
  const chosenSymbols = options.symbols === undefined ? undefined : symbolList('--symbols', options.symbols);
  // 1. the topics, and a consumer group of this run's own that starts where they end now
  const { prepareDemoTopics } = await import('../feed/demo-topics.js');
  const groupId = `kfeed-demo-${Date.now().toString(36)}`;
  await prepareDemoTopics(settings, { topics: DEMO_TOPICS, partitions: 3, groupId, signal: ctx.abort.signal });
  ctx.info(
    `topics ${DEMO_TOPICS.join(', ')} ready; streaming a simulated market` +
      (options.duration ? ` for ${options.duration} s` : ' until Ctrl-C'),
  );

  // 2. the ticker, reading the three topics
  const { openFeedConsumer } = await import('../feed/consumer.js');
  const { TickerBoard, TickerView } = await import('../feed/render/ticker.js');
  const { createFeedProducer } = await import('../feed/producer.js');
  const { simSource, DEFAULT_SIM_SYMBOLS } = await import('../feed/sources/sim.js');
  const { runStop, pumpFeed, consumeIntoBoard } = await import('../feed/pipeline.js');

  // Market and ticker stop together: at Ctrl-C, at --duration, or when either fails.
  // (--duration counts from the first record, once the ticker reads: see below.)
  const stop = runStop(ctx.abort.signal);
  const consumer = await openFeedConsumer(settings, {
    topics: DEMO_TOPICS,
    groupId,
    start: { from: 'committed', fallback: 'latest' },
  });
  const producer = await createFeedProducer(settings);
  const board = new TickerBoard();
  const view = new TickerView(board, {
    out: ctx.io.stdout,
    snapshotSeconds: options.snapshotSeconds,
    footer: () => `produced ${producer.stats().acknowledged}, ticker ${board.updates} updates — Ctrl-C stops`,
  });
  const source = simSource({
    symbols: chosenSymbols ?? DEFAULT_SIM_SYMBOLS,
    rate: options.rate,
    seed: options.seed,
    routing: {},
  });

  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    stop.stop();
  };
  if (!ctx.json) view.start();
  const ticker = consumeIntoBoard(consumer, board, { signal: stop.signal, onUpdate: () => view.touch() }).catch(fail);

  // 3. until Ctrl-C or --duration, then a clean stop: source, producer, ticker
  // The market starts once the ticker has joined its group: on a busy machine the first join
  // takes seconds, and a short demo would otherwise end before the ticker read anything.
  const { poll } = await import('../wait.js');
  await poll(() => (consumer.assignment().size > 0 || failure !== undefined ? true : undefined), {
    what: 'the ticker to join its consumer group',
    timeoutMs: 60_000,
    signal: stop.signal,
  }).catch((error: unknown) => {
    if (!stop.signal.aborted) fail(error); // Ctrl-C meanwhile: the market below ends at once
  });
  const market = await pumpFeed(source, producer, { signal: stop.signal, durationSeconds: options.duration });
  stop.stop(); // the ticker ends with the market
  if (market.failure) fail(market.failure);
  await ticker;
  await consumer.close();
  if (!ctx.json) view.stop();
  stop.dispose();
  return { market, board, failure };
}
