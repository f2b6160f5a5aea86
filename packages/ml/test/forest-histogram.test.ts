import { describe, expect, it } from 'vitest';
import { binFeatures, floorToFloat32 } from '../src/forest/binning.js';
import { RandomForestClassifier } from '../src/forest/forest.js';
import { toColumnMajor } from '../src/forest/input.js';
import { Prng } from '../src/forest/prng.js';
import { LEAF } from '../src/forest/tree.js';
import { accuracyScore } from '../src/metrics.js';
import { splitFixture } from './helpers/model-fixtures.js';
import { DATASET_NAMES, loadReferenceDataset, take } from './helpers/reference-data.js';

const nextFloat32Up = (x: number): number => {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  if (x === 0) return 1.401298464324817e-45;
  i[0] = (i[0] as number) + (x > 0 ? 1 : -1);
  return f[0] as number;
};

describe('float32 bin edges', () => {
  it('floorToFloat32 gives the largest float32 at or below a double', () => {
    const rng = new Prng(3);
    const xs = [0, -0, 1, -1, 0.1, -0.1, 1e-40, -1e-40, 1e-46, -1e-46, 3.4e38, -3.4e38, 123456.789, 2 ** 24 + 1];
    for (let i = 0; i < 500; i++) xs.push(((rng.nextUint32() / 2 ** 32) - 0.5) * 10 ** ((rng.below(20)) - 10));
    for (const x of xs) {
      const f = floorToFloat32(x);
      expect(Math.fround(f)).toBe(f);
      expect(f).toBeLessThanOrEqual(x);
      expect(nextFloat32Up(f)).toBeGreaterThan(x);
    }
  });

  it('bins every value so that value <= edge[b] exactly when its bin is <= b, in float32 and in double', () => {
    const rng = new Prng(8);
    const nSamples = 3000;
    // Column 0: 2000-odd distinct doubles (quantile bins); 1: 40 values with ties; 2: a constant; 3: huge and tiny.
    const rows = Array.from({ length: nSamples }, () => [
      rng.nextUint32() / 997,
      rng.below(40) * 0.1,
      7,
      rng.below(2) === 0 ? 1e39 * rng.below(3) : -1e-30 * rng.below(3),
    ]);
    const m = toColumnMajor(rows);
    for (const maxBins of [2, 17, 256]) {
      const b = binFeatures(m.values, nSamples, 4, maxBins);
      for (let f = 0; f < 4; f++) {
        const nb = b.nBins[f] as number;
        expect(nb).toBeGreaterThanOrEqual(1);
        expect(nb).toBeLessThanOrEqual(maxBins);
        for (let e = 0; e < nb - 1; e++) {
          const edge = b.edges[f * maxBins + e] as number;
          expect(Number.isFinite(edge)).toBe(true);
          expect(Math.fround(edge)).toBe(edge);
          if (e > 0) expect(edge).toBeGreaterThan(b.edges[f * maxBins + e - 1] as number);
        }
        for (let i = 0; i < nSamples; i++) {
          const v = Math.fround(m.values[f * nSamples + i] as number);
          const bin = b.bins[f * nSamples + i] as number;
          const rank = b.ranks[f * nSamples + i] as number;
          expect(b.rankValues[(b.rankOffset[f] as number) + rank]).toBe(v === 0 ? 0 : v);
          if (bin > 0) expect(v).toBeGreaterThan(b.edges[f * maxBins + bin - 1] as number);
          if (bin < nb - 1) expect(v).toBeLessThanOrEqual(b.edges[f * maxBins + bin] as number);
        }
      }
      expect(b.nBins[1]).toBe(Math.min(40, maxBins));
      expect(b.nBins[2]).toBe(1);
    }
  });
});

describe('histogram splitter', () => {
  it.each([
    ['wine', 1],
    ['wine', 5],
    ['iris', 1],
    ['digits', 3],
  ] as const)(
    '%s (min leaf %s): with one bin per distinct value, Gini trees equal the exact splitter trees node for node',
    (name, minSamplesLeaf) => {
      const data = loadReferenceDataset(name);
      const X = data.X.map((row) => row.map(Math.fround));
      // Without bootstrap every training row is in-bag, so equal trees also route every row alike.
      const options = { nEstimators: 8, randomState: 4, minSamplesLeaf, bootstrap: false };
      const exact = new RandomForestClassifier({ ...options, splitter: 'exact' }).fit(X, data.y);
      const hist = new RandomForestClassifier({ ...options, splitter: 'histogram' }).fit(X, data.y);
      hist.trees.forEach((tree, k) => {
        const other = exact.trees[k];
        expect(Array.from(tree.feature)).toEqual(Array.from(other?.feature ?? []));
        expect(Array.from(tree.left)).toEqual(Array.from(other?.left ?? []));
        expect(Array.from(tree.values)).toEqual(Array.from(other?.values ?? []));
      });
      expect(hist.predict(X)).toEqual(exact.predict(X));
    },
  );

  it('thresholds are float32 values, and prediction rounds rows to float32 as an ONNX runtime does', () => {
    const data = loadReferenceDataset('breast_cancer');
    const model = new RandomForestClassifier({ nEstimators: 10, randomState: 1 }).fit(data.X, data.y);
    for (const tree of model.trees) for (const t of tree.threshold) expect(Math.fround(t)).toBe(t);

    const one = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, randomState: 0 }).fit([[1], [2]], [0, 1]);
    const t = (one.trees[0]?.threshold[0]) as number;
    expect(t).toBeGreaterThanOrEqual(1);
    expect(t).toBeLessThan(2);
    // Just above the threshold in double, equal to it in float32: goes left.
    const above = t + t * 2 ** -40;
    expect(Math.fround(above)).toBe(t);
    expect(one.predict([[above]])).toEqual([0]);
    const exact = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, randomState: 0, splitter: 'exact' }).fit([[1], [2]], [0, 1]);
    expect(exact.predict([[1.5 + 2 ** -40]])).toEqual([1]);
  });

  it('splits large nodes on the bin edges only', () => {
    const rng = new Prng(2);
    const X = Array.from({ length: 2000 }, () => [rng.nextUint32() / 2 ** 32, rng.nextUint32() / 2 ** 32]);
    const y = X.map(([a, b]) => ((a as number) + (b as number) > 1 ? 1 : 0));
    const model = new RandomForestClassifier({ nEstimators: 5, maxBins: 4, randomState: 3 }).fit(X, y);
    const m = toColumnMajor(X);
    const binned = binFeatures(m.values, 2000, 2, 4);
    for (const tree of model.trees) {
      const f = tree.feature[0] as number;
      expect(f).not.toBe(LEAF);
      const edges = Array.from(binned.edges.subarray(f * 4, f * 4 + (binned.nBins[f] as number) - 1));
      expect(edges).toContain(tree.threshold[0]);
    }
  });

  it.each(DATASET_NAMES)('%s: test accuracy of the default forest (seed 42) within 0.5 point of scikit-learn or better', (name) => {
    const data = loadReferenceDataset(name);
    const split = splitFixture(name);
    const train = take(data, split.train);
    const test = take(data, split.test);
    const model = new RandomForestClassifier({ nEstimators: 100, randomState: 42 }).fit(train.X, train.y);
    expect(accuracyScore(test.y, model.predict(test.X))).toBeGreaterThanOrEqual(split.accuracy - 0.005);
  });
});
