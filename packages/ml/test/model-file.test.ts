import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFittedError } from '../src/forest/errors.js';
import { RandomForestClassifier } from '../src/forest/forest.js';
import type { DecisionTree } from '../src/forest/tree.js';
import { MODEL_FORMAT, MODEL_LIMITS, ModelFileError, loadModel, parseModel, saveModel, serializeModel } from '../src/model-file.js';
import { DATASET_NAMES, loadReferenceDataset } from './helpers/reference-data.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'updraft-model-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const iris = loadReferenceDataset('iris');
const irisModel = new RandomForestClassifier({ nEstimators: 5, randomState: 3, maxDepth: 4 }).fit(iris.X, iris.y);
const irisText = serializeModel(irisModel);

type Doc = Record<string, unknown> & { trees: Array<Record<string, unknown>>; options: Record<string, unknown> };

function doc(): Doc {
  return JSON.parse(irisText) as Doc;
}

function tree0(d: Doc): Record<string, unknown> {
  return d.trees[0] as Record<string, unknown>;
}

function ints(b64: unknown): Int32Array {
  const bytes = Buffer.from(b64 as string, 'base64');
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function floats(b64: unknown): Float64Array {
  const bytes = Buffer.from(b64 as string, 'base64');
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function b64(array: Int32Array | Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

function parseError(text: string, source?: string): ModelFileError {
  try {
    parseModel(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected a ModelFileError');
}

function errorFor(mutate: (d: Doc) => void): ModelFileError {
  const d = doc();
  mutate(d);
  return parseError(JSON.stringify(d), 'model.json');
}

/** Index of the first split node whose children are both leaves, and that of a deeper split node. */
const firstTree = irisModel.trees[0] as DecisionTree;
const deepSplit = Array.from(firstTree.left).findIndex((l, i) => i > 0 && l !== -1);

describe('model files round trip', () => {
  it.each(DATASET_NAMES)('%s: a loaded model predicts exactly as the original', async (name) => {
    const data = loadReferenceDataset(name);
    const model = new RandomForestClassifier({ nEstimators: 25, randomState: 42 }).fit(data.X, data.y);
    const path = join(dir, `${name}.json`);
    await saveModel(path, model);
    const loaded = await loadModel(path);
    expect(loaded.predict(data.X)).toEqual(model.predict(data.X));
    expect(loaded.predictProba(data.X)).toEqual(model.predictProba(data.X));
    expect(loaded.classes).toEqual(model.classes);
    expect(loaded.nFeaturesIn).toBe(model.nFeaturesIn);
    expect(loaded.featureImportances).toEqual(model.featureImportances);
    expect(loaded.options).toEqual(model.options);
    expect(serializeModel(loaded)).toBe(readFileSync(path, 'utf8'));
  });

  it('saving the same model twice gives byte-identical files', async () => {
    await saveModel(join(dir, 'a.json'), irisModel);
    await saveModel(join(dir, 'b.json'), irisModel);
    expect(readFileSync(join(dir, 'a.json')).equals(readFileSync(join(dir, 'b.json')))).toBe(true);
    // The same seed refit gives the same bytes too.
    const again = new RandomForestClassifier({ nEstimators: 5, randomState: 3, maxDepth: 4 }).fit(iris.X, iris.y);
    expect(serializeModel(again)).toBe(irisText);
  });

  it('stores trees as little-endian typed arrays in base64, not nested nodes', () => {
    const d = doc();
    expect(d.format).toBe(MODEL_FORMAT);
    expect(d.version).toBe(2);
    expect(d.nFeatures).toBe(4);
    expect(d.classes).toEqual([0, 1, 2]);
    const t = tree0(d);
    expect(Object.keys(t)).toEqual(['nodeCount', 'feature', 'threshold', 'left', 'right', 'values']);
    expect(t.nodeCount).toBe(firstTree.nodeCount);
    const leftBytes = Buffer.from(t.left as string, 'base64');
    expect(leftBytes.length).toBe(4 * firstTree.nodeCount);
    for (let i = 0; i < firstTree.nodeCount; i++) expect(leftBytes.readInt32LE(4 * i)).toBe(firstTree.left[i]);
    const thresholdBytes = Buffer.from(t.threshold as string, 'base64');
    for (let i = 0; i < firstTree.nodeCount; i++) expect(thresholdBytes.readDoubleLE(8 * i)).toBe(firstTree.threshold[i]);
    expect(Array.from(floats(t.values))).toEqual(Array.from(firstTree.values));
  });

  it('keeps numeric labels of any kind and a null randomState', () => {
    const model = new RandomForestClassifier({ nEstimators: 3, maxFeatures: 0.5 }).fit(iris.X, iris.y.map((c) => [-2.5, 0, 1e6][c] as number));
    const loaded = parseModel(serializeModel(model));
    expect(loaded.classes).toEqual([-2.5, 0, 1e6]);
    expect(loaded.options.randomState).toBeNull();
    expect(loaded.options.maxFeatures).toBe(0.5);
    expect(loaded.predict(iris.X)).toEqual(model.predict(iris.X));
  });
});

describe('atomic saving', () => {
  it('replaces an existing model and leaves no temporary file', async () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, 'old');
    await saveModel(path, irisModel);
    expect(readFileSync(path, 'utf8')).toBe(irisText);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('leaves an existing model untouched when the model cannot be serialised', async () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, irisText);
    await expect(saveModel(path, new RandomForestClassifier())).rejects.toBeInstanceOf(NotFittedError);
    expect(readFileSync(path, 'utf8')).toBe(irisText);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('removes the temporary file when the rename fails', async () => {
    const path = join(dir, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), 'x');
    const error = await saveModel(path, irisModel).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).file).toBe(path);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(path)).toEqual(['keep']);
  });

  it('names the file when its folder does not exist', async () => {
    const path = join(dir, 'missing', 'model.json');
    const error = await saveModel(path, irisModel).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).message).toContain(path);
  });
});

