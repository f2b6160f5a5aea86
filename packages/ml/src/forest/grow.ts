/**
 * What a tree grower needs, as plain data that can be posted to a worker thread (typed arrays, possibly on shared
 * memory), and the grower made from it on either side.
 */
import { TreeBuilder } from './builder.js';
import type { TrainingData, TreeParams } from './builder.js';
import { HistogramTreeBuilder } from './hist-builder.js';
import type { BinnedTrainingData } from './hist-builder.js';
import type { TreeArrays } from './tree.js';

/** A forest's training set and tree parameters, for one splitter. */
export type GrowSpec =
  | { readonly kind: 'histogram'; readonly data: BinnedTrainingData; readonly params: TreeParams }
  | { readonly kind: 'exact'; readonly data: TrainingData; readonly params: TreeParams };

/** One grown tree as plain arrays, with its normalised feature importances. */
export interface GrownTree extends TreeArrays {
  readonly importances: Float64Array;
}

/** Grows trees from seeds; each tree depends on its seed only. */
export interface TreeGrower {
  grow(seed: number): GrownTree;
}

/** The grower of a spec. */
export function createGrower(spec: GrowSpec): TreeGrower {
  const builder = spec.kind === 'histogram' ? new HistogramTreeBuilder(spec.data, spec.params) : new TreeBuilder(spec.data, spec.params);
  return {
    grow(seed) {
      const { tree, importances } = builder.build(seed);
      return { feature: tree.feature, threshold: tree.threshold, left: tree.left, right: tree.right, values: tree.values, importances };
    },
  };
}
