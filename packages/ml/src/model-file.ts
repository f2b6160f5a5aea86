/**
 * Random forest model files: JSON with the trees' typed arrays in little-endian base64, validated strictly on load
 * (a zod schema, then the tree invariants) and never executed. Saving is atomic: a temporary file in the same
 * folder, fsync, rename.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { ZodError } from 'zod';
import { ForestOptionsError } from './forest/errors.js';
import { RandomForestClassifier } from './forest/forest.js';
import { MAX_BINS, MAX_ESTIMATORS, maxFeaturesCount, resolveForestOptions } from './forest/options.js';
import type { ResolvedForestOptions } from './forest/options.js';
import { countLeaves, findTreeProblem } from './forest/tree-check.js';
import type { TreeArrays } from './forest/tree.js';

/** The `format` field of a random forest model file. */
export const MODEL_FORMAT = 'updraft.random_forest';
/**
 * The `version` written. Version 2 added `options.splitter` and `options.maxBins`; version 1 files (all grown by
 * the exact splitter) are still read.
 */
export const MODEL_FORMAT_VERSION = 2;

/**
 * Sizes beyond which a model file is rejected as absurd before anything large is allocated: trees per forest,
 * nodes per tree (a tree grown on n samples has at most 2n - 1), nodes over all trees, classes, features, and the
 * file's size in bytes (also about the longest string JavaScript can hold).
 */
export const MODEL_LIMITS = {
  maxTrees: MAX_ESTIMATORS,
  maxNodesPerTree: 2 ** 24,
  maxTotalNodes: 2 ** 25,
  maxClasses: 10_000,
  maxFeatures: 1_000_000,
  maxFileBytes: 512 * 1024 * 1024,
} as const;

/** A model file that cannot be read, written or accepted. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
  /** The file (or the `source` given to `parseModel`). */
  readonly file: string;
  /** Path of the offending field, e.g. `trees[3].left[17]`; empty for the file as a whole. */
  readonly field: string;
  /** What was expected there. */
  readonly expected: string;
  constructor(file: string, field: string, expected: string, options?: ErrorOptions) {
    super(`${file}${field === '' ? '' : `: ${field}`}: expected ${expected}`, options);
    this.file = file;
    this.field = field;
    this.expected = expected;
  }
}

// Base64 of n bytes has 4 * ceil(n / 3) characters; these bound each array's string before decoding.
const base64Of = (maxBytes: number): z.ZodBase64 => z.base64().max(4 * Math.ceil(maxBytes / 3));

const optionsSchema = z.strictObject({
  nEstimators: z.int().min(1).max(MAX_ESTIMATORS),
  randomState: z.int().min(0).nullable(),
  maxFeatures: z.union([z.enum(['sqrt', 'log2']), z.number().positive(), z.null()]),
  bootstrap: z.boolean(),
  maxDepth: z.int().min(1).nullable(),
  minSamplesSplit: z.int().min(2),
  minSamplesLeaf: z.int().min(1),
  criterion: z.enum(['gini', 'entropy']),
  splitter: z.enum(['histogram', 'exact']).optional(),
  maxBins: z.int().min(2).max(MAX_BINS).optional(),
});

const treeSchema = z.strictObject({
  nodeCount: z.int().min(1).max(MODEL_LIMITS.maxNodesPerTree),
  feature: base64Of(4 * MODEL_LIMITS.maxNodesPerTree),
  threshold: base64Of(8 * MODEL_LIMITS.maxNodesPerTree),
  left: base64Of(4 * MODEL_LIMITS.maxNodesPerTree),
  right: base64Of(4 * MODEL_LIMITS.maxNodesPerTree),
  values: z.base64(),
});

// `format` and `version` come first so that a file of another kind or version is reported as such.
const fileSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  version: z.union([z.literal(1), z.literal(MODEL_FORMAT_VERSION)]),
  options: optionsSchema,
  classes: z.array(z.number()).min(1).max(MODEL_LIMITS.maxClasses),
  nFeatures: z.int().min(1).max(MODEL_LIMITS.maxFeatures),
  featureImportances: z.array(z.number().min(0).max(1)).max(MODEL_LIMITS.maxFeatures),
  trees: z.array(treeSchema).min(1).max(MODEL_LIMITS.maxTrees),
});

