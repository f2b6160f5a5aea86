/** Impurity-decrease feature importances of one grown tree, from its node store. */
import { LEAF } from './tree.js';

/** The nodes of a grown tree as a builder keeps them (arrays may be longer than `nodeCount`). */
export interface GrownNodes {
  readonly nodeCount: number;
  readonly feature: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Total sample weight reaching each node. */
  readonly weight: Float64Array;
  readonly impurity: Float64Array;
}

/**
 * Mean decrease in impurity per feature, each split weighted by the weight of its node, normalised to sum to 1
 * (all 0 for a tree that never split), as scikit-learn's `compute_feature_importances`.
 */
export function treeImportances(nodes: GrownNodes, nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  const { nodeCount, feature, left, right, weight, impurity } = nodes;
  for (let node = 0; node < nodeCount; node++) {
    const f = feature[node] as number;
    if (f === LEAF) continue;
    const l = left[node] as number;
    const r = right[node] as number;
    out[f] =
      (out[f] as number) +
      (weight[node] as number) * (impurity[node] as number) -
      (weight[l] as number) * (impurity[l] as number) -
      (weight[r] as number) * (impurity[r] as number);
  }
  let sum = 0;
  for (let f = 0; f < nFeatures; f++) {
    out[f] = (out[f] as number) / (weight[0] as number);
    sum += out[f] as number;
  }
  if (sum > 0) for (let f = 0; f < nFeatures; f++) out[f] = (out[f] as number) / sum;
  return out;
}
