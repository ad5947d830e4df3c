import { describe, expect, it } from 'vitest';
import { checkSourceOptions, parseIsoTime, symbolList } from '../../src/feed/sources/options.js';
import { expectKfeedError } from '../helpers/assert.js';

describe('produce: options by source, symbol lists and times', () => {
  it('an option of other sources is refused, naming the sources that take it', () => {
    expectKfeedError(
      () => checkSourceOptions('stdin', { rate: 5 }),
      'usage',
      '--rate does not apply to --source stdin',
      {
        hint: 'it is an option of --source sim',
      },
    );
    expectKfeedError(
      () => checkSourceOptions('twelvedata', { kinds: 'trades' }),
      'usage',
      '--kinds does not apply to --source twelvedata',
      { hint: 'it is an option of --source sim, --source alpaca' },
    );
    // Absent values and empty repeatable lists are not given.
    expect(() => checkSourceOptions('stdin', { rate: undefined, symbols: undefined, header: [] })).not.toThrow();
    expect(() => checkSourceOptions('sim', { header: [] })).not.toThrow();
    expect(() => checkSourceOptions('sim', { header: ['a=b'] })).toThrow(/--header does not apply to --source sim/);
    expect(() => checkSourceOptions('twelvedata', { interval: 10, symbols: 'AAPL' })).not.toThrow();
  });

  it('symbol lists: trimmed, empty entries dropped; given but naming nothing is refused', () => {
    expect(symbolList('--symbols', ' AAPL, MSFT ,,NVDA ')).toEqual(['AAPL', 'MSFT', 'NVDA']);
    expect(symbolList('--symbols', undefined)).toEqual([]);
    expectKfeedError(() => symbolList('--symbols', ' , '), 'usage', '--symbols names no symbol', {
      hint: 'give a comma-separated list, e.g. --symbols AAPL,MSFT',
    });
    expectKfeedError(() => symbolList('--crypto', ''), 'usage', '--crypto names no symbol', {
      hint: 'give a comma-separated list, e.g. --crypto BTC/USD,ETH/USD',
    });
  });

  it('ISO 8601 times: a real day of the month, never rolled over', () => {
    expect(parseIsoTime('--from-time', '2025-01-31T14:30:00Z')).toBe(Date.UTC(2025, 0, 31, 14, 30));
    expect(parseIsoTime('--from-time', '2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoTime('--from-time', '2025-12-31T23:59:59.999Z')).toBe(Date.UTC(2025, 11, 31, 23, 59, 59, 999));
    for (const bad of [
      '2025-02-30T00:00:00Z',
      '2025-02-29',
      '2025-13-01',
      'yesterday',
      '31/01/2025',
      '2025-01-3',
      'x2025-01-31',
      ' 2025-01-31',
    ]) {
      expectKfeedError(() => parseIsoTime('--start-time', bad), 'usage', `"${bad}" is not an ISO 8601 time`, {
        hint: 'e.g. --start-time 2025-01-31T14:30:00Z',
      });
    }
    // A well-formed day with a time Date.parse cannot read.
    expectKfeedError(
      () => parseIsoTime('--start-time', '2025-01-31Tnoon'),
      'usage',
      '"2025-01-31Tnoon" is not an ISO 8601 time',
    );
  });
});
