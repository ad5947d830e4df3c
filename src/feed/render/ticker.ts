import type { Writable } from 'node:stream';
import type { MarketEvent } from '../schema.js';

interface Row {
  symbol: string;
  last?: number;
  /** The first price seen, what `change` is measured from. */
  reference?: number;
  bid?: number;
  ask?: number;
  volume: number;
  updatedAt: number;
  updates: number;
}

/** The state of the ticker: one row per symbol, updated in O(1) per event. */
export class TickerBoard {
  private readonly rows = new Map<string, Row>();
  updates = 0;
  ignored = 0;

  update(event: MarketEvent | undefined, at = Date.now()): void {
    if (!event) {
      this.ignored += 1;
      return;
    }
    this.updates += 1;
    let row = this.rows.get(event.symbol);
    if (!row) this.rows.set(event.symbol, (row = { symbol: event.symbol, volume: 0, updatedAt: at, updates: 0 }));
    row.updatedAt = at;
    row.updates += 1;
    switch (event.kind) {
      case 'quote':
        row.bid = event.bidPrice;
        row.ask = event.askPrice;
        break;
      case 'trade':
        row.last = event.price;
        row.volume += event.size ?? 0;
        break;
      case 'bar':
        // Bars repeat volume the trades already counted when both are consumed; only use
        // them for prices when no trade has been seen.
        if (row.last === undefined) row.last = event.close;
        break;
    }
    if (row.reference === undefined && row.last !== undefined) row.reference = row.last;
  }

  get symbols(): number {
    return this.rows.size;
  }

  /** The table as lines of text, symbols in alphabetical order. */
  lines(now = Date.now()): string[] {
    const price = (n?: number) => (n === undefined ? '-' : n >= 1000 ? n.toFixed(2) : n.toFixed(n < 1 ? 4 : 2));
    const header = ['SYMBOL', 'LAST', 'BID', 'ASK', 'CHANGE', 'CHANGE%', 'VOLUME', 'AGE'];
    const rows = [...this.rows.values()]
      .sort((a, b) => a.symbol.localeCompare(b.symbol))
      .map((r) => {
        const change = r.last !== undefined && r.reference !== undefined ? r.last - r.reference : undefined;
        const pct = change !== undefined && r.reference ? (change / r.reference) * 100 : undefined;
        const age = Math.max(0, now - r.updatedAt);
        return [
          r.symbol,
          price(r.last),
          price(r.bid),
          price(r.ask),
          change === undefined ? '-' : `${change >= 0 ? '+' : ''}${change.toFixed(2)}`,
          pct === undefined ? '-' : `${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%`,
          String(r.volume),
          age < 1000 ? `${age}ms` : `${(age / 1000).toFixed(1)}s`,
        ];
      });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const format = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [format(header), ...rows.map(format)];
  }
}

export interface TickerViewOptions {
  out: Writable & { isTTY?: boolean };
  /** Redraws per second at most on a terminal (default 10). */
  fps?: number;
  /** On a non-terminal: seconds between plain snapshots (default 5). */
  snapshotSeconds?: number;
  /** Extra line under the table (rates, counts). */
  footer?: () => string;
}

/**
 * Shows a TickerBoard: on a terminal, redrawn in place at most `fps` times a second however
 * fast updates come; elsewhere, a plain snapshot every few seconds (logs stay readable).
 */
export class TickerView {
  private timer?: NodeJS.Timeout;
  private drawnLines = 0;
  private dirty = true;
  frames = 0;

  constructor(
    private readonly board: TickerBoard,
    private readonly options: TickerViewOptions,
  ) {}

  get interactive(): boolean {
    return Boolean(this.options.out.isTTY);
  }

  start(): void {
    const period = this.interactive ? 1000 / (this.options.fps ?? 10) : (this.options.snapshotSeconds ?? 5) * 1000;
    this.timer = setInterval(() => this.draw(), period);
  }

  /** Call on every update; drawing happens on the timer. */
  touch(): void {
    this.dirty = true;
  }

  private text(): string[] {
    const lines = this.board.lines();
    const footer = this.options.footer?.();
    return footer ? [...lines, footer] : lines;
  }

  draw(): void {
    const out = this.options.out;
    if (this.interactive) {
      // The age column changes even without updates, so redraw on every frame of the timer.
      const lines = this.text();
      const up = this.drawnLines ? `\x1b[${this.drawnLines}A\r` : '';
      out.write(`${up}\x1b[J${lines.join('\n')}\n`);
      this.drawnLines = lines.length;
    } else {
      if (!this.dirty && this.frames > 0) return;
      out.write(
        `--- ${new Date().toISOString()}  ${this.board.symbols} symbols, ${this.board.updates} updates\n` +
          `${this.text().join('\n')}\n`,
      );
    }
    this.frames += 1;
    this.dirty = false;
  }

  /** Stops the timer and leaves the final table on screen. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.dirty = true;
    this.draw();
  }
}
