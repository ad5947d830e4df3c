import { describe, expect, it } from 'vitest';
import { newClusterId } from '../src/local/cluster-id.js';

/** Pure checks of src/local: nothing is started, no file is written. */
describe('local cluster ID', () => {
  it('never starts with "-" over many IDs, and is 22 base64url characters', () => {
    const ids = Array.from({ length: 50_000 }, () => newClusterId());
    // About 1 in 64 raw draws starts with "-": 50,000 draws would show it hundreds of times.
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.filter((id) => !/^[A-Za-z0-9_-]{22}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws again when the bytes would start the ID with "-"', () => {
    // 0xf8 puts 62 in the first six bits: "-" in base64url.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    let calls = 0;
    const id = newClusterId(() => draws[calls++]);
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(calls).toBe(2);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
  });
});
