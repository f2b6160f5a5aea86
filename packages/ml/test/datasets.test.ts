import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  datasetPath,
  datasetToTable,
  formatCsv,
  loadBreastCancer,
  loadDataset,
  loadDigits,
  loadIris,
  loadWine,
  writeCsv,
  type Dataset,
  type DatasetName,
} from '../src/index.js';
import { loadFixture } from './helpers/fixtures.js';

interface DatasetFixture {
  datasets: Record<
    DatasetName,
    {
      shape: [number, number];
      feature_names: string[];
      target_names: string[];
      class_counts: number[];
      first_row: number[];
      last_row: number[];
      column_sums: number[];
      csv_sha256: string;
      csv_bytes: number;
    }
  >;
}

const fx = loadFixture<DatasetFixture>('datasets.json');
const loaders: Record<DatasetName, () => Dataset> = {
  iris: loadIris,
  wine: loadWine,
  breast_cancer: loadBreastCancer,
  digits: loadDigits,
};
const names = Object.keys(loaders) as DatasetName[];

// The shared reference folder sits beside the repository (here and in CI); the package itself never needs it.
const referenceDir = fileURLToPath(new URL('../../../../shared/reference/', import.meta.url));
const hasReference = existsSync(join(referenceDir, 'datasets'));

describe.each(names)('%s', (name) => {
  const want = fx.datasets[name];

  it('has scikit-learn shape, names, classes and values', () => {
    const ds = loaders[name]();
    expect([ds.data.length, ds.data[0]!.length]).toEqual(want.shape);
    expect(ds.target.length).toBe(want.shape[0]);
    expect(ds.featureNames).toEqual(want.feature_names);
    expect(ds.targetNames).toEqual(want.target_names);
    const counts = want.class_counts.map((_, c) => ds.target.filter((t) => t === c).length);
    expect(counts).toEqual(want.class_counts);
    expect(ds.data[0]).toEqual(want.first_row);
    expect(ds.data.at(-1)).toEqual(want.last_row);
    // Summed in row order, as numpy's sum(axis=0) does for a C-ordered array.
    const sums = want.column_sums.map((_, c) => ds.data.reduce((acc, row) => acc + row[c]!, 0));
    expect(sums).toEqual(want.column_sums);
  });

  it('formats to the exact bytes pandas writes for scikit-learn data plus target', () => {
    const text = formatCsv(datasetToTable(loaders[name]()));
    expect(Buffer.byteLength(text)).toBe(want.csv_bytes);
    expect(createHash('sha256').update(text).digest('hex')).toBe(want.csv_sha256);
  });

  it('returns fresh arrays, so callers cannot corrupt the cache', () => {
    const a = loadDataset(name);
    a.data[0]![0] = -999;
    a.data.pop();
    a.target[0] = -1;
    a.featureNames[0] = 'changed';
    a.targetNames.length = 0;
    const b = loadDataset(name);
    expect(b.data[0]![0]).toBe(want.first_row[0]);
    expect(b.data.length).toBe(want.shape[0]);
    expect(b.target[0]).not.toBe(-1);
    expect(b.featureNames[0]).toBe(want.feature_names[0]);
    expect(b.targetNames).toEqual(want.target_names);
  });

  it.skipIf(!hasReference)('equals the shared reference CSV value by value', () => {
    const lines = readFileSync(join(referenceDir, 'datasets', `${name}.csv`), 'utf8').trimEnd().split('\n');
    const ds = loaders[name]();
    expect(lines[0]).toBe([...ds.featureNames, 'target'].join(','));
    expect(lines.length - 1).toBe(ds.data.length);
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',').map(Number);
      expect(cells.slice(0, -1)).toEqual(ds.data[i]);
      expect(cells.at(-1)).toBe(ds.target[i]);
    });
  });
});

describe('shipped data', () => {
  it('lives in the package data folder', () => {
    expect(datasetPath('iris')).toBe(fileURLToPath(new URL('../data/iris.csv', import.meta.url)));
  });

  it('rejects an unknown data set name', () => {
    expect(() => loadDataset('mnist' as DatasetName)).toThrow(RangeError);
  });

  it.skipIf(!hasReference)("writes the tutorial's iris.csv byte for byte", () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-ml-iris-'));
    try {
      const path = join(dir, 'iris.csv');
      writeCsv(path, datasetToTable(loadIris()));
      expect(readFileSync(path)).toEqual(readFileSync(join(referenceDir, 'iris.csv')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the target column as asked', () => {
    const t = datasetToTable({ data: [[1, 2]], target: [0], featureNames: ['a', 'b'] }, { targetColumn: 'y' });
    expect(formatCsv(t)).toBe('a,b,y\n1.0,2.0,0\n');
    expect(() => datasetToTable({ data: [[1]], target: [], featureNames: ['a'] })).toThrow(RangeError);
  });
});
