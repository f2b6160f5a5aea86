/**
 * ONNX export of a fitted random forest: one `ai.onnx.ml` `TreeEnsembleClassifier` node whose class weights are
 * the leaves' class fractions divided by the number of trees, so the summed scores are the forest's
 * probabilities. Runtimes compare features with thresholds in float32; each threshold is written as the largest
 * float32 at or below it, which routes every float32 input exactly as the forest routes it (histogram forests
 * round their inputs to float32 and have float32 thresholds, so they agree on every input).
 */
import type { RandomForestClassifier } from '../forest/forest.js';
import { floorToFloat32 } from '../forest/binning.js';
import { LEAF } from '../forest/tree.js';
import { writeFileAtomically } from '../model-file.js';
import { ModelProto, ONNX_ATTRIBUTE_TYPE, ONNX_DATA_TYPE } from './schema.js';

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** Name of the input: a float32 tensor of shape `[N, nFeatures]`. Default `'X'`. */
  inputName?: string;
  /** Name of the label output, of shape `[N]`. Default `'label'`. */
  labelName?: string;
  /** Name of the probabilities output, float32 of shape `[N, nClasses]` in `classes` order. Default `'probabilities'`. */
  probabilitiesName?: string;
  /** Name of the graph. Default `'updraft_random_forest'`. */
  graphName?: string;
}

/** `ExportOnnxOptions` with every default filled in. */
export type ResolvedExportOnnxOptions = Required<ExportOnnxOptions>;

/** A model or option that cannot be exported to ONNX. */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
  /** The option concerned, or `'model'`. */
  readonly field: string;
  /** What was expected. */
  readonly expected: string;
  constructor(field: string, expected: string) {
    super(`exportOnnx: ${field}: expected ${expected}`);
    this.field = field;
    this.expected = expected;
  }
}

const DEFAULTS: ResolvedExportOnnxOptions = { inputName: 'X', labelName: 'label', probabilitiesName: 'probabilities', graphName: 'updraft_random_forest' };

/** Validates `ExportOnnxOptions` (non-empty, distinct names) and fills the defaults. Throws `OnnxExportError`. */
export function resolveExportOnnxOptions(options: ExportOnnxOptions = {}): ResolvedExportOnnxOptions {
  const resolved = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (!(key in DEFAULTS)) throw new OnnxExportError(key, 'no such option (unknown key)');
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new OnnxExportError(key, 'a non-empty string');
    resolved[key as keyof ExportOnnxOptions] = value;
  }
  const names = [resolved.inputName, resolved.labelName, resolved.probabilitiesName];
  if (new Set(names).size !== names.length) throw new OnnxExportError('labelName', 'input and output names that differ');
  return resolved;
}

/** The IR version and operator sets written; ONNX Runtime 1.10 and later read them. */
const IR_VERSION = 8;
const OPSET_ONNX = 17;
const OPSET_ML = 3;

type Attribute = Record<string, unknown>;

// Typed arrays go to the encoder as they are: it only reads `length` and indices.
const ints = (name: string, values: ArrayLike<number>): Attribute => ({ name, type: ONNX_ATTRIBUTE_TYPE.INTS, ints: values });
const floats = (name: string, values: ArrayLike<number>): Attribute => ({ name, type: ONNX_ATTRIBUTE_TYPE.FLOATS, floats: values });
const strings = (name: string, values: readonly (string | Uint8Array)[]): Attribute => ({
  name,
  type: ONNX_ATTRIBUTE_TYPE.STRINGS,
  strings: values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v)),
});
// One buffer each, shared by every node: a forest has hundreds of thousands of nodes.
const LEAF_MODE = Buffer.from('LEAF', 'utf8');
const BRANCH_MODE = Buffer.from('BRANCH_LEQ', 'utf8');
const string = (name: string, value: string): Attribute => ({ name, type: ONNX_ATTRIBUTE_TYPE.STRING, s: Buffer.from(value, 'utf8') });

