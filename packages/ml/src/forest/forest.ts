import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { binFeatures } from './binning.js';
import type { TreeParams } from './builder.js';
import { NotFittedError } from './errors.js';
import type { GrowSpec } from './grow.js';
import { encodeLabels, toColumnMajor, toPredictionRows } from './input.js';
import type { FeatureMatrix } from './input.js';
import { maxFeaturesCount, resolveForestOptions } from './options.js';
import type { RandomForestOptions, ResolvedForestOptions } from './options.js';
import { accumulateRows, packForest } from './packed.js';
import type { PackedForest } from './packed.js';
import { growTrees, MIN_PARALLEL_PREDICT, predictOnThreads } from './pool.js';
import { Prng } from './prng.js';
import { DecisionTree } from './tree.js';
import type { TreeArrays } from './tree.js';

/** Everything a fitted forest consists of; what model files store. */
export interface ForestState {
  readonly options: ResolvedForestOptions;
  /** Sorted distinct class labels. */
  readonly classes: readonly number[];
  readonly nFeatures: number;
  readonly featureImportances: readonly number[];
  readonly trees: readonly TreeArrays[];
}

interface Fitted {
  readonly classes: readonly number[];
  readonly nFeatures: number;
  readonly featureImportances: readonly number[];
  readonly trees: readonly DecisionTree[];
  /** The trees laid out for prediction: made by `fit`, or at the first prediction of a model read from its parts. */
  packed?: PackedForest;
}

/**
 * Per-tree seeds, all drawn from the forest seed before any tree is grown, so trees can be grown in any order (or
 * in parallel) and still give the same forest.
 */
export function deriveTreeSeeds(randomState: number, nEstimators: number): Uint32Array {
  const rng = new Prng(randomState);
  const seeds = new Uint32Array(nEstimators);
  for (let i = 0; i < nEstimators; i++) seeds[i] = rng.nextUint32();
  return seeds;
}

/**
 * A random forest classifier grown as scikit-learn's `RandomForestClassifier` grows it (CART trees on bootstrap
 * samples, a fresh random subset of features at each split), with its own seeded generator. By default splits are
 * searched on per-feature histograms of at most 256 float32 bins (exactly in small nodes); `splitter: 'exact'`
 * tries every threshold as scikit-learn's `BestSplitter` does. `nJobs > 1` grows trees on worker threads.
 */
export class RandomForestClassifier {
  /** The validated options with defaults filled in. */
  readonly options: ResolvedForestOptions;
  private fitted: Fitted | undefined;

  /** Validates the options (throws `ForestOptionsError`); the model is unfitted until `fit`. */
  constructor(options: RandomForestOptions = {}) {
    this.options = resolveForestOptions(options);
  }

  /**
   * Rebuilds a fitted forest from its parts, e.g. those read from a model file. The parts must already be
   * validated (see `parseModel`); this does not check them again.
   */
  static fromState(state: ForestState): RandomForestClassifier {
    const model = new RandomForestClassifier(state.options);
    model.fitted = {
      classes: [...state.classes],
      nFeatures: state.nFeatures,
      featureImportances: [...state.featureImportances],
      trees: state.trees.map((t) => new DecisionTree(t, state.classes.length)),
    };
    return model;
  }

  /**
   * Grows the forest on `X` (one row per sample, finite numbers) and class labels `y` (any finite numbers).
   * Throws `ForestInputError` for bad data, `ForestOptionsError` when `maxFeatures` exceeds the feature count and
   * `ForestWorkerError` when a worker thread fails.
   */
  fit(X: FeatureMatrix, y: ArrayLike<number>): this {
    const matrix = toColumnMajor(X);
    const { classes, yIndex } = encodeLabels(y, matrix.nSamples);
    const o = this.options;
    const params: TreeParams = {
      maxFeatures: maxFeaturesCount(o.maxFeatures, matrix.nFeatures),
      maxDepth: o.maxDepth ?? Infinity,
      minSamplesSplit: o.minSamplesSplit,
      minSamplesLeaf: o.minSamplesLeaf,
      criterion: o.criterion,
      bootstrap: o.bootstrap,
    };
    const common = { nSamples: matrix.nSamples, nFeatures: matrix.nFeatures, yIndex, nClasses: classes.length };
    const spec: GrowSpec =
      o.splitter === 'histogram'
        ? { kind: 'histogram', data: { ...common, ...binFeatures(matrix.values, matrix.nSamples, matrix.nFeatures, o.maxBins) }, params }
        : { kind: 'exact', data: { ...common, columns: matrix.values }, params };
    const seeds = deriveTreeSeeds(o.randomState ?? randomInt(0, 2 ** 48 - 1), o.nEstimators);
    const grown = growTrees(spec, seeds, o.nJobs === -1 ? availableParallelism() : o.nJobs);
    const trees: DecisionTree[] = [];
    const importances = new Float64Array(matrix.nFeatures);
    let nonTrivial = 0;
    for (const built of grown) {
      const tree = new DecisionTree(built, classes.length);
      trees.push(tree);
      // As scikit-learn: average over trees that split at all, then renormalise.
      if (tree.nodeCount > 1) {
        nonTrivial++;
        for (let f = 0; f < importances.length; f++) importances[f] = (importances[f] as number) + (built.importances[f] as number);
      }
    }
    let sum = 0;
    for (let f = 0; f < importances.length; f++) {
      importances[f] = nonTrivial === 0 ? 0 : (importances[f] as number) / nonTrivial;
      sum += importances[f] as number;
    }
    if (sum > 0) for (let f = 0; f < importances.length; f++) importances[f] = (importances[f] as number) / sum;
    // Laid out for prediction now, as part of the fit, rather than at the first prediction.
    const packed = packForest(trees, classes.length, o.splitter === 'histogram');
    this.fitted = { classes: Array.from(classes), nFeatures: matrix.nFeatures, featureImportances: Array.from(importances), trees, packed };
    return this;
  }

