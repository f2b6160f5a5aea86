export { RandomState, SeedError, validateSeed, type ShuffleTarget } from './random/random-state.js';
export { RandomForestClassifier, deriveTreeSeeds, type ForestState } from './forest/forest.js';
export { resolveForestOptions, maxFeaturesCount, MAX_ESTIMATORS, type RandomForestOptions, type ResolvedForestOptions, type MaxFeatures, type Criterion } from './forest/options.js';
export { ForestOptionsError, ForestInputError, NotFittedError } from './forest/errors.js';
export { DecisionTree, LEAF, type TreeArrays } from './forest/tree.js';
export type { FeatureMatrix } from './forest/input.js';
