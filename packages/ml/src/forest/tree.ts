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
}
