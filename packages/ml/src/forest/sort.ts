/**
 * In-place introsort of a node's feature values with their sample indices alongside: median-of-three pivot and
 * three-way partition (feature columns such as pixel intensities repeat values a lot), insertion sort for short
 * ranges, heapsort when recursion gets too deep. Only the values' order matters to the split search, so the
 * sort need not be stable.
 */

const INSERTION_THRESHOLD = 16;

/** Sorts `values[start:end]` ascending, applying the same permutation to `samples[start:end]`. */
export function sortWithSamples(values: Float64Array, samples: Int32Array, start: number, end: number): void {
  const n = end - start;
  if (n > 1) introsort(values, samples, start, end, 2 * Math.floor(Math.log2(n)));
}

function introsort(v: Float64Array, s: Int32Array, start: number, end: number, depthLimit: number): void {
  while (end - start > INSERTION_THRESHOLD) {
    if (depthLimit === 0) {
      heapsort(v, s, start, end);
      return;
    }
    depthLimit--;
    const pivot = medianOfThree(v[start] as number, v[(start + end) >>> 1] as number, v[end - 1] as number);
    // Invariant: [start, lt) < pivot, [lt, i) == pivot, [gt, end) > pivot.
    let lt = start;
    let i = start;
    let gt = end;
    while (i < gt) {
      const x = v[i] as number;
      if (x < pivot) {
        swap(v, s, i, lt);
        lt++;
        i++;
      } else if (x > pivot) {
        gt--;
        swap(v, s, i, gt);
      } else {
        i++;
      }
    }
    // Recurse into the smaller side and loop on the larger, bounding the stack depth by log n.
    if (lt - start < end - gt) {
      introsort(v, s, start, lt, depthLimit);
      start = gt;
    } else {
      introsort(v, s, gt, end, depthLimit);
      end = lt;
    }
  }
  insertionSort(v, s, start, end);
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) {
    if (b < c) return b;
    return a < c ? c : a;
  }
  if (b < c) return a < c ? a : c;
  return b;
}

function swap(v: Float64Array, s: Int32Array, i: number, j: number): void {
  const tv = v[i] as number;
  v[i] = v[j] as number;
  v[j] = tv;
  const ts = s[i] as number;
  s[i] = s[j] as number;
  s[j] = ts;
}

function insertionSort(v: Float64Array, s: Int32Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const x = v[i] as number;
    const xs = s[i] as number;
    let j = i - 1;
    while (j >= start && (v[j] as number) > x) {
      v[j + 1] = v[j] as number;
      s[j + 1] = s[j] as number;
      j--;
    }
    v[j + 1] = x;
    s[j + 1] = xs;
  }
}

function heapsort(v: Float64Array, s: Int32Array, start: number, end: number): void {
  const n = end - start;
  for (let root = (n >>> 1) - 1; root >= 0; root--) siftDown(v, s, start, root, n);
  for (let last = n - 1; last > 0; last--) {
    swap(v, s, start, start + last);
    siftDown(v, s, start, 0, last);
  }
}

function siftDown(v: Float64Array, s: Int32Array, offset: number, root: number, n: number): void {
  for (;;) {
    let largest = root;
    const l = 2 * root + 1;
    const r = l + 1;
    if (l < n && (v[offset + l] as number) > (v[offset + largest] as number)) largest = l;
    if (r < n && (v[offset + r] as number) > (v[offset + largest] as number)) largest = r;
    if (largest === root) return;
    swap(v, s, offset + root, offset + largest);
    root = largest;
  }
}
