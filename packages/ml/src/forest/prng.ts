/**
 * The forest's own small seeded generator: xoshiro128** seeded through splitmix32. It is fast (32-bit integer
 * operations only), independent of numpy's MT19937, and fully determined by a seed, which is all the forest needs:
 * exact scikit-learn tree parity is not a goal, determinism is.
 */

const TWO_POW_32 = 4294967296;

function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/** A xoshiro128** generator. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds from any non-negative safe integer: both 32-bit halves take part, so large seeds stay distinct. */
  constructor(seed: number) {
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) >>> 0, 0x85ebca6b);
    let out: number;
    [state, out] = splitmix32(state);
    this.s0 = out;
    [state, out] = splitmix32(state);
    this.s1 = out;
    [state, out] = splitmix32(state);
    this.s2 = out;
    [, out] = splitmix32(state);
    this.s3 = out;
    // xoshiro's only bad state is all zeros; splitmix32 never yields four zeros in a row, but be explicit.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** A uniform integer in [0, n) for 0 < n <= 2^32 (multiply-shift; bias at most n / 2^32). */
  below(n: number): number {
    return Math.floor((this.nextUint32() / TWO_POW_32) * n);
  }
}
