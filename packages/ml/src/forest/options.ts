import { ForestOptionsError } from './errors.js';

/** How many features each split considers. */
export type MaxFeatures = 'sqrt' | 'log2' | number | null;

/** Split quality measure. */
export type Criterion = 'gini' | 'entropy';

/** How split thresholds are searched. */
export type Splitter = 'histogram' | 'exact';

/** Options of `RandomForestClassifier`; names and defaults follow scikit-learn's `RandomForestClassifier`. */
export interface RandomForestOptions {
  /** Number of trees. Default 100. */
  nEstimators?: number;
  /**
   * Seed (a non-negative safe integer) making the forest reproducible. Default: none, a fresh random seed per fit.
   * The forest uses its own generator, so the same seed does not give scikit-learn's exact trees.
   */
  randomState?: number | null;
  /**
   * Features drawn as split candidates at each node: `'sqrt'` (default) or `'log2'` of the feature count, an integer
   * count >= 1, a fraction in (0, 1) of the feature count, or `null` for all features. `1` means one feature.
   */
  maxFeatures?: MaxFeatures;
  /** Train each tree on a bootstrap sample (n draws with replacement, used as sample counts). Default true. */
  bootstrap?: boolean;
  /** Maximum tree depth (root at depth 0), an integer >= 1. Default: none, grow until leaves are pure. */
  maxDepth?: number | null;
  /** Minimum distinct samples a node needs to be split, an integer >= 2. Default 2. */
  minSamplesSplit?: number;
  /** Minimum distinct samples in each leaf, an integer >= 1. Default 1. */
  minSamplesLeaf?: number;
  /** Impurity measure: `'gini'` (default) or `'entropy'`. */
  criterion?: Criterion;
  /**
   * Split search. `'histogram'` (default): each feature is rounded to float32 (as scikit-learn does) and quantised
   * once per fit into at most `maxBins` bins, and splits are searched over bin edges; thresholds are float32 values,
   * so the forest predicts exactly as its ONNX export. `'exact'`: every threshold between two distinct values of
   * a node is tried, in double precision, as scikit-learn's `BestSplitter` does (slower on large data).
   */
  splitter?: Splitter;
  /**
   * Bins per feature for the histogram splitter, an integer from 2 to 256. Default 256. A feature with at most
   * this many distinct values gets one bin per value (the split search is then as exhaustive as the exact one).
   */
  maxBins?: number;
  /**
   * Threads growing trees and predicting: an integer >= 1, or -1 for one per available CPU. Default 1 (the calling
   * thread only). Above 1, the calling thread and `nJobs - 1` worker threads of a shared pool grow the trees, and
   * share out blocks of rows to predict; the forest and its predictions are the same whatever `nJobs` is. Fits of
   * fewer than 100,000 samples times trees, and predictions of fewer than 200,000 rows times trees, use the calling
   * thread alone. Not stored in model files.
   */
  nJobs?: number;
}

/** `RandomForestOptions` with every default filled in; `null` where the option is absent. */
export interface ResolvedForestOptions {
  readonly nEstimators: number;
  readonly randomState: number | null;
  readonly maxFeatures: MaxFeatures;
  readonly bootstrap: boolean;
  readonly maxDepth: number | null;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly criterion: Criterion;
  readonly splitter: Splitter;
  readonly maxBins: number;
  readonly nJobs: number;
}

/** The most trees a forest may have; model files use the same cap. */
export const MAX_ESTIMATORS = 10_000;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'nEstimators',
  'randomState',
  'maxFeatures',
  'bootstrap',
  'maxDepth',
  'minSamplesSplit',
  'minSamplesLeaf',
  'criterion',
  'splitter',
  'maxBins',
  'nJobs',
]);

/** The largest `maxBins`: bin indices are stored in one byte. */
export const MAX_BINS = 256;

function isIntegerAtLeast(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** Validates `RandomForestOptions` and fills the defaults. Throws `ForestOptionsError` naming the bad option. */
export function resolveForestOptions(options: RandomForestOptions = {}): ResolvedForestOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ForestOptionsError('(options)', 'an options object', options);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new ForestOptionsError(key, 'no such option (unknown key)', key);
  }
  const {
    nEstimators = 100,
    randomState = null,
    maxFeatures = 'sqrt',
    bootstrap = true,
    maxDepth = null,
    minSamplesSplit = 2,
    minSamplesLeaf = 1,
    criterion = 'gini',
    splitter = 'histogram',
    maxBins = MAX_BINS,
    nJobs = 1,
  } = options;

  if (!isIntegerAtLeast(nEstimators, 1) || nEstimators > MAX_ESTIMATORS) {
    throw new ForestOptionsError('nEstimators', `an integer from 1 to ${MAX_ESTIMATORS}`, nEstimators);
  }
  if (randomState !== null && !isIntegerAtLeast(randomState, 0)) {
    throw new ForestOptionsError('randomState', 'a non-negative safe integer or null', randomState);
  }
  if (
    maxFeatures !== null &&
    maxFeatures !== 'sqrt' &&
    maxFeatures !== 'log2' &&
    !(typeof maxFeatures === 'number' && (isIntegerAtLeast(maxFeatures, 1) || (maxFeatures > 0 && maxFeatures < 1)))
  ) {
    throw new ForestOptionsError(
      'maxFeatures',
      "'sqrt', 'log2', an integer >= 1, a fraction in (0, 1) or null",
      maxFeatures,
    );
  }
  if (typeof bootstrap !== 'boolean') throw new ForestOptionsError('bootstrap', 'a boolean', bootstrap);
  if (maxDepth !== null && !isIntegerAtLeast(maxDepth, 1)) {
    throw new ForestOptionsError('maxDepth', 'an integer >= 1 or null', maxDepth);
  }
  if (!isIntegerAtLeast(minSamplesSplit, 2)) {
    throw new ForestOptionsError('minSamplesSplit', 'an integer >= 2', minSamplesSplit);
  }
  if (!isIntegerAtLeast(minSamplesLeaf, 1)) {
    throw new ForestOptionsError('minSamplesLeaf', 'an integer >= 1', minSamplesLeaf);
  }
  if (criterion !== 'gini' && criterion !== 'entropy') {
    throw new ForestOptionsError('criterion', "'gini' or 'entropy'", criterion);
  }
  if (splitter !== 'histogram' && splitter !== 'exact') {
    throw new ForestOptionsError('splitter', "'histogram' or 'exact'", splitter);
  }
  if (!isIntegerAtLeast(maxBins, 2) || maxBins > MAX_BINS) {
    throw new ForestOptionsError('maxBins', `an integer from 2 to ${MAX_BINS}`, maxBins);
  }
  if (nJobs !== -1 && !isIntegerAtLeast(nJobs, 1)) {
    throw new ForestOptionsError('nJobs', 'an integer >= 1, or -1 for one thread per CPU', nJobs);
  }
  return {
    nEstimators,
    randomState,
    maxFeatures,
    bootstrap,
    maxDepth,
    minSamplesSplit,
    minSamplesLeaf,
    criterion,
    splitter,
    maxBins,
    nJobs,
  };
}

/** The number of candidate features per split for `nFeatures` columns, as scikit-learn computes it. */
export function maxFeaturesCount(maxFeatures: MaxFeatures, nFeatures: number): number {
  if (maxFeatures === null) return nFeatures;
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (maxFeatures < 1) return Math.max(1, Math.floor(maxFeatures * nFeatures));
  if (maxFeatures > nFeatures) {
    throw new ForestOptionsError('maxFeatures', `at most the number of features (${nFeatures})`, maxFeatures);
  }
  return maxFeatures;
}