type ModelDocument = z.infer<typeof fileSchema>;

const LITTLE_ENDIAN = endianness() === 'LE';

function encode(array: Int32Array | Float64Array): string {
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  if (LITTLE_ENDIAN) return bytes.toString('base64');
  const copy = Buffer.from(bytes);
  if (array instanceof Float64Array) copy.swap64();
  else copy.swap32();
  return copy.toString('base64');
}

/** The model as model-file text: stable key order and encoding, so the same model always gives the same bytes. */
export function serializeModel(model: RandomForestClassifier): string {
  const state = model.toState();
  const o = state.options;
  const options: ModelDocument['options'] = {
    nEstimators: o.nEstimators,
    randomState: o.randomState,
    maxFeatures: o.maxFeatures,
    bootstrap: o.bootstrap,
    maxDepth: o.maxDepth,
    minSamplesSplit: o.minSamplesSplit,
    minSamplesLeaf: o.minSamplesLeaf,
    criterion: o.criterion,
    splitter: o.splitter,
    maxBins: o.maxBins,
  };
  const document: ModelDocument = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    options,
    classes: [...state.classes],
    nFeatures: state.nFeatures,
    featureImportances: [...state.featureImportances],
    trees: state.trees.map((t) => ({
      nodeCount: t.feature.length,
      feature: encode(t.feature),
      threshold: encode(t.threshold),
      left: encode(t.left),
      right: encode(t.right),
      values: encode(t.values),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function schemaError(source: string, error: ZodError): ModelFileError {
  const issue = error.issues[0];
  if (issue === undefined) return new ModelFileError(source, '', 'a valid model file');
  const path = fieldPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return new ModelFileError(source, fieldPath([...issue.path, issue.keys[0] ?? '']), 'no such key (unknown field)');
    case 'invalid_type':
      return new ModelFileError(source, path, issue.path.length === 0 ? 'a JSON object' : `a value of type ${issue.expected}`);
    case 'invalid_value':
      return new ModelFileError(source, path, `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
    case 'invalid_format':
      return new ModelFileError(source, path, `a ${issue.format} string`);
    case 'too_big':
    case 'too_small': {
      const bound = `${issue.code === 'too_big' ? 'at most' : 'at least'} ${String(issue.code === 'too_big' ? issue.maximum : issue.minimum)}`;
      const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      return new ModelFileError(source, path, `${bound}${unit}`);
    }
    default:
      return new ModelFileError(source, path, issue.message);
  }
}

function decode<T extends Int32Array | Float64Array>(
  text: string,
  ArrayType: { new (length: number): T; readonly BYTES_PER_ELEMENT: number },
  length: number,
  fail: (expected: string) => never,
): T {
  const bytes = Buffer.from(text, 'base64');
  const expectedBytes = length * ArrayType.BYTES_PER_ELEMENT;
  if (bytes.length !== expectedBytes) {
    fail(`base64 of ${expectedBytes} bytes (${length} values of ${ArrayType.BYTES_PER_ELEMENT} bytes), not ${bytes.length} bytes`);
  }
  if (!LITTLE_ENDIAN) {
    if (ArrayType.BYTES_PER_ELEMENT === 8) bytes.swap64();
    else bytes.swap32();
  }
  const array = new ArrayType(length);
  // Copied rather than viewed: Buffer memory may be pooled and unaligned.
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

/**
 * Reads model-file text into a fitted `RandomForestClassifier`. Every field is checked (unknown keys, types,
 * format and version, sizes against `MODEL_LIMITS`, array lengths, tree structure, class fractions); the first
 * problem throws a `ModelFileError` naming `source`, the field and what was expected. Nothing in the text is run.
 */
export function parseModel(text: string, source = '<model text>'): RandomForestClassifier {
  if (typeof text !== 'string') throw new ModelFileError(source, '', 'model-file text (a string)');
  if (text.length > MODEL_LIMITS.maxFileBytes) {
    throw new ModelFileError(source, '', `at most ${MODEL_LIMITS.maxFileBytes} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(source, '', `JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw schemaError(source, parsed.error);
  const doc = parsed.data;

  let options: ResolvedForestOptions;
  try {
    // Version 1 files predate the histogram splitter; the number of threads is no property of a model.
    const { splitter = 'exact', maxBins = MAX_BINS, ...rest } = doc.options;
    if (doc.version === MODEL_FORMAT_VERSION && (doc.options.splitter === undefined || doc.options.maxBins === undefined)) {
      throw new ModelFileError(source, `options.${doc.options.splitter === undefined ? 'splitter' : 'maxBins'}`, 'a value (required since version 2)');
    }
    options = resolveForestOptions({ ...rest, splitter, maxBins });
    maxFeaturesCount(options.maxFeatures, doc.nFeatures);
  } catch (error) {
    if (error instanceof ForestOptionsError) {
      throw new ModelFileError(source, `options.${error.option}`, error.expected, { cause: error });
    }
    throw error;
  }
  for (let k = 1; k < doc.classes.length; k++) {
    if (!((doc.classes[k] as number) > (doc.classes[k - 1] as number))) {
      throw new ModelFileError(source, `classes[${k}]`, 'distinct class labels in ascending order');
    }
  }
  if (doc.featureImportances.length !== doc.nFeatures) {
    throw new ModelFileError(source, 'featureImportances', `${doc.nFeatures} values, one per feature (nFeatures)`);
  }
  if (doc.trees.length !== options.nEstimators) {
    throw new ModelFileError(source, 'trees', `${options.nEstimators} trees (options.nEstimators)`);
  }
  let totalNodes = 0;
  for (const tree of doc.trees) totalNodes += tree.nodeCount;
  if (totalNodes > MODEL_LIMITS.maxTotalNodes) {
    throw new ModelFileError(source, 'trees', `at most ${MODEL_LIMITS.maxTotalNodes} nodes in all, not ${totalNodes}`);
  }

  const nClasses = doc.classes.length;
  const trees = doc.trees.map((tree, i): TreeArrays => {
    const at = (field: string) => (expected: string): never => {
      throw new ModelFileError(source, `trees[${i}]${field === '' ? '' : `.${field}`}`, expected);
    };
    const n = tree.nodeCount;
    const left = decode(tree.left, Int32Array, n, at('left'));
    const arrays = {
      feature: decode(tree.feature, Int32Array, n, at('feature')),
      threshold: decode(tree.threshold, Float64Array, n, at('threshold')),
      left,
      right: decode(tree.right, Int32Array, n, at('right')),
      values: decode(tree.values, Float64Array, countLeaves(left) * nClasses, at('values')),
    };
    const problem = findTreeProblem(arrays, doc.nFeatures, nClasses);
    if (problem !== undefined) at(problem.field)(problem.expected);
    return arrays;
  });

  return RandomForestClassifier.fromState({
    options,
    classes: doc.classes,
    nFeatures: doc.nFeatures,
    featureImportances: doc.featureImportances,
    trees,
  });
}

/**
 * Writes `data` to `path` atomically: into a uniquely named temporary file in the same folder, flushed to disk,
 * then renamed over `path`. On any failure the temporary file is removed and an existing file at `path` is left
 * as it was. Throws `ModelFileError` (with the cause) when the file cannot be written.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  const folder = dirname(target);
  const temporary = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw new ModelFileError(path, '', `a writable file path (${(error as Error).message})`, { cause: error });
  }
  // Make the rename itself durable; some platforms cannot fsync a folder, and the file is complete regardless.
  try {
    const dir = await open(folder, 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // ignored, see above
  }
}

/**
 * Writes the fitted model to `path` atomically (see `writeFileAtomically`): a crash mid-write never leaves a
 * half-written model. Throws `ModelFileError` (with the cause) when the file cannot be written.
 */
export async function saveModel(path: string, model: RandomForestClassifier): Promise<void> {
  await writeFileAtomically(path, serializeModel(model));
}

/** Reads and validates a model file written by `saveModel` (see `parseModel`). */
export async function loadModel(path: string): Promise<RandomForestClassifier> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelFileError(path, '', 'a regular file');
    if (info.size > MODEL_LIMITS.maxFileBytes) {
      throw new ModelFileError(path, '', `a file of at most ${MODEL_LIMITS.maxFileBytes} bytes, not ${info.size}`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError(path, '', `a readable file (${(error as Error).message})`, { cause: error });
  }
  return parseModel(text, path);
}
