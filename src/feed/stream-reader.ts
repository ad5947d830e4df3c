// From the engine's message stream to kfeed's consumed records, in batches.
import type { Message, MessagesStream } from '@platformatic/kafka';
import type { ConsumedRecord } from './consumer.js';

type EngineMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** Records handed over per call at most: what one wait on the stream found, by partition. */
const READ_AT_ONCE = 5000;

function headerText(headers: Map<Buffer, Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name.toString('utf8')] = value ? value.toString('utf8') : '';
  return out;
}

export function toRecord(m: EngineMessage): ConsumedRecord {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset.toString(),
    key: m.key ?? null,
    value: m.value ?? null,
    headers: m.headers.size ? headerText(m.headers) : {},
    timestamp: m.timestamp.toString(),
  };
}

/**
 * Takes what the stream holds in batches: `next()` waits until it holds something, then takes
 * all of it (up to READ_AT_ONCE); it resolves empty once the stream ends or `wake()` is called
 * to stop, and rejects with the stream's error. The stream keeps one 'readable' listener for
 * its whole life: without one the engine stops fetching.
 */
export function streamReader(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>) {
  let notify: (() => void) | undefined;
  let failure: Error | undefined;
  let woken = false;
  const poke = () => notify?.();
  stream.on('readable', poke);
  stream.on('end', poke);
  stream.on('close', poke);
  stream.on('error', (error) => {
    failure ??= error;
    poke();
  });
  const take = () => {
    const out: EngineMessage[] = [];
    let m: EngineMessage | null;
    while (out.length < READ_AT_ONCE && (m = stream.read() as EngineMessage | null) !== null) out.push(m);
    return out;
  };
  return {
    async next(): Promise<EngineMessage[]> {
      for (;;) {
        if (failure) throw failure;
        if (woken) return [];
        const out = take();
        if (out.length) return out;
        if (stream.destroyed || stream.readableEnded) return [];
        await new Promise<void>((resolve) => (notify = resolve));
        notify = undefined;
      }
    },
    wake() {
      woken = true;
      poke();
    },
  };
}
