import { randomBytes } from 'node:crypto';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_32 = 4294967296;
const MAX_SEED = 0xffffffff;

/** Writable array-like that {@link RandomState.shuffle} can permute in place. */
/** Any typed array of numbers (what {@link RandomState.shuffle} and `trainTestSplit` accept besides plain arrays). */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

export type ShuffleTarget = unknown[] | TypedArray;

/**
 * Thrown when a seed is not an integer in [0, 2**32 - 1], numpy's own range for
 * `RandomState(int)`.
 */
export class SeedError extends RangeError {
  override readonly name = 'SeedError';
  /** The rejected seed, as given. */
  readonly seed: unknown;

  constructor(seed: unknown) {
    super(`seed must be an integer between 0 and 2**32 - 1, got ${String(seed)}`);
    this.seed = seed;
  }
}

/** Throws {@link SeedError} unless `seed` is an integer numpy's `RandomState(seed)` accepts. */
export function validateSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new SeedError(seed);
  }
  return seed;
}

/**
 * The subset of numpy's legacy `numpy.random.RandomState` that scikit-learn's splitters and
 * forests use, bit-for-bit: the same seed gives the same stream of draws as numpy.
 *
 * The generator is MT19937 seeded with `init_genrand(seed)` (numpy's `mt19937_seed`).
 * Bounded integers use numpy's masked rejection sampling, so every method consumes exactly
 * as many 32-bit outputs as numpy does and calls can be interleaved in numpy's order.
 */
export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;

  /**
   * @param seed - integer in [0, 2**32 - 1]; omitted, the state is seeded from the
   *   operating system's entropy (like numpy's `RandomState(None)`, not reproducible).
   * @throws {@link SeedError} for any other seed.
   */
  constructor(seed?: number) {
    this.seed(seed === undefined ? randomBytes(4).readUInt32LE(0) : validateSeed(seed));
  }

  private seed(seed: number): void {
    const key = this.key;
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      key[i] = s;
      // Knuth's multiplier from the MT reference init_genrand; Math.imul keeps it in 32 bits.
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = N;
  }

  private generate(): void {
    const key = this.key;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (key[i]! & UPPER_MASK) | (key[i + 1]! & LOWER_MASK);
      key[i] = key[i + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      y = (key[i]! & UPPER_MASK) | (key[i + 1]! & LOWER_MASK);
      key[i] = key[i + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (key[N - 1]! & UPPER_MASK) | (key[0]! & LOWER_MASK);
    key[N - 1] = key[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** Next raw 32-bit output of MT19937, as an unsigned integer (numpy's `next_uint32`). */
  randomInt32(): number {
    if (this.pos === N) this.generate();
    let y = this.key[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * A double in [0, 1) with 53 random bits, as numpy's `random_sample()`
   * (two outputs: the high 27 and 26 bits).
   */
  randomSample(): number {
    const a = this.randomInt32() >>> 5;
    const b = this.randomInt32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * An integer in [0, max], as numpy's `random_interval(max)`: the smallest all-ones mask
   * covering `max`, then rejection of masked draws above `max` (64-bit draws when
   * `max` needs more than 32 bits).
   *
   * @param max - integer in [0, 2**53 - 1].
   * @throws RangeError for any other `max`.
   */
  randomInterval(max: number): number {
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError(`randomInterval max must be an integer in [0, 2**53 - 1], got ${max}`);
    }
    return this.interval(max);
  }

  private interval(max: number): number {
    if (max === 0) return 0;
    if (max <= MAX_SEED) return this.maskedUint32(max, maskFor32(max));
    return this.maskedUint64(max);
  }

  private maskedUint32(max: number, mask: number): number {
    let value: number;
    do {
      value = (this.randomInt32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** numpy's next_uint64 is (first output << 32) | second output; here split in two halves. */
  private maskedUint64(max: number): number {
    const maskHi = maskFor32(Math.floor(max / TWO_32));
    let value: number;
    do {
      const hi = (this.randomInt32() & maskHi) >>> 0;
      const lo = this.randomInt32();
      value = hi * TWO_32 + lo;
    } while (value > max);
    return value;
  }

  /**
   * numpy's legacy `randint(low, high)`: one integer in [low, high), or in [0, low) when
   * `high` is omitted. With `size`, a `Float64Array` of `size` draws (numpy's default int64
   * dtype path with masked rejection sampling).
   *
   * @throws RangeError when the bounds are not safe integers or `low >= high`.
   */
  randint(low: number, high?: number): number;
  randint(low: number, high: number | undefined, size: number): Float64Array;
  randint(low: number, high?: number, size?: number): number | Float64Array {
    const lo = high === undefined ? 0 : low;
    const hi = high === undefined ? low : high;
    const range = checkRange(lo, hi);
    if (size === undefined) return lo + this.interval(range);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`randint size must be a non-negative integer, got ${size}`);
    }
    const out = new Float64Array(size);
    this.fillRandint(lo, hi, out, range);
    return out;
  }

  /**
   * Fills `out` with draws of `randint(low, high, out.length)`, for callers that keep their
   * own buffer (e.g. bootstrap indices in an `Int32Array`).
   */
  randintInto(low: number, high: number, out: Int32Array | Uint32Array | Float64Array): void {
    this.fillRandint(low, high, out, checkRange(low, high));
  }

  private fillRandint(
    low: number,
    high: number,
    out: Int32Array | Uint32Array | Float64Array,
    range: number,
  ): void {
    if (out instanceof Int32Array && (low < -0x80000000 || high - 1 > 0x7fffffff)) {
      throw new RangeError(`randint bounds [${low}, ${high}) do not fit an Int32Array`);
    }
    if (out instanceof Uint32Array && (low < 0 || high - 1 > MAX_SEED)) {
      throw new RangeError(`randint bounds [${low}, ${high}) do not fit a Uint32Array`);
    }
    const n = out.length;
    if (range === 0) {
      out.fill(low);
    } else if (range <= MAX_SEED) {
      const mask = maskFor32(range);
      for (let i = 0; i < n; i++) out[i] = low + this.maskedUint32(range, mask);
    } else {
      for (let i = 0; i < n; i++) out[i] = low + this.maskedUint64(range);
    }
  }

  /**
   * Shuffles `x` in place as numpy's legacy `shuffle` does for a 1-d array: Fisher-Yates
   * from the last element down, swapping `x[i]` with `x[randomInterval(i)]`.
   */
  shuffle(x: ShuffleTarget): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = x[i];
      x[i] = x[j]!;
      x[j] = t!;
    }
  }

  /** numpy's legacy `permutation(n)`: `arange(n)` shuffled by {@link RandomState.shuffle}. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RangeError(`permutation length must be an integer in [0, 2**31 - 1], got ${n}`);
    }
    const arr = new Int32Array(n);
    for (let i = 0; i < n; i++) arr[i] = i;
    // The same moves as shuffle(), kept monomorphic on Int32Array for speed.
    for (let i = n - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
    return arr;
  }
}

/** Smallest all-ones mask >= v, for 0 < v <= 2**32 - 1. */
function maskFor32(v: number): number {
  let mask = v >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

/** Validates randint bounds; returns high - low - 1, numpy's inclusive range. */
function checkRange(low: number, high: number): number {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || !Number.isSafeInteger(high - low)) {
    throw new RangeError(
      `randint bounds must be safe integers with a safe difference, got low=${low}, high=${high}`,
    );
  }
  if (low >= high) throw new RangeError(`randint requires low < high, got low=${low}, high=${high}`);
  return high - low - 1;
}
