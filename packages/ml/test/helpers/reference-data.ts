/**
 * Test-only access to the shared reference data sets (scikit-learn's toy data written by pandas), with a tiny
 * parser for their plain numeric CSV: a header row, then numbers, the last column being `target`.
 */
import { readFileSync } from 'node:fs';

export const REFERENCE_DIR = '/work/shared/reference';

export const DATASET_NAMES = ['iris', 'wine', 'breast_cancer', 'digits'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface Dataset {
  readonly X: number[][];
  readonly y: number[];
}

const cache = new Map<DatasetName, Dataset>();

export function loadReferenceDataset(name: DatasetName): Dataset {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const lines = readFileSync(`${REFERENCE_DIR}/datasets/${name}.csv`, 'utf8').trimEnd().split('\n');
  const X: number[][] = [];
  const y: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map(Number);
    y.push(cells.pop() as number);
    X.push(cells);
  }
  const data = { X, y };
  cache.set(name, data);
  return data;
}

/** Rows of `data` at `indices`, in that order. */
export function take(data: Dataset, indices: readonly number[]): Dataset {
  return { X: indices.map((i) => data.X[i] as number[]), y: indices.map((i) => data.y[i] as number) };
}
