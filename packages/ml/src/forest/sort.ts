/**
 * Sorting a node's samples by one feature. Features are replaced up front by dense ranks (`ranks.ts`), so a node
 * sorts small integers: one counting-sort pass when the node's rank range is small (pixel intensities, categories),
 * an LSD radix sort for large nodes, and an introsort (median-of-three, three-way partition, heapsort fallback)
 * otherwise. Sample order among equal values is irrelevant to the split search, so no sort needs to be stable
 * across calls (the radix passes are, which they need internally).
 */

const INSERTION_THRESHOLD = 16;
const RADIX_BITS = 11;
/** Nodes at least this large use the radix sort whatever their rank range. */
const RADIX_MIN_SAMPLES = 1024;

/** Sorts `keys[start:end]` ascending with `samples[start:end]` alongside; reuses its scratch buffers. */
export class RankSorter {
  private readonly keysScratch: Int32Array;
  private readonly samplesScratch: Int32Array;
  private readonly buckets = new Int32Array(1 << RADIX_BITS);

  constructor(maxSamples: number) {
    this.keysScratch = new Int32Array(maxSamples);
    this.samplesScratch = new Int32Array(maxSamples);
  }

  /** `minKey` and `maxKey` are the smallest and largest of `keys[start:end]`. */
  sort(keys: Int32Array, samples: Int32Array, start: number, end: number, minKey: number, maxKey: number): void {
    const n = end - start;
    if (n < 2) return;
    const range = maxKey - minKey;
    if (n >= 32 && (range < 4 * n || n >= RADIX_MIN_SAMPLES)) {
      this.radixSort(keys, samples, start, end, minKey, range);
    } else {
      introsort(keys, samples, start, end, 2 * Math.floor(Math.log2(n)));
    }
  }

  private radixSort(keys: Int32Array, samples: Int32Array, start: number, end: number, minKey: number, range: number): void {
    const bits = 32 - Math.clz32(range);
    const passes = Math.max(1, Math.ceil(bits / RADIX_BITS));
    const digitBits = Math.ceil(bits / passes);
    const nBuckets = passes === 1 ? range + 1 : 1 << digitBits;
    const mask = (1 << digitBits) - 1;
    const { buckets } = this;
    let srcKeys = keys;
    let srcSamples = samples;
    let dstKeys = this.keysScratch;
    let dstSamples = this.samplesScratch;
    // Scratch buffers are indexed from 0; node buffers from `start`.
    let srcOffset = start;
    let dstOffset = 0;
    const n = end - start;
    for (let pass = 0, shift = 0; pass < passes; pass++, shift += digitBits) {
      buckets.fill(0, 0, nBuckets);
      for (let i = srcOffset; i < srcOffset + n; i++) {
        const d = (((srcKeys[i] as number) - minKey) >>> shift) & mask;
        buckets[d] = (buckets[d] as number) + 1;
      }
      let total = dstOffset;
      for (let d = 0; d < nBuckets; d++) {
        const count = buckets[d] as number;
        buckets[d] = total;
        total += count;
      }
      for (let i = srcOffset; i < srcOffset + n; i++) {
        const k = srcKeys[i] as number;
        const d = ((k - minKey) >>> shift) & mask;
        const pos = buckets[d] as number;
        buckets[d] = pos + 1;
        dstKeys[pos] = k;
        dstSamples[pos] = srcSamples[i] as number;
      }
      const keysDone = dstKeys;
      dstKeys = srcKeys;
      srcKeys = keysDone;
      const samplesDone = dstSamples;
      dstSamples = srcSamples;
      srcSamples = samplesDone;
      const offsetDone = dstOffset;
      dstOffset = srcOffset;
      srcOffset = offsetDone;
    }
    if (srcKeys !== keys) {
      keys.set(srcKeys.subarray(0, n), start);
      samples.set(srcSamples.subarray(0, n), start);
    }
  }
}

function introsort(k: Int32Array, s: Int32Array, start: number, end: number, depthLimit: number): void {
  while (end - start > INSERTION_THRESHOLD) {
    if (depthLimit === 0) {
      heapsort(k, s, start, end);
      return;
    }
    depthLimit--;
    const pivot = medianOfThree(k[start] as number, k[(start + end) >>> 1] as number, k[end - 1] as number);
    // Invariant: [start, lt) < pivot, [lt, i) == pivot, [gt, end) > pivot.
    let lt = start;
    let i = start;
    let gt = end;
    while (i < gt) {
      const x = k[i] as number;
      if (x < pivot) {
        swap(k, s, i, lt);
        lt++;
        i++;
      } else if (x > pivot) {
        gt--;
        swap(k, s, i, gt);
      } else {
        i++;
      }
    }
    // Recurse into the smaller side and loop on the larger, bounding the stack depth by log n.
    if (lt - start < end - gt) {
      introsort(k, s, start, lt, depthLimit);
      start = gt;
    } else {
      introsort(k, s, gt, end, depthLimit);
      end = lt;
    }
  }
  insertionSort(k, s, start, end);
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) {
    if (b < c) return b;
    return a < c ? c : a;
  }
  if (b < c) return a < c ? a : c;
  return b;
}

function swap(k: Int32Array, s: Int32Array, i: number, j: number): void {
  const tk = k[i] as number;
  k[i] = k[j] as number;
  k[j] = tk;
  const ts = s[i] as number;
  s[i] = s[j] as number;
  s[j] = ts;
}

function insertionSort(k: Int32Array, s: Int32Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const x = k[i] as number;
    const xs = s[i] as number;
    let j = i - 1;
    while (j >= start && (k[j] as number) > x) {
      k[j + 1] = k[j] as number;
      s[j + 1] = s[j] as number;
      j--;
    }
    k[j + 1] = x;
    s[j + 1] = xs;
  }
}

function heapsort(k: Int32Array, s: Int32Array, start: number, end: number): void {
  const n = end - start;
  for (let root = (n >>> 1) - 1; root >= 0; root--) siftDown(k, s, start, root, n);
  for (let last = n - 1; last > 0; last--) {
    swap(k, s, start, start + last);
    siftDown(k, s, start, 0, last);
  }
}

function siftDown(k: Int32Array, s: Int32Array, offset: number, root: number, n: number): void {
  for (;;) {
    let largest = root;
    const l = 2 * root + 1;
    const r = l + 1;
    if (l < n && (k[offset + l] as number) > (k[offset + largest] as number)) largest = l;
    if (r < n && (k[offset + r] as number) > (k[offset + largest] as number)) largest = r;
    if (largest === root) return;
    swap(k, s, offset + root, offset + largest);
    root = largest;
  }
}
