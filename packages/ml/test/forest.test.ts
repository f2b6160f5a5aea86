import { describe, expect, it } from 'vitest';
import { TreeBuilder } from '../src/forest/builder.js';
import { RandomForestClassifier, deriveTreeSeeds } from '../src/forest/forest.js';
import { toColumnMajor, toPredictionRows } from '../src/forest/input.js';
import { Prng } from '../src/forest/prng.js';
import { LEAF } from '../src/forest/tree.js';
import type { DecisionTree } from '../src/forest/tree.js';
import { accuracyScore, confusionMatrix } from '../src/metrics.js';
import { irisReferenceSplit, splitFixture, treeFixtures } from './helpers/model-fixtures.js';
import { loadReferenceDataset, take } from './helpers/reference-data.js';

function accuracyOn(model: RandomForestClassifier, X: number[][], y: number[]): number {
  return accuracyScore(y, model.predict(X));
}

function depthOf(tree: DecisionTree): number {
  const depth = new Int32Array(tree.nodeCount);
  let max = 0;
  for (let node = 0; node < tree.nodeCount; node++) {
    max = Math.max(max, depth[node] as number);
    if (tree.left[node] !== LEAF) {
      depth[tree.left[node] as number] = (depth[node] as number) + 1;
      depth[tree.right[node] as number] = (depth[node] as number) + 1;
    }
  }
  return max;
}

