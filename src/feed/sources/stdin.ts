import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { KfeedError } from '../../errors.js';
import type { FeedRecord } from '../schema.js';
import type { Emit, FeedSource } from './source.js';

export interface StdinSourceOptions {
  input: Readable;
  topic: string;
  /** Split each line into key and value at the first occurrence (as kcat -K). */
  keySeparator?: string;
  headers?: Record<string, string>;
  /** A person types the lines: show a prompt, and `q` quits (as the old producer.py). */
  interactive?: boolean;
  /** Shows the interactive prompt (the command decides where it goes). */
  prompt?: (text: string) => void;
}

/** Parses `name=value` header flags (kcat's -H form). */
export function parseHeaders(pairs: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new KfeedError('usage', `"${pair}" is not a header`, { hint: 'write --header name=value' });
    headers[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return headers;
}

/** One record per line of the input; empty lines are skipped. */
export function stdinSource(options: StdinSourceOptions): FeedSource {
  const toRecord = (line: string): FeedRecord => {
    const headers = options.headers && Object.keys(options.headers).length ? options.headers : undefined;
    if (options.keySeparator) {
      const at = line.indexOf(options.keySeparator);
      if (at >= 0)
        return {
          topic: options.topic,
          key: line.slice(0, at),
          value: line.slice(at + options.keySeparator.length),
          headers,
        };
    }
    return { topic: options.topic, key: null, value: line, headers };
  };
  return {
    name: 'stdin',
    async run(emit: Emit, signal: AbortSignal) {
      const lines = readline.createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
      const close = () => lines.close();
      signal.addEventListener('abort', close, { once: true });
      try {
        if (options.interactive) options.prompt?.('> ');
        for await (const line of lines) {
          if (signal.aborted) break;
          if (options.interactive && line.trim() === 'q') break;
          if (line.length > 0) await emit([toRecord(line)]);
          if (options.interactive) options.prompt?.('> ');
        }
      } finally {
        signal.removeEventListener('abort', close);
        lines.close();
      }
    },
  };
}