function treeAttributes(model: RandomForestClassifier): Attribute[] {
  const trees = model.trees;
  const nClasses = model.classes.length;
  let nNodes = 0;
  for (const tree of trees) nNodes += tree.nodeCount;
  const treeIds = new Int32Array(nNodes);
  const nodeIds = new Int32Array(nNodes);
  const featureIds = new Int32Array(nNodes);
  const values = new Float32Array(nNodes);
  const trueIds = new Int32Array(nNodes);
  const falseIds = new Int32Array(nNodes);
  const modes = new Array<Uint8Array>(nNodes);
  const classTree: number[] = [];
  const classNode: number[] = [];
  const classId: number[] = [];
  const classWeight: number[] = [];
  // Two classes: ONNX Runtime's binary case wants the positive class's score alone, under class id 0, and
  // rebuilds [1 - p, p]. Every leaf gets its entry so that every row has a score.
  const binary = nClasses === 2;
  let i = 0;
  trees.forEach((tree, t) => {
    for (let node = 0; node < tree.nodeCount; node++, i++) {
      treeIds[i] = t;
      nodeIds[i] = node;
      const leaf = tree.left[node] === LEAF;
      modes[i] = leaf ? LEAF_MODE : BRANCH_MODE;
      if (!leaf) {
        featureIds[i] = tree.feature[node] as number;
        values[i] = floorToFloat32(tree.threshold[node] as number);
        trueIds[i] = tree.left[node] as number;
        falseIds[i] = tree.right[node] as number;
        continue;
      }
      const offset = tree.valueOffset[node] as number;
      for (let k = binary ? 1 : 0; k < nClasses; k++) {
        const fraction = tree.values[offset + k] as number;
        if (fraction === 0 && !binary) continue;
        classTree.push(t);
        classNode.push(node);
        classId.push(binary ? 0 : k);
        classWeight.push(fraction / trees.length);
      }
    }
  });
  return [
    ints('nodes_treeids', treeIds),
    ints('nodes_nodeids', nodeIds),
    ints('nodes_featureids', featureIds),
    strings('nodes_modes', modes),
    floats('nodes_values', values),
    ints('nodes_truenodeids', trueIds),
    ints('nodes_falsenodeids', falseIds),
    ints('class_treeids', classTree),
    ints('class_nodeids', classNode),
    ints('class_ids', classId),
    floats('class_weights', classWeight),
    string('post_transform', 'NONE'),
  ];
}

/** Integer labels as int64 class labels; any other labels as their decimal strings. */
function labelAttribute(classes: readonly number[]): { attribute: Attribute; elemType: number } {
  if (classes.every((c) => Number.isSafeInteger(c))) {
    return { attribute: ints('classlabels_int64s', classes), elemType: ONNX_DATA_TYPE.INT64 };
  }
  return { attribute: strings('classlabels_strings', classes.map(String)), elemType: ONNX_DATA_TYPE.STRING };
}

function tensor(name: string, elemType: number, dims: ReadonlyArray<number | string>): Record<string, unknown> {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * The fitted forest as an ONNX model (protobuf bytes): input `X` (float32, `[N, nFeatures]`), outputs `label`
 * (`[N]`, int64 when every class label is an integer, otherwise the labels as strings) and `probabilities`
 * (float32, `[N, nClasses]`). Probabilities agree with `predictProba` to about 1e-6 (the runtime sums float32
 * weights). Throws `NotFittedError` before `fit`, and `OnnxExportError` for a forest with a single class or bad
 * options.
 */
export function exportOnnx(model: RandomForestClassifier, options?: ExportOnnxOptions): Uint8Array {
  const o = resolveExportOnnxOptions(options);
  const classes = model.classes;
  if (classes.length < 2) throw new OnnxExportError('model', 'a forest fitted on at least two classes');
  const labels = labelAttribute(classes);
  const node = {
    input: [o.inputName],
    output: [o.labelName, o.probabilitiesName],
    name: 'forest',
    opType: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    attribute: [labels.attribute, ...treeAttributes(model)],
  };
  const message = ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'updraft',
    producerVersion: '0.1.0',
    opsetImport: [
      { domain: '', version: OPSET_ONNX },
      { domain: 'ai.onnx.ml', version: OPSET_ML },
    ],
    graph: {
      name: o.graphName,
      node: [node],
      input: [tensor(o.inputName, ONNX_DATA_TYPE.FLOAT, ['N', model.nFeaturesIn])],
      output: [tensor(o.labelName, labels.elemType, ['N']), tensor(o.probabilitiesName, ONNX_DATA_TYPE.FLOAT, ['N', classes.length])],
    },
  });
  return ModelProto.encode(message).finish();
}

/** Writes `exportOnnx(model, options)` to `path` atomically (as `saveModel` does). Throws `ModelFileError` on I/O failure. */
export async function saveOnnx(path: string, model: RandomForestClassifier, options?: ExportOnnxOptions): Promise<void> {
  await writeFileAtomically(path, exportOnnx(model, options));
}
