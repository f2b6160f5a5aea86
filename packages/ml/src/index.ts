export { RandomState, SeedError, validateSeed, type ShuffleTarget } from './random/random-state.js';
export { RandomForestClassifier, deriveTreeSeeds, type ForestState } from './forest/forest.js';
export { resolveForestOptions, maxFeaturesCount, MAX_ESTIMATORS, type RandomForestOptions, type ResolvedForestOptions, type MaxFeatures, type Criterion } from './forest/options.js';
export { ForestOptionsError, ForestInputError, NotFittedError } from './forest/errors.js';
export { DecisionTree, LEAF, type TreeArrays } from './forest/tree.js';
export type { FeatureMatrix } from './forest/input.js';
export { resolveSplitSizes, resolveTrainTestSplitOptions, shuffleSplitIndices, SplitError, stratifiedShuffleSplitIndices, trainTestSplit, trainTestSplitIndices, type ResolvedTrainTestSplitOptions, type SplitErrorCode, type SplitIndices, type SplitInput, type SplitPart, type TrainTestSplitOptions, type TrainTestSplitResult, type TypedArray } from './split.js';
export { CsvError, formatCsv, formatPythonFloat, parseCsv, readCsv, resolveReadCsvOptions, toXy, writeCsv, type ColumnDtype, type CsvErrorCode, type CsvErrorLocation, type CsvTable, type CsvValue, type NumericTable, type ReadCsvOptions, type ResolvedReadCsvOptions, type StringTable, type XyData } from './csv.js';
export { datasetPath, datasetToTable, loadBreastCancer, loadDataset, loadDigits, loadIris, loadWine, resolveDatasetTableOptions, type Dataset, type DatasetName, type DatasetTableOptions } from './datasets.js';