describe('RandomForestClassifier on the reference data sets', () => {
  it('iris, 80/20 split with random_state 42, 100 trees seed 42: accuracy 1.0 and the reference confusion matrix', () => {
    const ref = irisReferenceSplit();
    const iris = loadReferenceDataset('iris');
    const train = take(iris, ref.train_indices);
    const test = take(iris, ref.test_indices);
    const model = new RandomForestClassifier({ nEstimators: 100, randomState: 42 }).fit(train.X, train.y);
    const predicted = model.predict(test.X);
    expect(accuracyScore(test.y, predicted)).toBe(ref.random_forest.test_accuracy);
    expect(confusionMatrix(test.y, predicted)).toEqual(ref.random_forest.confusion_matrix);
  });

  it.each(['wine', 'breast_cancer', 'digits'] as const)(
    '%s: test accuracy within 1.5 points of scikit-learn on its own split, for gini and entropy',
    (name) => {
      const data = loadReferenceDataset(name);
      const split = splitFixture(name);
      const train = take(data, split.train);
      const test = take(data, split.test);
      for (const criterion of ['gini', 'entropy'] as const) {
        const model = new RandomForestClassifier({ randomState: 42, criterion }).fit(train.X, train.y);
        expect(Math.abs(accuracyOn(model, test.X, test.y) - split.accuracy)).toBeLessThanOrEqual(0.015);
      }
    },
  );

  it.each([
    ['iris', 0.1],
    ['wine', 0.1],
    ['breast_cancer', 0.1],
    ['digits', 0.02],
  ] as const)('%s: feature importances within %s of scikit-learn forest (its own seed-to-seed spread)', (name, tolerance) => {
    const data = loadReferenceDataset(name);
    const split = splitFixture(name);
    const train = take(data, split.train);
    const model = new RandomForestClassifier({ randomState: 42 }).fit(train.X, train.y);
    const ours = model.featureImportances;
    expect(ours).toHaveLength(split.feature_importances.length);
    expect(ours.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    ours.forEach((v, f) => expect(Math.abs(v - (split.feature_importances[f] as number))).toBeLessThan(tolerance));
  });

  it('forest importances are the per-tree normalised importances averaged, then renormalised', () => {
    const data = loadReferenceDataset('wine');
    const model = new RandomForestClassifier({ nEstimators: 6, maxDepth: 3, randomState: 11, splitter: 'exact' }).fit(data.X, data.y);
    const matrix = toColumnMajor(data.X);
    const builder = new TreeBuilder(
      { columns: matrix.values, nSamples: matrix.nSamples, nFeatures: matrix.nFeatures, yIndex: Int32Array.from(data.y), nClasses: 3 },
      { maxFeatures: 3, maxDepth: 3, minSamplesSplit: 2, minSamplesLeaf: 1, criterion: 'gini', bootstrap: true },
    );
    const mean = new Array<number>(13).fill(0);
    for (const seed of deriveTreeSeeds(11, 6)) {
      const { importances } = builder.build(seed);
      expect(importances.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      importances.forEach((v, f) => (mean[f] = (mean[f] as number) + v / 6));
    }
    const sum = mean.reduce((a, b) => a + b, 0);
    model.featureImportances.forEach((v, f) => expect(v).toBeCloseTo((mean[f] as number) / sum, 12));
  });
});

describe('CART trees (exact splitter)', () => {
  it.each(treeFixtures().map((f) => [`${f.dataset} ${f.criterion} depth ${f.max_depth} leaf ${f.min_samples_leaf} split ${f.min_samples_split}`, f] as const))(
    'a single tree on all features without bootstrap matches scikit-learn node for node: %s',
    (_, fixture) => {
      // scikit-learn grows on float32 data; thresholds are midpoints of those values computed in double.
      const data = loadReferenceDataset(fixture.dataset);
      const X = data.X.map((row) => row.map(Math.fround));
      const model = new RandomForestClassifier({
        nEstimators: 1,
        bootstrap: false,
        maxFeatures: null,
        criterion: fixture.criterion,
        maxDepth: fixture.max_depth,
        minSamplesLeaf: fixture.min_samples_leaf,
        minSamplesSplit: fixture.min_samples_split,
        randomState: 0,
        splitter: 'exact',
      }).fit(X, data.y);
      const tree = model.trees[0] as DecisionTree;
      const ref = fixture.tree;
      expect(Array.from(tree.feature)).toEqual(ref.feature);
      expect(Array.from(tree.left)).toEqual(ref.left);
      expect(Array.from(tree.right)).toEqual(ref.right);
      expect(Array.from(tree.threshold)).toEqual(ref.threshold);
      Array.from(tree.values).forEach((v, i) => expect(v).toBeCloseTo(ref.values[i] as number, 12));
      model.featureImportances.forEach((v, f) => expect(v).toBeCloseTo(ref.feature_importances[f] as number, 10));
    },
  );

  it('keeps drawing past constant features until it has evaluated maxFeatures non-constant ones', () => {
    // Nine constant columns and one informative one: with maxFeatures 1 the split must still be found.
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      const row = new Array<number>(10).fill(3);
      row[7] = i;
      X.push(row);
      y.push(i < 20 ? 0 : 1);
    }
    for (let seed = 0; seed < 20; seed++) {
      const model = new RandomForestClassifier({ nEstimators: 1, maxFeatures: 1, bootstrap: false, randomState: seed }).fit(X, y);
      const tree = model.trees[0] as DecisionTree;
      expect(tree.nodeCount).toBe(3);
      expect(tree.feature[0]).toBe(7);
      expect(tree.threshold[0]).toBe(19.5);
      expect(model.predict(X)).toEqual(y);
    }
  });

  it('uses the lower value as threshold when the midpoint rounds up to the upper one', () => {
    // Adjacent doubles 2^60 + 256 and 2^60 + 512: their midpoint is a tie that rounds to the upper value.
    const lo = 2 ** 60 + 256;
    const hi = 2 ** 60 + 512;
    expect(lo / 2 + hi / 2).toBe(hi);
    const model = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, randomState: 1, splitter: 'exact' }).fit([[lo], [hi]], [0, 1]);
    expect((model.trees[0] as DecisionTree).threshold[0]).toBe(lo);
    expect(model.predict([[lo], [hi]])).toEqual([0, 1]);
  });

  it('splits between the sorted values at their midpoint and treats values closer than 1e-7 as equal', () => {
    const model = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, randomState: 1 });
    model.fit([[1], [3], [2], [4]], [0, 1, 0, 1]);
    expect((model.trees[0] as DecisionTree).threshold[0]).toBe(2.5);
    model.fit([[1], [1 + 1e-9]], [0, 1]);
    expect((model.trees[0] as DecisionTree).nodeCount).toBe(1);
  });

  it('never makes a leaf with fewer than minSamplesLeaf training samples, and never splits below minSamplesSplit', () => {
    const data = loadReferenceDataset('breast_cancer');
    const model = new RandomForestClassifier({ nEstimators: 5, bootstrap: false, minSamplesLeaf: 7, minSamplesSplit: 30, randomState: 3 }).fit(
      data.X,
      data.y,
    );
    const rows = toPredictionRows(data.X, model.nFeaturesIn, false, false) as { nSamples: number; nFeatures: number; values: Float64Array };
    for (const tree of model.trees) {
      const perNode = new Array<number>(tree.nodeCount).fill(0);
      for (let i = 0; i < rows.nSamples; i++) {
        // Count every node on the path, not only the leaf.
        let node = 0;
        perNode[0] = (perNode[0] as number) + 1;
        while (tree.left[node] !== LEAF) {
          const f = tree.feature[node] as number;
          node = (rows.values[i * rows.nFeatures + f] as number) <= (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
          perNode[node] = (perNode[node] as number) + 1;
        }
      }
      for (let node = 0; node < tree.nodeCount; node++) {
        if (tree.left[node] === LEAF) expect(perNode[node]).toBeGreaterThanOrEqual(7);
        else expect(perNode[node]).toBeGreaterThanOrEqual(30);
      }
    }
  });

  it('stops at maxDepth and otherwise grows pure leaves', () => {
    const data = loadReferenceDataset('wine');
    const shallow = new RandomForestClassifier({ nEstimators: 10, maxDepth: 2, randomState: 5 }).fit(data.X, data.y);
    for (const tree of shallow.trees) expect(depthOf(tree)).toBeLessThanOrEqual(2);
    const deep = new RandomForestClassifier({ nEstimators: 10, bootstrap: false, randomState: 5 }).fit(data.X, data.y);
    expect(Math.max(...deep.trees.map(depthOf))).toBeGreaterThan(2);
    for (const tree of deep.trees) for (const v of tree.values) expect(v === 0 || v === 1).toBe(true);
    expect(deep.predict(data.X)).toEqual(data.y);
  });

  it('grows trees with thousands of leaves (past the initial leaf buffer) that fit noise exactly', () => {
    const rng = new Prng(5);
    const X = Array.from({ length: 4000 }, (_, i) => [i, rng.below(1000)]);
    const y = X.map(() => rng.below(3));
    const model = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, randomState: 2, splitter: 'exact' }).fit(X, y);
    const tree = model.trees[0] as DecisionTree;
    expect(tree.values.length / 3).toBeGreaterThan(1024);
    expect(model.predict(X)).toEqual(y);
  });

  it('bootstraps by counts: leaf fractions are multiples of 1/n, not of 1/(distinct samples drawn)', () => {
    // No split is possible on a constant feature, so the root leaf holds the bootstrap's class counts / n.
    const X = Array.from({ length: 10 }, () => [1]);
    const y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
    const fractions = new Set<number>();
    for (let seed = 0; seed < 30; seed++) {
      const tree = new RandomForestClassifier({ nEstimators: 1, randomState: seed }).fit(X, y).trees[0] as DecisionTree;
      expect(tree.nodeCount).toBe(1);
      const count = (tree.values[0] as number) * 10;
      expect(Math.abs(count - Math.round(count))).toBeLessThan(1e-9);
      fractions.add(tree.values[0] as number);
    }
    expect(fractions.size).toBeGreaterThan(2);
    const plain = new RandomForestClassifier({ nEstimators: 1, bootstrap: false }).fit(X, y).trees[0] as DecisionTree;
    expect(Array.from(plain.values)).toEqual([0.5, 0.5]);
  });
});

