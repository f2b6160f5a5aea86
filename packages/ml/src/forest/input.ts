import { ForestInputError } from './errors.js';

/** A feature matrix: one array (or typed array) of numbers per sample. */
export type FeatureMatrix = ReadonlyArray<ArrayLike<number>>;

/** A validated feature matrix copied into one flat typed array. */
export interface DenseMatrix {
  readonly nSamples: number;
  readonly nFeatures: number;
  /** Column-major: `values[feature * nSamples + sample]` (split search reads one feature at a time). */
  readonly values: Float64Array;
}

function checkRows(X: FeatureMatrix, expectedFeatures: number | undefined): number {
  if (!Array.isArray(X)) throw new ForestInputError('X', 'an array of rows', X);
  if (X.length === 0) throw new ForestInputError('X', 'at least one row', X);
  const first: unknown = X[0];
  const nFeatures = expectedFeatures ?? rowLength(first, 0);
  if (nFeatures === 0) throw new ForestInputError('X', 'rows with at least one feature', first, 0);
  for (let i = 0; i < X.length; i++) {
    const length = rowLength(X[i], i);
    if (length !== nFeatures) {
      throw new ForestInputError('X', `a row of ${nFeatures} features (values)`, length, i);
    }
  }
  return nFeatures;
}

function rowLength(row: unknown, index: number): number {
  if (Array.isArray(row)) return row.length;
  if (ArrayBuffer.isView(row) && !(row instanceof DataView)) return (row as unknown as ArrayLike<number>).length;
  throw new ForestInputError('X', 'an array of numbers', row, index);
}

function checkCell(value: number, row: number, column: number): void {
  // `typeof` also rejects holes and non-numbers hidden in a number[] typed at compile time only.
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ForestInputError('X', 'a finite number', value, row, column);
  }
}

/** Validates training features and copies them column by column (split search reads one feature at a time). */
export function toColumnMajor(X: FeatureMatrix): DenseMatrix {
  const nFeatures = checkRows(X, undefined);
  const nSamples = X.length;
  const values = new Float64Array(nSamples * nFeatures);
  for (let i = 0; i < nSamples; i++) {
    const row = X[i] as ArrayLike<number>;
    for (let j = 0; j < nFeatures; j++) {
      const v = row[j] as number;
      checkCell(v, i, j);
      values[j * nSamples + i] = v;
    }
  }
  return { nSamples, nFeatures, values };
}

/** Row-major prediction features, in float32 when the forest's thresholds are float32. */
export interface PredictionRows {
  readonly nSamples: number;
  readonly nFeatures: number;
  readonly values: Float32Array | Float64Array;
}

/**
 * Validates prediction features and copies them row by row into a Float32Array (`float32`: the forest was grown
 * on float32 values, half the memory to stream) or a Float64Array, on shared memory when worker threads will read
 * them.
 */
export function toPredictionRows(X: FeatureMatrix, nFeatures: number, float32: boolean, sharedMemory: boolean): PredictionRows {
  checkRows(X, nFeatures);
  const length = X.length * nFeatures;
  const bytes = length * (float32 ? 4 : 8);
  const buffer = sharedMemory ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const values = float32 ? new Float32Array(buffer) : new Float64Array(buffer);
  copyRows(X, nFeatures, values);
  return { nSamples: X.length, nFeatures, values };
}

/** Validates each cell and copies it; a Float32Array rounds to float32 as it stores. */
function copyRows(X: FeatureMatrix, nFeatures: number, values: Float32Array | Float64Array): void {
  for (let i = 0; i < X.length; i++) {
    const row = X[i] as ArrayLike<number>;
    for (let j = 0; j < nFeatures; j++) {
      const v = row[j] as number;
      checkCell(v, i, j);
      values[i * nFeatures + j] = v;
    }
  }
}

/** Encoded labels: the sorted distinct classes and each sample's index into them. */
export interface EncodedLabels {
  readonly classes: Float64Array;
  readonly yIndex: Int32Array;
}

/** Validates class labels (finite numbers, one per row of X) and encodes them as indices into sorted classes. */
export function encodeLabels(y: ArrayLike<number>, nSamples: number): EncodedLabels {
  if (!Array.isArray(y) && !(ArrayBuffer.isView(y) && !(y instanceof DataView))) {
    throw new ForestInputError('y', 'an array of class labels', y);
  }
  if (y.length !== nSamples) {
    throw new ForestInputError('y', `${nSamples} labels, one per row of X`, y.length);
  }
  const seen = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ForestInputError('y', 'a finite number', v, i);
    // -0 and 0 are one class, as in numpy.
    seen.add(v === 0 ? 0 : v);
  }
  const classes = Float64Array.from(seen).sort();
  const indexOf = new Map<number, number>();
  classes.forEach((c, k) => indexOf.set(c, k));
  const yIndex = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    yIndex[i] = indexOf.get(v === 0 ? 0 : v) as number;
  }
  return { classes, yIndex };
}
