/**
 * Structural checks of tree arrays from outside (model files): everything `DecisionTree` and prediction rely on,
 * so that a tree which passes can neither loop, read out of bounds, nor return anything but class fractions.
 */
import { LEAF } from './tree.js';
import type { TreeArrays } from './tree.js';

/** Where a tree breaks an invariant, e.g. `left[5]` (empty for the tree as a whole), and what was expected. */
export interface TreeProblem {
  readonly field: string;
  readonly expected: string;
}

/** How far a leaf's class fractions may sum away from 1. */
const SUM_TOLERANCE = 1e-9;

/** The number of leaves (nodes whose `left` is `-1`). */
export function countLeaves(left: Int32Array): number {
  let leaves = 0;
  for (const l of left) if (l === LEAF) leaves++;
  return leaves;
}

/**
 * The first broken invariant of a tree, or undefined when it is valid: node 0 is the root; every child index
 * points forward (which rules out cycles) and within the tree; each node but the root is the child of exactly
 * one node; leaves have feature and both children `-1`; split features are in [0, nFeatures); thresholds are
 * finite; `values` holds `nClasses` fractions in [0, 1] per leaf, each leaf's summing to 1.
 */
export function findTreeProblem(tree: TreeArrays, nFeatures: number, nClasses: number): TreeProblem | undefined {
  const { feature, threshold, left, right, values } = tree;
  const nodeCount = feature.length;
  const hasParent = new Uint8Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    const f = feature[node] as number;
    const l = left[node] as number;
    const r = right[node] as number;
    const t = threshold[node] as number;
    if (!Number.isFinite(t)) return { field: `threshold[${node}]`, expected: 'a finite number' };
    if (l === LEAF) {
      if (r !== LEAF) return { field: `right[${node}]`, expected: '-1 at a leaf (left is -1)' };
      if (f !== LEAF) return { field: `feature[${node}]`, expected: '-1 at a leaf (left is -1)' };
      continue;
    }
    if (f < 0 || f >= nFeatures) {
      return { field: `feature[${node}]`, expected: `a feature index in [0, ${nFeatures}) at a split node` };
    }
    for (const [array, child] of [
      ['left', l],
      ['right', r],
    ] as const) {
      if (child <= node || child >= nodeCount) {
        return { field: `${array}[${node}]`, expected: `-1 or a child index in (${node}, ${nodeCount}): children point forward` };
      }
      if (hasParent[child] === 1) return { field: `${array}[${node}]`, expected: `a node that is no other node's child (${child} is)` };
      hasParent[child] = 1;
    }
  }
  for (let node = 1; node < nodeCount; node++) {
    if (hasParent[node] === 0) return { field: '', expected: `every node but the root to be a child (node ${node} is not)` };
  }
  const leaves = countLeaves(left);
  if (values.length !== leaves * nClasses) {
    return { field: 'values', expected: `${leaves * nClasses} class fractions (${leaves} leaves x ${nClasses} classes), not ${values.length}` };
  }
  for (let leaf = 0; leaf < leaves; leaf++) {
    let sum = 0;
    for (let k = 0; k < nClasses; k++) {
      const v = values[leaf * nClasses + k] as number;
      if (!(v >= 0 && v <= 1)) return { field: `values[${leaf * nClasses + k}]`, expected: 'a class fraction in [0, 1]' };
      sum += v;
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      return { field: `values[${leaf * nClasses}]`, expected: `class fractions of leaf ${leaf} summing to 1, not ${sum}` };
    }
  }
  return undefined;
}
