/**
 * A fitted forest laid out for prediction: every tree's nodes in one array, on shared memory, so that worker threads
 * read the same copy. Each node is four 32-bit slots `[feature, left, right, threshold]`: a walk step reads one
 * 16-byte record. Histogram forests have float32 thresholds, which live in the fourth slot (read through a
 * Float32Array view of the same memory); exact forests keep float64 thresholds in an array of their own. Leaves
 * hold `-1 - offset` of their class fractions in `values` in the feature slot, so a negative feature ends a walk.
 */
import { LEAF } from './tree.js';
import type { DecisionTree } from './tree.js';

export interface PackedForest {
  /** `[feature or leaf code, left, right, float32 threshold bits]` per node, trees one after another. */
  readonly links: Int32Array;
  /** Thresholds: a Float32Array view of `links` (stride 4, offset 3) or a Float64Array (stride 1). */
  readonly thresholds: Float32Array | Float64Array;
  readonly thresholdStride: number;
  readonly thresholdOffset: number;
  /** Class fractions of every leaf, `nClasses` per leaf. */
  readonly values: Float64Array;
  /** Index of each tree's root node in `links`. */
  readonly roots: Int32Array;
  readonly nClasses: number;
}

/** Packs trees for prediction; `float32` when their thresholds are float32 values (the histogram splitter). */
export function packForest(trees: readonly DecisionTree[], nClasses: number, float32: boolean): PackedForest {
  let nodes = 0;
  let leafValues = 0;
  for (const t of trees) {
    nodes += t.nodeCount;
    leafValues += t.values.length;
  }
  const linkBuffer = new SharedArrayBuffer(16 * nodes);
  const links = new Int32Array(linkBuffer);
  const thresholds = float32 ? new Float32Array(linkBuffer) : new Float64Array(new SharedArrayBuffer(8 * nodes));
  const stride = float32 ? 4 : 1;
  const offset = float32 ? 3 : 0;
  const values = new Float64Array(new SharedArrayBuffer(8 * leafValues));
  const roots = new Int32Array(new SharedArrayBuffer(4 * trees.length));
  let base = 0;
  let valueBase = 0;
  trees.forEach((t, index) => {
    roots[index] = base;
    for (let node = 0; node < t.nodeCount; node++) {
      const p = 4 * (base + node);
      if (t.left[node] === LEAF) {
        links[p] = -1 - (valueBase + (t.valueOffset[node] as number));
        continue;
      }
      links[p] = t.feature[node] as number;
      links[p + 1] = base + (t.left[node] as number);
      links[p + 2] = base + (t.right[node] as number);
      thresholds[stride * (base + node) + offset] = t.threshold[node] as number;
    }
    values.set(t.values, valueBase);
    base += t.nodeCount;
    valueBase += t.values.length;
  });
  return { links, thresholds, thresholdStride: stride, thresholdOffset: offset, values, roots, nClasses };
}

/**
 * Adds every tree's class fractions for rows `[start, end)` of row-major `X` to `out` (`nClasses` per row), tree
 * after tree, so each row's sum is added in tree order whichever thread computes it. Four rows walk a tree side by
 * side, each step picking a child by index rather than by branch, so that the processor overlaps their memory
 * loads instead of stalling on one unpredictable comparison after another.
 */
export function accumulateRows(f: PackedForest, X: Float32Array | Float64Array, nFeatures: number, start: number, end: number, out: Float64Array): void {
  const s = f.links;
  const th = f.thresholds;
  const ts = f.thresholdStride;
  const to = f.thresholdOffset;
  const F = nFeatures;
  for (let t = 0; t < f.roots.length; t++) {
    const r = f.roots[t] as number;
    const root = s[4 * r] as number;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const o = i * F;
      let q0 = r;
      let q1 = r;
      let q2 = r;
      let q3 = r;
      let f0 = root;
      let f1 = root;
      let f2 = root;
      let f3 = root;
      // A lane that reached its leaf (negative code) waits for the others: the sign bit of the AND is set only
      // when all four are leaves.
      while ((f0 & f1 & f2 & f3) >= 0) {
        if (f0 >= 0) {
          q0 = s[4 * q0 + 2 - +((X[o + f0] as number) <= (th[ts * q0 + to] as number))] as number;
          f0 = s[4 * q0] as number;
        }
        if (f1 >= 0) {
          q1 = s[4 * q1 + 2 - +((X[o + F + f1] as number) <= (th[ts * q1 + to] as number))] as number;
          f1 = s[4 * q1] as number;
        }
        if (f2 >= 0) {
          q2 = s[4 * q2 + 2 - +((X[o + 2 * F + f2] as number) <= (th[ts * q2 + to] as number))] as number;
          f2 = s[4 * q2] as number;
        }
        if (f3 >= 0) {
          q3 = s[4 * q3 + 2 - +((X[o + 3 * F + f3] as number) <= (th[ts * q3 + to] as number))] as number;
          f3 = s[4 * q3] as number;
        }
      }
      addLeaf(f, out, i, f0);
      addLeaf(f, out, i + 1, f1);
      addLeaf(f, out, i + 2, f2);
      addLeaf(f, out, i + 3, f3);
    }
    for (; i < end; i++) {
      const o = i * F;
      let q = r;
      let code = root;
      while (code >= 0) {
        q = s[4 * q + 2 - +((X[o + code] as number) <= (th[ts * q + to] as number))] as number;
        code = s[4 * q] as number;
      }
      addLeaf(f, out, i, code);
    }
  }
}

/** Adds the class fractions of the leaf with code `leafCode` (`-1 - offset`) to row `row` of `out`. */
function addLeaf(f: PackedForest, out: Float64Array, row: number, leafCode: number): void {
  const values = f.values;
  const n = f.nClasses;
  const offset = -1 - leafCode;
  const o = row * n;
  for (let k = 0; k < n; k++) out[o + k] = (out[o + k] as number) + (values[offset + k] as number);
}
