import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  loadDataset,
  resolveSplitSizes,
  shuffleSplitIndices,
  SplitError,
  stratifiedShuffleSplitIndices,
  trainTestSplit,
  trainTestSplitIndices,
  type DatasetName,
  type SplitErrorCode,
} from '../src/index.js';
import { digest, loadFixture } from './helpers/fixtures.js';

interface SplitCase {
  dataset: DatasetName | 'synthetic';
  labels?: string;
  n: number;
  seed: number | null;
  test_size: number | null;
  train_size: number | null;
  stratify: boolean;
  shuffle: boolean;
  error?: SplitErrorCode;
  n_train?: number;
  n_test?: number;
  train?: number[];
  test?: number[];
  train_head?: number[];
  test_head?: number[];
  train_sha256?: string;
  test_sha256?: string;
}

interface SplitFixture {
  cases: SplitCase[];
  labels: Record<string, number[]>;
  sizes: [number, number | null, number | null, number | SplitErrorCode, number | null][];
}

const fx = loadFixture<SplitFixture>('split.json');

function labelsFor(c: SplitCase): number[] {
  if (c.dataset === 'synthetic') return fx.labels[c.labels!]!;
  return loadDataset(c.dataset).target;
}

function optionsFor(c: SplitCase) {
  return {
    ...(c.test_size === null ? {} : { testSize: c.test_size }),
    ...(c.train_size === null ? {} : { trainSize: c.train_size }),
    ...(c.seed === null ? {} : { randomState: c.seed }),
    shuffle: c.shuffle,
    ...(c.stratify ? { stratify: labelsFor(c) } : {}),
  };
}

function caseName(c: SplitCase): string {
  const kind = c.stratify ? 'stratified' : c.shuffle ? 'shuffled' : 'unshuffled';
  return `${c.dataset}${c.labels ? `/${c.labels}` : ''} ${kind} seed=${c.seed} test=${c.test_size} train=${c.train_size}`;
}

describe('trainTestSplitIndices matches scikit-learn', () => {
  const ok = fx.cases.filter((c) => c.error === undefined);
  it.each(ok.map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
    const { train, test } = trainTestSplitIndices(c.n, optionsFor(c));
    expect(train.length).toBe(c.n_train);
    expect(test.length).toBe(c.n_test);
    if (c.train && c.test) {
      expect(Array.from(train)).toEqual(c.train);
      expect(Array.from(test)).toEqual(c.test);
    } else {
      expect(Array.from(train.subarray(0, 8))).toEqual(c.train_head);
      expect(Array.from(test.subarray(0, 8))).toEqual(c.test_head);
      expect(digest(train)).toBe(c.train_sha256);
      expect(digest(test)).toBe(c.test_sha256);
    }
  });

  const failing = fx.cases.filter((c) => c.error !== undefined);
  it.each(failing.map((c) => [caseName(c), c] as const))('%s fails as in scikit-learn', (_name, c) => {
    expect(() => trainTestSplitIndices(c.n, optionsFor(c))).toThrow(
      expect.objectContaining({ name: 'SplitError', code: c.error }),
    );
  });

  it('covers stratified and plain splits of all four data sets and the error cases', () => {
    for (const name of ['iris', 'wine', 'breast_cancer', 'digits']) {
      expect(ok.filter((c) => c.dataset === name && c.stratify).length).toBeGreaterThan(5);
      expect(ok.filter((c) => c.dataset === name && !c.stratify).length).toBeGreaterThan(5);
    }
    expect(failing.length).toBeGreaterThan(0);
  });

  it('reproduces the shared reference split of iris (test_size=0.2, random_state=42)', () => {
    const ref = JSON.parse(
      readFileSync(new URL('./fixtures/iris_split_42.json', import.meta.url), 'utf8'),
    ) as { train_indices: number[]; test_indices: number[] };
    const indices = Array.from({ length: 150 }, (_, i) => i);
    const [train, test] = trainTestSplit(indices, { testSize: 0.2, randomState: 42 });
    expect(train).toEqual(ref.train_indices);
    expect(test).toEqual(ref.test_indices);
  });
});

describe('resolveSplitSizes follows _validate_shuffle_split', () => {
  it.each(fx.sizes.map((s) => [`n=${s[0]} test=${s[1]} train=${s[2]}`, s] as const))('%s', (_name, s) => {
    const [n, testSize, trainSize, result, nTest] = s;
    const run = () => resolveSplitSizes(n, testSize ?? undefined, trainSize ?? undefined);
    if (typeof result === 'string') {
      expect(run).toThrow(expect.objectContaining({ name: 'SplitError', code: result }));
    } else {
      expect(run()).toEqual({ nTrain: result, nTest });
    }
  });
});