  /** Whether `fit` (or `fromState`) has run. */
  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  /** Sorted distinct class labels seen in `fit`. */
  get classes(): readonly number[] {
    return this.require('classes').classes;
  }

  /** Number of features seen in `fit`. */
  get nFeaturesIn(): number {
    return this.require('nFeaturesIn').nFeatures;
  }

  /** Mean decrease in impurity per feature, normalised per tree then averaged (sums to 1 unless no tree split). */
  get featureImportances(): readonly number[] {
    return this.require('featureImportances').featureImportances;
  }

  /** The fitted trees, in order. */
  get trees(): readonly DecisionTree[] {
    return this.require('trees').trees;
  }

  /** The parts of the fitted forest, e.g. to write a model file. */
  toState(): ForestState {
    const f = this.require('toState');
    return {
      options: this.options,
      classes: f.classes,
      nFeatures: f.nFeatures,
      featureImportances: f.featureImportances,
      trees: f.trees,
    };
  }

  /** Class probabilities per row (columns in `classes` order): the mean of the trees' leaf class fractions. */
  predictProba(X: FeatureMatrix): number[][] {
    const { sums, nClasses, nSamples } = this.probaSums(X, 'predictProba');
    const out: number[][] = [];
    for (let i = 0; i < nSamples; i++) out.push(Array.from(sums.subarray(i * nClasses, (i + 1) * nClasses)));
    return out;
  }

  /** The most probable class of each row (the first in `classes` order on a tie). */
  predict(X: FeatureMatrix): number[] {
    const { sums, nClasses, nSamples } = this.probaSums(X, 'predict');
    const classes = this.require('predict').classes;
    const out = new Array<number>(nSamples);
    for (let i = 0; i < nSamples; i++) {
      let best = 0;
      for (let k = 1; k < nClasses; k++) if ((sums[i * nClasses + k] as number) > (sums[i * nClasses + best] as number)) best = k;
      out[i] = classes[best] as number;
    }
    return out;
  }

  private probaSums(X: FeatureMatrix, member: string): { sums: Float64Array; nClasses: number; nSamples: number } {
    const f = this.require(member);
    // Histogram forests were grown on float32 values and have float32 thresholds: rows are rounded the same way.
    const float32 = this.options.splitter === 'histogram';
    const threads = this.options.nJobs === -1 ? availableParallelism() : this.options.nJobs;
    const parallel = threads > 1 && X.length * f.trees.length >= MIN_PARALLEL_PREDICT;
    const rows = toPredictionRows(X, f.nFeatures, float32, parallel);
    const nClasses = f.classes.length;
    f.packed ??= packForest(f.trees, nClasses, float32);
    const length = rows.nSamples * nClasses;
    const sums = parallel ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
    if (parallel) predictOnThreads(f.packed, rows, sums, threads);
    else accumulateRows(f.packed, rows.values, rows.nFeatures, 0, rows.nSamples, sums);
    // Divided before the argmax, as scikit-learn does, so ties resolve the same way.
    const n = f.trees.length;
    for (let i = 0; i < sums.length; i++) sums[i] = (sums[i] as number) / n;
    return { sums, nClasses, nSamples: rows.nSamples };
  }

  private require(member: string): Fitted {
    if (this.fitted === undefined) throw new NotFittedError(member);
    return this.fitted;
  }
}
