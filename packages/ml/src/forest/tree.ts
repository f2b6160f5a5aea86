/**
 * One fitted decision tree as a flat node store. Node 0 is the root; children always have larger indices than
 * their parent (nodes are numbered in depth-first order, left subtree first), so a walk from the root always ends.
 */

/** A leaf's marker in `feature`, `left` and `right`. */
export const LEAF = -1;

/** The typed arrays of one tree, as stored in model files. */
export interface TreeArrays {
  /** Split feature of each node; `-1` at leaves. */
  readonly feature: Int32Array;
  /** Split threshold of each node (a sample goes left when its value is `<=` it); `0` at leaves. */
  readonly threshold: Float64Array;
  /** Left child of each node; `-1` at leaves. */
  readonly left: Int32Array;
  /** Right child of each node; `-1` at leaves. */
  readonly right: Int32Array;
  /** Class fractions of the leaves, `nClasses` per leaf, leaves in node order. */
  readonly values: Float64Array;
}

/** A tree ready to predict: its arrays plus each leaf's offset into `values`. */
export class DecisionTree implements TreeArrays {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly values: Float64Array;
  /** Offset of each leaf's class fractions in `values`; `-1` for split nodes. */
  readonly valueOffset: Int32Array;
  readonly nClasses: number;

  /** Wraps arrays that are already known to form a valid tree (the builder's output or a validated model file). */
  constructor(arrays: TreeArrays, nClasses: number) {
    this.feature = arrays.feature;
    this.threshold = arrays.threshold;
    this.left = arrays.left;
    this.right = arrays.right;
    this.values = arrays.values;
    this.nClasses = nClasses;
    this.valueOffset = new Int32Array(this.feature.length).fill(-1);
    let offset = 0;
    for (let node = 0; node < this.feature.length; node++) {
      if (this.left[node] === LEAF) {
        this.valueOffset[node] = offset;
        offset += nClasses;
      }
    }
  }

  /** Number of nodes, split nodes and leaves together. */
  get nodeCount(): number {
    return this.feature.length;
  }

  /** The leaf reached by the row starting at `rowOffset` of row-major `X`. */
  leafOf(X: Float64Array, rowOffset: number): number {
    const { feature, threshold, left, right } = this;
    let node = 0;
    let f = feature[0] as number;
    while (f !== LEAF) {
      node = (X[rowOffset + f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
      f = feature[node] as number;
    }
    return node;
  }

  /**
   * Adds this tree's class fractions for each row of row-major `X` to `out` (`nClasses` per row). Four rows walk
   * the tree side by side, each step picking a child by index rather than by branch, so that the processor
   * overlaps their memory loads instead of stalling on one unpredictable comparison after another.
   */
  accumulateProba(X: Float64Array, nSamples: number, nFeatures: number, out: Float64Array): void {
    const th = this.threshold;
    const s = this.links();
    const F = nFeatures;
    const root = s[0] as number;
    let i = 0;
    for (; i + 4 <= nSamples; i += 4) {
      const o = i * F;
      let q0 = 0;
      let q1 = 0;
      let q2 = 0;
      let q3 = 0;
      let f0 = root;
      let f1 = root;
      let f2 = root;
      let f3 = root;
      // A lane that reached its leaf (negative code) waits for the others: the sign bit of the AND is set only
      // when all four are leaves.
      while ((f0 & f1 & f2 & f3) >= 0) {
        if (f0 >= 0) {
          q0 = s[4 * q0 + 2 - +((X[o + f0] as number) <= (th[q0] as number))] as number;
          f0 = s[4 * q0] as number;
        }
        if (f1 >= 0) {
          q1 = s[4 * q1 + 2 - +((X[o + F + f1] as number) <= (th[q1] as number))] as number;
          f1 = s[4 * q1] as number;
        }
        if (f2 >= 0) {
          q2 = s[4 * q2 + 2 - +((X[o + 2 * F + f2] as number) <= (th[q2] as number))] as number;
          f2 = s[4 * q2] as number;
        }
        if (f3 >= 0) {
          q3 = s[4 * q3 + 2 - +((X[o + 3 * F + f3] as number) <= (th[q3] as number))] as number;
          f3 = s[4 * q3] as number;
        }
      }
      this.addLeaf(out, i, f0);
      this.addLeaf(out, i + 1, f1);
      this.addLeaf(out, i + 2, f2);
      this.addLeaf(out, i + 3, f3);
    }
    for (; i < nSamples; i++) {
      const o = i * F;
      let q = 0;
      let f = root;
      while (f >= 0) {
        q = s[4 * q + 2 - +((X[o + f] as number) <= (th[q] as number))] as number;
        f = s[4 * q] as number;
      }
      this.addLeaf(out, i, f);
    }
  }

  /** Adds the class fractions of the leaf with code `leafCode` (`-1 - valueOffset`) to row `row` of `out`. */
  private addLeaf(out: Float64Array, row: number, leafCode: number): void {
    const { values, nClasses } = this;
    const offset = -1 - leafCode;
    const o = row * nClasses;
    for (let k = 0; k < nClasses; k++) out[o + k] = (out[o + k] as number) + (values[offset + k] as number);
  }

  private linkTable: Int32Array | undefined;

  /**
   * `[feature, left, right, 0]` per node, so that `4 * node + 2 - (goesLeft ? 1 : 0)` indexes the child;
   * `[-1 - valueOffset, 0, 0, 0]` at leaves. Made on first use.
   */
  private links(): Int32Array {
    if (this.linkTable !== undefined) return this.linkTable;
    const n = this.feature.length;
    const links = new Int32Array(4 * n);
    for (let node = 0; node < n; node++) {
      const p = 4 * node;
      if (this.left[node] === LEAF) {
        links[p] = -1 - (this.valueOffset[node] as number);
        continue;
      }
      links[p] = this.feature[node] as number;
      links[p + 1] = this.left[node] as number;
      links[p + 2] = this.right[node] as number;
    }
    this.linkTable = links;
    return links;
  }
}