describe('trainTestSplit', () => {
  const X = Array.from({ length: 10 }, (_, i) => [i, i * 10]);
  const y = Array.from({ length: 10 }, (_, i) => i % 2);

  it('splits every array with the same indices, in scikit-learn order', () => {
    const { train, test } = trainTestSplitIndices(10, { testSize: 0.3, randomState: 1 });
    const f = Float64Array.from(y, (v) => v + 0.5);
    const [XTrain, XTest, yTrain, yTest, fTrain, fTest] = trainTestSplit(X, y, f, {
      testSize: 0.3,
      randomState: 1,
    });
    expect(XTrain).toEqual(Array.from(train, (i) => X[i]));
    expect(XTest).toEqual(Array.from(test, (i) => X[i]));
    expect(yTrain).toEqual(Array.from(train, (i) => y[i]));
    expect(yTest).toEqual(Array.from(test, (i) => y[i]));
    expect(fTrain).toBeInstanceOf(Float64Array);
    expect(Array.from(fTest)).toEqual(Array.from(test, (i) => f[i]));
    expectTypeOf(XTrain).toEqualTypeOf<number[][]>();
    expectTypeOf(yTest).toEqualTypeOf<number[]>();
    expectTypeOf(fTrain).toEqualTypeOf<Float64Array>();
  });

  it('uses 25% test and shuffles when called without options', () => {
    const [a, b] = trainTestSplit(y);
    expect(a.length).toBe(7);
    expect(b.length).toBe(3);
    expectTypeOf(a).toEqualTypeOf<number[]>();
  });

  it('is deterministic for a seed and different across seeds', () => {
    const run = (seed: number) => trainTestSplit(X, { randomState: seed });
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('names the argument whose length differs', () => {
    const err = catchSplitError(() => trainTestSplit(X, y.slice(1), { testSize: 0.2 }));
    expect(err.code).toBe('LENGTH_MISMATCH');
    expect(err.argument).toBe('arrays[1]');
    expect(err.message).toContain('argument 1 has 9 samples');
  });

  it('rejects stratify labels of another length, and stratify without shuffle', () => {
    expect(catchSplitError(() => trainTestSplit(X, { stratify: [0, 1] })).argument).toBe('stratify');
    const noShuffle = catchSplitError(() => trainTestSplit(X, { stratify: y, shuffle: false }));
    expect(noShuffle.code).toBe('INVALID_OPTION');
    expect(noShuffle.argument).toBe('stratify');
  });

  it('rejects no arrays, unknown options, bad seeds and NaN labels or sizes', () => {
    expect(catchSplitError(() => trainTestSplit({ testSize: 0.2 })).code).toBe('NO_ARRAYS');
    const typo = catchSplitError(() => trainTestSplit(X, { random_state: 1 } as never));
    expect([typo.code, typo.argument]).toEqual(['INVALID_OPTION', 'random_state']);
    expect(catchSplitError(() => trainTestSplit(X, { randomState: 2 ** 32 })).argument).toBe('randomState');
    expect(catchSplitError(() => trainTestSplit(X, { randomState: -1 })).argument).toBe('randomState');
    expect(catchSplitError(() => trainTestSplit(X, { testSize: Number.NaN })).argument).toBe('testSize');
    const nanLabel = catchSplitError(() => trainTestSplit(X, { stratify: [...y.slice(1), Number.NaN] }));
    expect(nanLabel.argument).toBe('stratify');
  });

  it('treats integer-valued sizes as counts and others as fractions', () => {
    expect(resolveSplitSizes(10, 1)).toEqual({ nTrain: 9, nTest: 1 });
    expect(resolveSplitSizes(10, 0.1)).toEqual({ nTrain: 9, nTest: 1 });
    expect(() => resolveSplitSizes(10, 1.5)).toThrow(SplitError);
  });

  it('exposes the ShuffleSplit and StratifiedShuffleSplit index functions', () => {
    const opts = { testSize: 0.2, randomState: 42 };
    expect(shuffleSplitIndices(150, opts)).toEqual(trainTestSplitIndices(150, opts));
    const y3 = loadDataset('iris').target;
    expect(stratifiedShuffleSplitIndices(y3, opts)).toEqual(trainTestSplitIndices(150, { ...opts, stratify: y3 }));
  });

  it('keeps class proportions when stratified', () => {
    const target = loadDataset('iris').target;
    const [yTrain, yTest] = trainTestSplit(target, { testSize: 0.2, randomState: 0, stratify: target });
    for (const cls of [0, 1, 2]) {
      expect(yTrain.filter((v) => v === cls).length).toBe(40);
      expect(yTest.filter((v) => v === cls).length).toBe(10);
    }
  });
});

function catchSplitError(fn: () => unknown): SplitError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SplitError) return err;
    throw err;
  }
  throw new Error('expected a SplitError');
}