describe('loading validates strictly', () => {
  it('names the file in errors from loadModel, including a missing file', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, irisText.replace('"version": 2', '"version": 3'));
    const error = await loadModel(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error).toMatchObject({ file: path, field: 'version' });
    expect((error as Error).message).toContain(path);
    await expect(loadModel(join(dir, 'none.json'))).rejects.toMatchObject({ name: 'ModelFileError', field: '' });
  });

  it('rejects text that is not a JSON object', () => {
    expect(parseError('{"format":').field).toBe('');
    expect(parseError('[1,2]').field).toBe('');
    expect(parseError('null').field).toBe('');
  });

  it.each<[string, (d: Doc) => void, string]>([
    ['an unknown top-level key', (d) => (d.extra = 1), 'extra'],
    ['an unknown option', (d) => (d.options.seed = 1), 'options.seed'],
    ['an unknown tree key', (d) => (tree0(d).children = []), 'trees[0].children'],
    ['a __proto__ key', (d) => Object.defineProperty(d, '__proto__', { value: { polluted: true }, enumerable: true }), '__proto__'],
    ['another format', (d) => (d.format = 'sklearn.pickle'), 'format'],
    ['another version', (d) => (d.version = 3), 'version'],
    ['a missing field', (d) => delete d.classes, 'classes'],
    ['a string for a number', (d) => (d.nFeatures = '4'), 'nFeatures'],
    ['a string class label', (d) => ((d.classes as unknown[])[1] = 'versicolor'), 'classes[1]'],
    ['classes out of order', (d) => (d.classes = [0, 2, 1]), 'classes[2]'],
    ['a bad criterion', (d) => (d.options.criterion = 'mse'), 'options.criterion'],
    ['a fractional minSamplesLeaf', (d) => (d.options.minSamplesLeaf = 1.5), 'options.minSamplesLeaf'],
    ['maxFeatures above nFeatures', (d) => (d.options.maxFeatures = 9), 'options.maxFeatures'],
    ['tree count unlike nEstimators', (d) => (d.options.nEstimators = 6), 'trees'],
    ['importances of the wrong length', (d) => (d.featureImportances = [0.5, 0.5]), 'featureImportances'],
    ['an importance above 1', (d) => ((d.featureImportances as number[])[0] = 2), 'featureImportances[0]'],
    ['invalid base64', (d) => (tree0(d).left = '!!!!'), 'trees[0].left'],
    ['base64 shorter than nodeCount', (d) => (tree0(d).threshold = b64(floats(tree0(d).threshold).subarray(1))), 'trees[0].threshold'],
    ['nodeCount above the limit', (d) => (tree0(d).nodeCount = MODEL_LIMITS.maxNodesPerTree + 1), 'trees[0].nodeCount'],
    ['nodeCount of zero', (d) => (tree0(d).nodeCount = 0), 'trees[0].nodeCount'],
    [
      'a child index out of range',
      (d) => {
        const left = ints(tree0(d).left);
        left[0] = left.length;
        tree0(d).left = b64(left);
      },
      'trees[0].left[0]',
    ],
    [
      'a child pointing back (a cycle)',
      (d) => {
        const right = ints(tree0(d).right);
        right[deepSplit] = 0;
        tree0(d).right = b64(right);
      },
      `trees[0].right[${deepSplit}]`,
    ],
    [
      'both children the same node',
      (d) => {
        const left = ints(tree0(d).left);
        const right = ints(tree0(d).right);
        right[0] = left[0] as number;
        tree0(d).right = b64(right);
      },
      'trees[0].right[0]',
    ],
    [
      'a feature index >= nFeatures',
      (d) => {
        const feature = ints(tree0(d).feature);
        feature[0] = 4;
        tree0(d).feature = b64(feature);
      },
      'trees[0].feature[0]',
    ],
    [
      'a NaN threshold',
      (d) => {
        const threshold = floats(tree0(d).threshold);
        threshold[0] = Number.NaN;
        tree0(d).threshold = b64(threshold);
      },
      'trees[0].threshold[0]',
    ],
    ['class fractions for another number of classes', (d) => (d.classes = [0, 1]), 'trees[0].values'],
    [
      'class fractions not summing to 1',
      (d) => {
        const values = floats(tree0(d).values);
        values[0] = (values[0] as number) + 0.25;
        values[1] = Math.min(1, (values[1] as number) + 0.25);
        tree0(d).values = b64(values);
      },
      'trees[0].values[0]',
    ],
  ])('rejects %s at %s', (_, mutate, field) => {
    const error = errorFor(mutate);
    expect(error.field).toBe(field);
    expect(error.file).toBe('model.json');
    expect(error.message).toContain(`model.json: ${field}`);
    expect(error.expected.length).toBeGreaterThan(0);
  });

  it('rejects more trees than the limit before decoding any', () => {
    const d = doc();
    d.trees = new Array<Record<string, unknown>>(MODEL_LIMITS.maxTrees + 1).fill(tree0(d));
    const error = parseError(JSON.stringify(d));
    expect(error.field).toBe('trees');
    expect(error.expected).toContain(String(MODEL_LIMITS.maxTrees));
  });

  it('leaves Object.prototype alone and runs nothing from the file', () => {
    parseError(irisText.replace('"format"', '"__proto__": {"polluted": true}, "format"'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const source = readFileSync(new URL('../src/model-file.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/\beval\s*\(|new Function|\bimport\s*\(|require\s*\(/);
  });
});
