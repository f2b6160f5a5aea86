import { fileURLToPath } from 'node:url';
import { readCsv, toXy, type CsvTable, type ColumnDtype } from './csv.js';

/** A toy data set as scikit-learn's `load_*()` returns it. */
export interface Dataset {
  /** Feature rows, one per sample, in scikit-learn's row order. */
  data: number[][];
  /** Class index of each sample, into `targetNames`. */
  target: number[];
  /** Names of the features, in the order of each row of `data`. */
  featureNames: string[];
  /** Names of the classes (the digits' are `'0'` to `'9'`). */
  targetNames: string[];
}

/** The data sets shipped in the package's `data/` folder. */
export type DatasetName = 'iris' | 'wine' | 'breast_cancer' | 'digits';

const TARGET_NAMES: Record<DatasetName, readonly string[]> = {
  iris: ['setosa', 'versicolor', 'virginica'],
  wine: ['class_0', 'class_1', 'class_2'],
  breast_cancer: ['malignant', 'benign'],
  digits: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

interface CachedDataset {
  data: readonly (readonly number[])[];
  target: readonly number[];
  featureNames: readonly string[];
}

const cache = new Map<DatasetName, CachedDataset>();

/** Path of a shipped data file; `../data` is right from both `src/` and `dist/`. */
export function datasetPath(name: DatasetName): string {
  return fileURLToPath(new URL(`../data/${name}.csv`, import.meta.url));
}

/**
 * Loads a shipped data set synchronously. The file is parsed once per process; each call
 * returns fresh arrays, so changing them cannot corrupt later loads.
 *
 * @throws RangeError for an unknown name; {@link CsvError} if the shipped file is damaged.
 */
export function loadDataset(name: DatasetName): Dataset {
  const targetNames = TARGET_NAMES[name] as readonly string[] | undefined;
  if (targetNames === undefined) {
    throw new RangeError(`unknown data set ${JSON.stringify(name)}; expected one of ${Object.keys(TARGET_NAMES).join(', ')}`);
  }
  let entry = cache.get(name);
  if (entry === undefined) {
    const { X, y, featureNames } = toXy(readCsv(datasetPath(name)), 'target');
    entry = { data: X, target: y, featureNames };
    cache.set(name, entry);
  }
  return {
    data: entry.data.map((row) => row.slice()),
    target: entry.target.slice(),
    featureNames: entry.featureNames.slice(),
    targetNames: targetNames.slice(),
  };
}

/** scikit-learn's `load_iris()`: 150 samples, 4 features, 3 classes. */
export function loadIris(): Dataset {
  return loadDataset('iris');
}

/** scikit-learn's `load_wine()`: 178 samples, 13 features, 3 classes. */
export function loadWine(): Dataset {
  return loadDataset('wine');
}

/** scikit-learn's `load_breast_cancer()`: 569 samples, 30 features, 2 classes. */
export function loadBreastCancer(): Dataset {
  return loadDataset('breast_cancer');
}

/** scikit-learn's `load_digits()`: 1797 samples, 64 pixel features, 10 classes. */
export function loadDigits(): Dataset {
  return loadDataset('digits');
}

/** Options of {@link datasetToTable}. */
export interface DatasetTableOptions {
  /** Name of the column holding the target. Default: `target`. */
  targetColumn?: string;
}

/** Validates {@link DatasetTableOptions} and fills defaults. */
export function resolveDatasetTableOptions(options: DatasetTableOptions = {}): Required<DatasetTableOptions> {
  const { targetColumn = 'target' } = options;
  if (typeof targetColumn !== 'string' || targetColumn === '') {
    throw new TypeError('datasetToTable option targetColumn must be a non-empty string');
  }
  return { targetColumn };
}

/**
 * The table pandas builds with `DataFrame(data, columns=feature_names)` plus an int64
 * target column: float features, int target; {@link writeCsv} then writes what the
 * tutorial's `to_csv(index=False)` writes.
 */
export function datasetToTable(
  dataset: Pick<Dataset, 'data' | 'target' | 'featureNames'>,
  options?: DatasetTableOptions,
): CsvTable {
  const { targetColumn } = resolveDatasetTableOptions(options);
  const { data, target, featureNames } = dataset;
  if (data.length !== target.length) {
    throw new RangeError(`data has ${data.length} rows but target has ${target.length} values`);
  }
  const dtypes: ColumnDtype[] = featureNames.map((): ColumnDtype => 'float');
  dtypes.push('int');
  return {
    columns: [...featureNames, targetColumn],
    dtypes,
    rows: data.map((row, i) => [...row, target[i]!]),
  };
}
