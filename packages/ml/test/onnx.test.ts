import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { NotFittedError } from '../src/forest/errors.js';
import { RandomForestClassifier } from '../src/forest/forest.js';
import { Prng } from '../src/forest/prng.js';
import { OnnxExportError, exportOnnx, resolveExportOnnxOptions, saveOnnx } from '../src/onnx/export.js';
import { ModelProto } from '../src/onnx/schema.js';
import { splitFixture } from './helpers/model-fixtures.js';
import { DATASET_NAMES, loadReferenceDataset, take } from './helpers/reference-data.js';

const sessions: ort.InferenceSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.release()));
});

interface OnnxOutput {
  readonly labels: Array<number | string>;
  readonly probabilities: number[][];
}

async function runOnnx(model: Uint8Array | string, X: number[][], names = { input: 'X', label: 'label', probabilities: 'probabilities' }): Promise<OnnxOutput> {
  const session = await ort.InferenceSession.create(model as Uint8Array);
  sessions.push(session);
  const nFeatures = (X[0] as number[]).length;
  const out = await session.run({ [names.input]: new ort.Tensor('float32', Float32Array.from(X.flat()), [X.length, nFeatures]) });
  const label = out[names.label] as ort.Tensor;
  const proba = out[names.probabilities] as ort.Tensor;
  const nClasses = proba.dims[1] as number;
  const data = proba.data as Float32Array;
  return {
    labels: Array.from(label.data as ArrayLike<bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
    probabilities: X.map((_, i) => Array.from(data.subarray(i * nClasses, (i + 1) * nClasses))),
  };
}

function expectSameAsForest(model: RandomForestClassifier, X: number[][], onnx: OnnxOutput, labelOf: (c: number) => number | string = (c) => c): void {
  expect(onnx.labels).toEqual(model.predict(X).map(labelOf));
  const proba = model.predictProba(X);
  proba.forEach((row, i) => row.forEach((p, k) => expect(Math.abs(p - (onnx.probabilities[i]?.[k] as number))).toBeLessThanOrEqual(1e-5)));
}

describe('exportOnnx run by onnxruntime-node', () => {
  it.each(DATASET_NAMES)('%s: the default forest (100 trees, seed 42) gives the same labels on every test row, probabilities within 1e-5', async (name) => {
    const data = loadReferenceDataset(name);
    const split = splitFixture(name);
    const train = take(data, split.train);
    const test = take(data, split.test);
    const model = new RandomForestClassifier({ nEstimators: 100, randomState: 42 }).fit(train.X, train.y);
    const onnx = await runOnnx(exportOnnx(model), test.X);
    expectSameAsForest(model, test.X, onnx);
    // Training rows too: many more rows, and every one of them sits on the training side of the thresholds.
    expectSameAsForest(model, train.X, await runOnnx(exportOnnx(model), train.X));
  });

  it('two classes with ties, near-threshold values and labels that are not 0 and 1', async () => {
    const rng = new Prng(12);
    const X = Array.from({ length: 600 }, () => [rng.below(7), rng.nextUint32() / 2 ** 32, (rng.nextUint32() / 2 ** 32) * 1e-3]);
    const y = X.map(([a, b, c]) => ((a as number) + 4 * (b as number) + 1000 * (c as number) + 0.8 * (rng.nextUint32() / 2 ** 32) > 5 ? 7 : -2));
    const model = new RandomForestClassifier({ nEstimators: 30, randomState: 3, maxDepth: 6 }).fit(X.slice(0, 400), y.slice(0, 400));
    // Rows exactly on and next to every threshold of the first tree, as well as fresh rows.
    const probes = X.slice(400).map((r) => [...r]);
    const tree = model.trees[0];
    tree?.threshold.forEach((t, node) => {
      const f = tree.feature[node] as number;
      if (f < 0) return;
      for (const v of [t, t * (1 + 1e-7), t * (1 - 1e-7)]) probes.push([0.5, 0.5, 5e-4].map((d, j) => (j === f ? v : d)));
    });
    expectSameAsForest(model, probes, await runOnnx(exportOnnx(model), probes));
  });

  it('labels that are not integers become string labels', async () => {
    const data = loadReferenceDataset('iris');
    const names = [-1.5, 0.25, 10];
    const y = data.y.map((c) => names[c] as number);
    const model = new RandomForestClassifier({ nEstimators: 20, randomState: 1 }).fit(data.X, y);
    const onnx = await runOnnx(exportOnnx(model), data.X);
    expectSameAsForest(model, data.X, onnx, String);
  });

  it('an exact-splitter forest on float32 data agrees too (thresholds are floored to float32)', async () => {
    const data = loadReferenceDataset('wine');
    const X = data.X.map((r) => r.map(Math.fround));
    const model = new RandomForestClassifier({ nEstimators: 25, randomState: 6, splitter: 'exact' }).fit(X, data.y);
    expectSameAsForest(model, X, await runOnnx(exportOnnx(model), X));
  });

  it('saveOnnx writes the model atomically, with the names asked for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-onnx-'));
    try {
      const data = loadReferenceDataset('iris');
      const model = new RandomForestClassifier({ nEstimators: 10, randomState: 2 }).fit(data.X, data.y);
      const path = join(dir, 'model.onnx');
      const options = { inputName: 'features', labelName: 'species', probabilitiesName: 'scores', graphName: 'iris' };
      await saveOnnx(path, model, options);
      expect(readdirSync(dir)).toEqual(['model.onnx']);
      expect(readFileSync(path).equals(Buffer.from(exportOnnx(model, options)))).toBe(true);
      expectSameAsForest(model, data.X, await runOnnx(path, data.X, { input: 'features', label: 'species', probabilities: 'scores' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('exportOnnx structure and errors', () => {
  const data = loadReferenceDataset('iris');
  const model = new RandomForestClassifier({ nEstimators: 5, randomState: 4 }).fit(data.X, data.y);

  it('writes one TreeEnsembleClassifier node with every tree node and float32 thresholds', () => {
    const decoded = ModelProto.toObject(ModelProto.decode(exportOnnx(model)), { longs: Number }) as {
      irVersion: number;
      opsetImport: Array<{ domain?: string; version: number }>;
      graph: { node: Array<{ opType: string; domain: string; attribute: Array<{ name: string; ints?: number[]; floats?: number[] }> }> };
    };
    expect(decoded.irVersion).toBeGreaterThanOrEqual(3);
    expect(decoded.opsetImport.map((o) => o.domain ?? '')).toContain('ai.onnx.ml');
    const [node] = decoded.graph.node;
    expect(node?.opType).toBe('TreeEnsembleClassifier');
    expect(node?.domain).toBe('ai.onnx.ml');
    const attribute = (name: string): { ints?: number[]; floats?: number[] } | undefined => node?.attribute.find((a) => a.name === name);
    const nNodes = model.trees.reduce((n, t) => n + t.nodeCount, 0);
    expect(attribute('nodes_nodeids')?.ints).toHaveLength(nNodes);
    expect(attribute('classlabels_int64s')?.ints).toEqual([0, 1, 2]);
    const thresholds = model.trees.flatMap((t) => Array.from(t.threshold));
    expect(attribute('nodes_values')?.floats).toEqual(thresholds);
  });

  it('is deterministic', () => {
    expect(Buffer.from(exportOnnx(model)).equals(Buffer.from(exportOnnx(model)))).toBe(true);
  });

  it('rejects an unfitted forest, a forest of one class and bad options', () => {
    expect(() => exportOnnx(new RandomForestClassifier())).toThrow(NotFittedError);
    const single = new RandomForestClassifier({ nEstimators: 2 }).fit([[1], [2]], [3, 3]);
    expect(() => exportOnnx(single)).toThrow(OnnxExportError);
    expect(() => resolveExportOnnxOptions({ inputName: '' })).toThrow(OnnxExportError);
    expect(() => resolveExportOnnxOptions({ labelName: 'X' })).toThrow(OnnxExportError);
    expect(() => resolveExportOnnxOptions({ opset: 9 } as never)).toThrow(OnnxExportError);
    expect(resolveExportOnnxOptions()).toEqual({ inputName: 'X', labelName: 'label', probabilitiesName: 'probabilities', graphName: 'updraft_random_forest' });
  });
});
