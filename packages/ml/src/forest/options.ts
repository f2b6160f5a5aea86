import { ForestOptionsError } from './errors.js';

/** How many features each split considers. */
export type MaxFeatures = 'sqrt' | 'log2' | number | null;

/** Split quality measure. */
export type Criterion = 'gini' | 'entropy';

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
]);

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
  return { nEstimators, randomState, maxFeatures, bootstrap, maxDepth, minSamplesSplit, minSamplesLeaf, criterion };
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
