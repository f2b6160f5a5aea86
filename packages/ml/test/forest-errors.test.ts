import { describe, expect, it } from 'vitest';
import { ForestInputError, ForestOptionsError, NotFittedError } from '../src/forest/errors.js';
import { RandomForestClassifier } from '../src/forest/forest.js';
import type { FeatureMatrix } from '../src/forest/input.js';
import { maxFeaturesCount, resolveForestOptions } from '../src/forest/options.js';
import type { RandomForestOptions } from '../src/forest/options.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('RandomForestOptions', () => {
  it('fills scikit-learn defaults', () => {
    expect(resolveForestOptions()).toEqual({
      nEstimators: 100,
      randomState: null,
      maxFeatures: 'sqrt',
      bootstrap: true,
      maxDepth: null,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      criterion: 'gini',
      splitter: 'histogram',
      maxBins: 256,
      nJobs: 1,
    });
  });

  it.each<[string, RandomForestOptions]>([
    ['nEstimators', { nEstimators: 0 }],
    ['nEstimators', { nEstimators: 2.5 }],
    ['nEstimators', { nEstimators: 10_001 }],
    ['randomState', { randomState: -1 }],
    ['randomState', { randomState: 1.5 }],
    ['randomState', { randomState: 2 ** 53 }],
    ['maxFeatures', { maxFeatures: 0 }],
    ['maxFeatures', { maxFeatures: 1.5 }],
    ['maxFeatures', { maxFeatures: 'auto' as 'sqrt' }],
    ['bootstrap', { bootstrap: 'yes' as unknown as boolean }],
    ['maxDepth', { maxDepth: 0 }],
    ['minSamplesSplit', { minSamplesSplit: 1 }],
    ['minSamplesLeaf', { minSamplesLeaf: 0 }],
    ['criterion', { criterion: 'log_loss' as 'gini' }],
    ['splitter', { splitter: 'best' as 'exact' }],
    ['maxBins', { maxBins: 1 }],
    ['maxBins', { maxBins: 257 }],
    ['nJobs', { nJobs: 0 }],
    ['nJobs', { nJobs: -2 }],
    ['nJobs', { nJobs: 1.5 }],
    ['n_estimators', { n_estimators: 10 } as RandomForestOptions],
  ])('rejects a bad %s, naming it', (option, options) => {
    const error = thrown(() => new RandomForestClassifier(options));
    expect(error).toBeInstanceOf(ForestOptionsError);
    expect((error as ForestOptionsError).option).toBe(option);
    expect((error as Error).message).toContain(option);
  });

  it('resolves maxFeatures to a count as scikit-learn does', () => {
    expect(maxFeaturesCount('sqrt', 64)).toBe(8);
    expect(maxFeaturesCount('sqrt', 30)).toBe(5);
    expect(maxFeaturesCount('log2', 13)).toBe(3);
    expect(maxFeaturesCount('log2', 1)).toBe(1);
    expect(maxFeaturesCount(null, 13)).toBe(13);
    expect(maxFeaturesCount(0.5, 13)).toBe(6);
    expect(maxFeaturesCount(0.01, 13)).toBe(1);
    expect(maxFeaturesCount(1, 13)).toBe(1);
    expect(maxFeaturesCount(13, 13)).toBe(13);
  });

  it('rejects a maxFeatures count above the feature count at fit time', () => {
    const error = thrown(() => new RandomForestClassifier({ maxFeatures: 3 }).fit([[1, 2], [3, 4]], [0, 1]));
    expect(error).toBeInstanceOf(ForestOptionsError);
    expect((error as ForestOptionsError).option).toBe('maxFeatures');
  });
});

describe('bad training and prediction data', () => {
  const X = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];
  const y = [0, 1, 0];

  it.each<[string, FeatureMatrix, ArrayLike<number>, Partial<ForestInputError>]>([
    ['empty X', [], [], { field: 'X', row: undefined }],
    ['X not an array', 'abc' as unknown as FeatureMatrix, y, { field: 'X' }],
    ['a ragged row', [[1, 2], [3], [5, 6]], y, { field: 'X', row: 1 }],
    ['a row that is not an array', [[1, 2], 7 as unknown as number[], [5, 6]], y, { field: 'X', row: 1 }],
    ['rows without features', [[], [], []], y, { field: 'X', row: 0 }],
    ['NaN', [[1, 2], [3, Number.NaN], [5, 6]], y, { field: 'X', row: 1, column: 1 }],
    ['Infinity', [[1, 2], [3, 4], [-Infinity, 6]], y, { field: 'X', row: 2, column: 0 }],
    ['a string cell', [[1, '2' as unknown as number], [3, 4], [5, 6]], y, { field: 'X', row: 0, column: 1 }],
    ['fewer labels than rows', X, [0, 1], { field: 'y', row: undefined }],
    ['a NaN label', X, [0, Number.NaN, 1], { field: 'y', row: 1 }],
    ['y not an array', X, 5 as unknown as number[], { field: 'y' }],
  ])('fit rejects %s with ForestInputError naming where', (_, badX, badY, expected) => {
    const error = thrown(() => new RandomForestClassifier({ nEstimators: 2 }).fit(badX, badY));
    expect(error).toBeInstanceOf(ForestInputError);
    expect(error).toMatchObject(expected);
  });

  it('predict rejects a row with another feature count than fit saw, and bad values', () => {
    const model = new RandomForestClassifier({ nEstimators: 2, randomState: 0 }).fit(X, y);
    const wrongWidth = thrown(() => model.predict([[1, 2, 3]]));
    expect(wrongWidth).toBeInstanceOf(ForestInputError);
    expect(wrongWidth).toMatchObject({ field: 'X', row: 0 });
    expect((wrongWidth as Error).message).toContain('2 features');
    expect(thrown(() => model.predictProba([[1, 2], [Number.NaN, 1]]))).toMatchObject({ row: 1, column: 0 });
    expect(thrown(() => model.predict([]))).toBeInstanceOf(ForestInputError);
  });

  it('everything fitted throws NotFittedError before fit', () => {
    const model = new RandomForestClassifier();
    expect(model.isFitted).toBe(false);
    for (const [member, use] of [
      ['predict', () => model.predict(X)],
      ['predictProba', () => model.predictProba(X)],
      ['classes', () => model.classes],
      ['featureImportances', () => model.featureImportances],
      ['nFeaturesIn', () => model.nFeaturesIn],
      ['trees', () => model.trees],
      ['toState', () => model.toState()],
    ] as const) {
      const error = thrown(use);
      expect(error).toBeInstanceOf(NotFittedError);
      expect((error as NotFittedError).member).toBe(member);
    }
  });

  it('a single class and a single sample still fit and predict', () => {
    const one = new RandomForestClassifier({ nEstimators: 3, randomState: 0 }).fit([[1, 2]], [7]);
    expect(one.predict([[0, 0]])).toEqual([7]);
    expect(one.predictProba([[0, 0]])).toEqual([[1]]);
    expect(one.featureImportances).toEqual([0, 0]);
  });
});
