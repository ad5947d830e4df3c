/** Seconds with millisecond precision, for summaries ("0.412 s", not "0 s"). */
export function secondsText(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** A rate per second that keeps its meaning when small: 485, 12, 0.1, 0.02. */
export function rateText(count: number, ms: number): string {
  if (ms <= 0) return String(count);
  const rate = (count * 1000) / ms;
  if (rate === 0) return '0';
  if (rate >= 1) return String(Math.round(rate));
  return String(Number(rate.toPrecision(1)));
}

/** `12 messages in 3.021 s (4/s)` */
export function countInTime(count: number, noun: string, ms: number): string {
  return `${count} ${noun}${count === 1 ? '' : 's'} in ${secondsText(ms)} s (${rateText(count, ms)}/s)`;
}
