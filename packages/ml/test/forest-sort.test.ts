import { describe, expect, it } from 'vitest';
import { Prng } from '../src/forest/prng.js';
import { denseRanks } from '../src/forest/ranks.js';
import { RankSorter } from '../src/forest/sort.js';

describe('RankSorter', () => {
  // Sizes and ranges that take each path: insertion sort, introsort, one counting pass, several radix passes.
  it.each([
    [5, 3],
    [20, 1000],
    [200, 1_000_000],
    [200, 17],
    [3000, 17],
    [3000, 5_000_000],
    [5000, 2 ** 30],
  ])('sorts %i keys in a range of %i, carrying samples along, inside a larger buffer', (n, range) => {
    const rng = new Prng(n + range);
    const offset = 7;
    const keys = new Int32Array(n + 2 * offset).fill(-5);
    const samples = new Int32Array(n + 2 * offset).fill(-5);
    const base = 1000;
    for (let i = 0; i < n; i++) {
      keys[offset + i] = base + rng.below(range);
      samples[offset + i] = i;
    }
    const original = keys.slice(offset, offset + n);
    const sub = Array.from(original);
    new RankSorter(n + 2 * offset).sort(keys, samples, offset, offset + n, Math.min(...sub), Math.max(...sub));
    expect(Array.from(keys.subarray(offset, offset + n))).toEqual(sub.sort((a, b) => a - b));
    // Each sample still carries its own key, and each appears once.
    for (let i = offset; i < offset + n; i++) expect(original[samples[i] as number]).toBe(keys[i]);
    expect(new Set(samples.subarray(offset, offset + n)).size).toBe(n);
    // Outside [start, end) nothing moved.
    expect(Array.from(keys.subarray(0, offset))).toEqual(new Array<number>(offset).fill(-5));
    expect(Array.from(samples.subarray(offset + n))).toEqual(new Array<number>(offset).fill(-5));
  });
});

describe('denseRanks', () => {
  it('ranks each column densely: equal values (and -0, 0) share a rank, order follows values', () => {
    // Three samples x three features, column-major.
    const ranks = denseRanks(Float64Array.from([3, -1, 5, 0, -0, 9, 7, 7, -2]), 3, 3);
    expect(Array.from(ranks)).toEqual([1, 0, 2, 0, 0, 1, 1, 1, 0]);
  });
});