describe('determinism', () => {
  const data = loadReferenceDataset('wine');

  function treesOf(model: RandomForestClassifier): unknown[] {
    return model.trees.map((t) => [t.feature, t.threshold, t.left, t.right, t.values]);
  }

  it('the same randomState gives the same forest; another one a different forest', () => {
    const a = new RandomForestClassifier({ nEstimators: 20, randomState: 7 }).fit(data.X, data.y);
    const b = new RandomForestClassifier({ nEstimators: 20, randomState: 7 }).fit(data.X, data.y);
    const c = new RandomForestClassifier({ nEstimators: 20, randomState: 8 }).fit(data.X, data.y);
    expect(treesOf(a)).toEqual(treesOf(b));
    expect(a.predictProba(data.X)).toEqual(b.predictProba(data.X));
    expect(treesOf(a)).not.toEqual(treesOf(c));
  });

  it('derives every tree seed up front: trees grown alone, in any order, equal the forest trees', () => {
    const model = new RandomForestClassifier({ nEstimators: 12, randomState: 99, splitter: 'exact' }).fit(data.X, data.y);
    const matrix = toColumnMajor(data.X);
    const builder = new TreeBuilder(
      { columns: matrix.values, nSamples: matrix.nSamples, nFeatures: matrix.nFeatures, yIndex: Int32Array.from(data.y), nClasses: 3 },
      { maxFeatures: 3, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, criterion: 'gini', bootstrap: true },
    );
    const seeds = deriveTreeSeeds(99, 12);
    for (let k = 11; k >= 0; k--) {
      const alone = builder.build(seeds[k] as number).tree;
      const inForest = model.trees[k] as DecisionTree;
      expect([alone.feature, alone.threshold, alone.left, alone.right, alone.values]).toEqual([
        inForest.feature,
        inForest.threshold,
        inForest.left,
        inForest.right,
        inForest.values,
      ]);
    }
    // A larger forest with the same seed starts with the same trees.
    const larger = new RandomForestClassifier({ nEstimators: 20, randomState: 99, splitter: 'exact' }).fit(data.X, data.y);
    expect(treesOf(larger).slice(0, 12)).toEqual(treesOf(model));
  });

  it('without randomState, two fits differ', () => {
    const a = new RandomForestClassifier({ nEstimators: 5 }).fit(data.X, data.y);
    const b = new RandomForestClassifier({ nEstimators: 5 }).fit(data.X, data.y);
    expect(treesOf(a)).not.toEqual(treesOf(b));
  });
});

