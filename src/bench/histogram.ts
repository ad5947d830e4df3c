/**
 * A latency histogram with logarithmic buckets: every value is kept to within 1 % in a
 * fixed amount of memory however long the run, and min / max are kept exactly.
 * Values are milliseconds (fractions allowed); the range is 1 µs to about 24 hours.
 */
export class LatencyHistogram {
  private static readonly GROWTH = 1.01;
  private static readonly LOWEST_MS = 0.001;
  private static readonly LOG_GROWTH = Math.log(LatencyHistogram.GROWTH);
  private static readonly BUCKETS =
    Math.ceil(Math.log(86_400_000 / LatencyHistogram.LOWEST_MS) / LatencyHistogram.LOG_GROWTH) + 1;

  private readonly counts = new Float64Array(LatencyHistogram.BUCKETS);
  private total = 0;
  private sum = 0;
  private lowest = Infinity;
  private highest = -Infinity;

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    // A clock can step backwards by a hair between two reads: count it as the smallest value.
    const value = Math.max(ms, 0);
    this.counts[this.bucketOf(value)] += 1;
    this.total += 1;
    this.sum += value;
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
  }

  get count(): number {
    return this.total;
  }

  get min(): number {
    return this.total ? this.lowest : 0;
  }

  get max(): number {
    return this.total ? this.highest : 0;
  }

  get mean(): number {
    return this.total ? this.sum / this.total : 0;
  }

  /**
   * The value below which `p` percent of the recorded values lie (nearest rank), as the
   * middle of its bucket, clamped to the exact min and max.
   */
  percentile(p: number): number {
    if (!this.total) return 0;
    if (p <= 0) return this.min;
    if (p >= 100) return this.max;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.highest, Math.max(this.lowest, this.valueOf(i)));
    }
    return this.max;
  }

  private bucketOf(ms: number): number {
    if (ms <= LatencyHistogram.LOWEST_MS) return 0;
    const index = Math.ceil(Math.log(ms / LatencyHistogram.LOWEST_MS) / LatencyHistogram.LOG_GROWTH);
    return Math.min(index, LatencyHistogram.BUCKETS - 1);
  }

  /** The geometric middle of bucket `i`, which holds values in (lower, upper]. */
  private valueOf(i: number): number {
    if (i === 0) return LatencyHistogram.LOWEST_MS;
    const upper = LatencyHistogram.LOWEST_MS * LatencyHistogram.GROWTH ** i;
    return upper / Math.sqrt(LatencyHistogram.GROWTH);
  }
}
