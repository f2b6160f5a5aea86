import { describe, expect, it } from 'vitest';
import { RandomState, SeedError } from '../src/index.js';
import { digest, loadFixture } from './helpers/fixtures.js';

interface RandomFixture {
  streams: {
    seed: number;
    raw_head: number[];
    raw_620_630: number[];
    raw_1240_1300: number[];
    raw_sha256: string;
  }[];
  samples: { seed: number; values: number[] }[];
  permutations: { seed: number; n: number; head: number[]; sha256: string; values?: number[] }[];
  randints: {
    seed: number;
    low: number;
    high: number | null;
    size: number | null;
    repeat: number | null;
    values: number[];
    next_raw: number;
  }[];
  shuffles: { seed: number; shuffled: number[]; then_permutation_7: number[] }[];
}

const fx = loadFixture<RandomFixture>('random.json');

describe('RandomState (numpy legacy MT19937)', () => {
  it.each(fx.streams)('raw 32-bit outputs match numpy for seed $seed', (s) => {
    const rs = new RandomState(s.seed);
    const raw = Array.from({ length: 1300 }, () => rs.randomInt32());
    expect(raw.slice(0, 16)).toEqual(s.raw_head);
    expect(raw.slice(620, 630)).toEqual(s.raw_620_630);
    expect(raw.slice(1240, 1300)).toEqual(s.raw_1240_1300);
    expect(digest(raw)).toBe(s.raw_sha256);
  });

  it.each(fx.samples)('randomSample matches numpy random_sample for seed $seed', (s) => {
    const rs = new RandomState(s.seed);
    expect(s.values.map(() => rs.randomSample())).toEqual(s.values);
  });

  it.each(fx.permutations)('permutation($n) matches numpy for seed $seed', (p) => {
    const perm = new RandomState(p.seed).permutation(p.n);
    expect(Array.from(perm.subarray(0, 12))).toEqual(p.head);
    expect(digest(perm)).toBe(p.sha256);
    if (p.values) expect(Array.from(perm)).toEqual(p.values);
  });

  it.each(fx.randints)(
    'randint(low=$low, high=$high, size=$size) x $repeat matches numpy for seed $seed',
    (r) => {
      const rs = new RandomState(r.seed);
      let values: number[];
      if (r.repeat !== null) {
        values = Array.from({ length: r.repeat }, () => rs.randint(r.low));
      } else {
        values = Array.from(rs.randint(r.low, r.high ?? undefined, r.size ?? 0));
      }
      expect(values).toEqual(r.values);
      // The same number of outputs was consumed: the stream continues in step with numpy.
      expect(rs.randomInt32()).toBe(r.next_raw);
    },
  );

  it('randintInto fills typed buffers with the same draws as randint', () => {
    const expected = Array.from(new RandomState(7).randint(0, 150, 150));
    for (const buf of [new Int32Array(150), new Uint32Array(150), new Float64Array(150)]) {
      new RandomState(7).randintInto(0, 150, buf);
      expect(Array.from(buf)).toEqual(expected);
    }
    expect(() => new RandomState(7).randintInto(0, 2 ** 32, new Int32Array(3))).toThrow(RangeError);
  });

  it.each(fx.shuffles)('shuffle then permutation continue the stream like numpy (seed $seed)', (s) => {
    const rs = new RandomState(s.seed);
    const a = Array.from({ length: 20 }, (_, i) => i * 3);
    rs.shuffle(a);
    expect(a).toEqual(s.shuffled);
    expect(Array.from(rs.permutation(7))).toEqual(s.then_permutation_7);
  });

  it('shuffles plain arrays of any element type in place', () => {
    const letters = ['a', 'b', 'c', 'd', 'e', 'f'];
    const perm = new RandomState(3).permutation(6);
    new RandomState(3).shuffle(letters);
    // Shuffling arange(n) and shuffling any n elements make the same moves.
    expect(letters).toEqual(Array.from(perm, (i) => 'abcdef'[i]));
  });

  it('randomInterval draws nothing for max 0 and one 64-bit pair for an all-ones max', () => {
    const a = new RandomState(5);
    const b = new RandomState(5);
    expect(a.randomInterval(0)).toBe(0);
    // With max equal to its own mask no draw is rejected: exactly hi and lo are consumed.
    const max = 2 ** 41 - 1;
    const hi = b.randomInt32() & (2 ** 9 - 1);
    const lo = b.randomInt32();
    expect(a.randomInterval(max)).toBe(hi * 2 ** 32 + lo);
    expect(a.randomInt32()).toBe(b.randomInt32());
    expect(() => a.randomInterval(-1)).toThrow(RangeError);
    expect(() => a.randomInterval(1.5)).toThrow(RangeError);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])('rejects seed %s like numpy does', (seed) => {
    expect(() => new RandomState(seed)).toThrow(SeedError);
  });

  it('rejects randint bounds numpy rejects or doubles cannot hold', () => {
    const rs = new RandomState(0);
    expect(() => rs.randint(5, 5)).toThrow(RangeError);
    expect(() => rs.randint(0)).toThrow(RangeError);
    expect(() => rs.randint(0, 2 ** 53)).toThrow(RangeError);
    expect(() => rs.randint(0, 10, -1)).toThrow(RangeError);
  });

  it('seeds from entropy when no seed is given', () => {
    const a = Array.from({ length: 4 }, () => new RandomState().randomInt32());
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});