describe('predictions', () => {
  const iris = loadReferenceDataset('iris');

  it('accepts any numeric labels, reports them sorted, and predicts them', () => {
    const names = [10, -3, 7.5];
    const y = iris.y.map((c) => names[c] as number);
    const model = new RandomForestClassifier({ nEstimators: 10, randomState: 1 }).fit(iris.X, y);
    expect(model.classes).toEqual([-3, 7.5, 10]);
    expect(model.nFeaturesIn).toBe(4);
    expect(accuracyScore(y, model.predict(iris.X))).toBeGreaterThan(0.95);
    expect(new Set(model.predict(iris.X))).toEqual(new Set(names));
  });

  it.each(['histogram', 'exact'] as const)('%s: predictProba is the mean of the trees leaf class fractions, and predict its argmax', (splitter) => {
    const model = new RandomForestClassifier({ nEstimators: 7, maxDepth: 2, randomState: 4, splitter }).fit(iris.X, iris.y);
    const proba = model.predictProba(iris.X);
    const predicted = model.predict(iris.X);
    const rows = toPredictionRows(iris.X, 4, false, false) as { values: Float64Array };
    for (let i = 0; i < iris.X.length; i++) {
      const expected = [0, 0, 0];
      for (const tree of model.trees) {
        const offset = tree.valueOffset[tree.leafOf(rows.values, i * 4)] as number;
        for (let k = 0; k < 3; k++) expected[k] = (expected[k] as number) + (tree.values[offset + k] as number) / 7;
      }
      const row = proba[i] as number[];
      row.forEach((p, k) => expect(p).toBeCloseTo(expected[k] as number, 12));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(predicted[i]).toBe(model.classes[row.indexOf(Math.max(...row))]);
    }
  });

  it('accepts typed-array rows', () => {
    const model = new RandomForestClassifier({ nEstimators: 5, randomState: 2 }).fit(iris.X.map((r) => Float64Array.from(r)), Int32Array.from(iris.y));
    expect(model.predict(iris.X.map((r) => Float32Array.from(r)))).toEqual(model.predict(iris.X));
  });
});
