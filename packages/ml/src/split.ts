import { RandomState, SeedError, type TypedArray, validateSeed } from './random/random-state.js';

/** Why a split was refused; stable values a caller can branch on. */
export type SplitErrorCode =
  /** `trainTestSplit()` was called without any array. */
  | 'NO_ARRAYS'
  /** An array (or `stratify`) has a different number of samples than the first array. */
  | 'LENGTH_MISMATCH'
  /** An option has the wrong type or an unknown name. */
  | 'INVALID_OPTION'
  /** `testSize` is neither a fraction in (0, 1) nor a count in [1, n - 1]. */
  | 'TEST_SIZE'
  /** `trainSize` is neither a fraction in (0, 1) nor a count in [1, n - 1]. */
  | 'TRAIN_SIZE'
  /** `trainSize` and `testSize` together ask for more than all samples. */
  | 'SIZE_SUM'
  /** The sizes leave no sample for training. */
  | 'EMPTY_TRAIN'
  /** A class in `stratify` has a single member. */
  | 'CLASS_TOO_SMALL'
  /** The train or test set is smaller than the number of classes in `stratify`. */
  | 'TOO_FEW_FOR_CLASSES';

/** A train/test split that cannot be made, with scikit-learn's rules for when that is. */
export class SplitError extends Error {
  override readonly name = 'SplitError';
  /** What was wrong. */
  readonly code: SplitErrorCode;
  /** The argument at fault: an option name (`testSize`, `stratify`, ...) or `arrays[i]`. */
  readonly argument: string;

  constructor(code: SplitErrorCode, argument: string, message: string) {
    super(message);
    this.code = code;
    this.argument = argument;
  }
}

/** Options of {@link trainTestSplit} and {@link trainTestSplitIndices}, named as scikit-learn's. */
export interface TrainTestSplitOptions {
  /**
   * Size of the test set: a fraction in (0, 1) (rounded up), or an integer count.
   * Integer-valued numbers are counts, so `1` means one sample.
   * Default: 0.25 when `trainSize` is unset too, else all samples not in the train set.
   */
  testSize?: number;
  /**
   * Size of the train set: a fraction in (0, 1) (rounded down), or an integer count.
   * Default: all samples not in the test set.
   */
  trainSize?: number;
  /**
   * Seed in [0, 2**32 - 1] for numpy's legacy `RandomState`; the same seed gives
   * scikit-learn's split. Default: a fresh seed from the operating system (not reproducible).
   */
  randomState?: number;
  /** Shuffle before splitting. Default: true; false takes the first samples for training. */
  shuffle?: boolean;
  /**
   * Class labels, one per sample: split so each class keeps its proportion
   * (scikit-learn's `StratifiedShuffleSplit`). Requires `shuffle`. Default: none.
   */
  stratify?: ArrayLike<number>;
}

/** {@link TrainTestSplitOptions} after validation, with defaults filled in. */
export interface ResolvedTrainTestSplitOptions {
  /** As given; undefined means unset (see {@link resolveSplitSizes} for the default). */
  testSize: number | undefined;
  /** As given; undefined means unset. */
  trainSize: number | undefined;
  /** The seed; undefined means one drawn from the operating system. */
  randomState: number | undefined;
  /** Whether to shuffle. */
  shuffle: boolean;
  /** Class labels, or undefined for a plain shuffle split. */
  stratify: ArrayLike<number> | undefined;
}

/** Train and test sample indices, in scikit-learn's order. */
export interface SplitIndices {
  /** Indices of the training samples. */
  train: Int32Array;
  /** Indices of the test samples. */
  test: Int32Array;
}

const OPTION_NAMES = new Set(['testSize', 'trainSize', 'randomState', 'shuffle', 'stratify']);

/**
 * Validates {@link TrainTestSplitOptions} (types and names only; sizes are checked against
 * the sample count by {@link resolveSplitSizes}) and fills defaults.
 *
 * @throws {@link SplitError} with code `INVALID_OPTION`.
 */
export function resolveTrainTestSplitOptions(
  options: TrainTestSplitOptions = {},
): ResolvedTrainTestSplitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new SplitError('INVALID_OPTION', 'options', 'train/test split options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) {
      throw new SplitError(
        'INVALID_OPTION',
        key,
        `unknown train/test split option "${key}"; expected one of ${[...OPTION_NAMES].join(', ')}`,
      );
    }
  }
  const { testSize, trainSize, randomState, shuffle = true, stratify } = options;
  checkSizeType('testSize', testSize);
  checkSizeType('trainSize', trainSize);
  if (randomState !== undefined) {
    try {
      validateSeed(randomState);
    } catch (err) {
      if (!(err instanceof SeedError)) throw err;
      throw new SplitError('INVALID_OPTION', 'randomState', `randomState: ${err.message}`);
    }
  }
  if (typeof shuffle !== 'boolean') {
    throw new SplitError('INVALID_OPTION', 'shuffle', `shuffle must be a boolean, got ${String(shuffle)}`);
  }
  if (stratify !== undefined) {
    if (typeof stratify !== 'object' || stratify === null || typeof stratify.length !== 'number') {
      throw new SplitError('INVALID_OPTION', 'stratify', 'stratify must be an array of class labels');
    }
    if (!shuffle) {
      throw new SplitError(
        'INVALID_OPTION',
        'stratify',
        'a stratified train/test split needs shuffle: true (as in scikit-learn)',
      );
    }
  }
  return { testSize, trainSize, randomState, shuffle, stratify };
}

function describeValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}

function checkSizeType(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) {
    throw new SplitError('INVALID_OPTION', name, `${name} must be a number, got ${describeValue(value)}`);
  }
}

/**
 * Train and test set sizes for `nSamples` samples, by scikit-learn's
 * `_validate_shuffle_split` rules: a fraction of the test set is rounded up, of the train
 * set down; an unset size is the complement of the other; 0.25 test when neither is set.
 *
 * @throws {@link SplitError} `TEST_SIZE`, `TRAIN_SIZE`, `SIZE_SUM` or `EMPTY_TRAIN`.
 */
export function resolveSplitSizes(
  nSamples: number,
  testSize?: number,
  trainSize?: number,
): { nTrain: number; nTest: number } {
  const test = testSize === undefined && trainSize === undefined ? 0.25 : testSize;
  const testIsCount = test !== undefined && Number.isInteger(test);
  const trainIsCount = trainSize !== undefined && Number.isInteger(trainSize);
  checkSizeRange('testSize', 'TEST_SIZE', test, testIsCount, nSamples);
  checkSizeRange('trainSize', 'TRAIN_SIZE', trainSize, trainIsCount, nSamples);
  if (test !== undefined && trainSize !== undefined && !testIsCount && !trainIsCount && test + trainSize > 1) {
    throw new SplitError(
      'SIZE_SUM',
      'trainSize',
      `testSize + trainSize = ${test + trainSize}, which should be at most 1; reduce testSize and/or trainSize`,
    );
  }
  let nTest = test === undefined ? 0 : testIsCount ? test : Math.ceil(test * nSamples);
  let nTrain = trainSize === undefined ? 0 : trainIsCount ? trainSize : Math.floor(trainSize * nSamples);
  if (trainSize === undefined) nTrain = nSamples - nTest;
  else if (test === undefined) nTest = nSamples - nTrain;
  if (nTrain + nTest > nSamples) {
    throw new SplitError(
      'SIZE_SUM',
      'trainSize',
      `train size ${nTrain} + test size ${nTest} = ${nTrain + nTest} exceeds the ${nSamples} samples; ` +
        'reduce testSize and/or trainSize',
    );
  }
  if (nTrain === 0) {
    throw new SplitError(
      'EMPTY_TRAIN',
      trainSize === undefined ? 'testSize' : 'trainSize',
      `with ${nSamples} samples, testSize=${String(testSize)} and trainSize=${String(trainSize)} ` +
        'the train set would be empty; adjust them',
    );
  }
  return { nTrain, nTest };
}

function checkSizeRange(
  name: string,
  code: 'TEST_SIZE' | 'TRAIN_SIZE',
  value: number | undefined,
  isCount: boolean,
  nSamples: number,
): void {
  if (value === undefined) return;
  if (isCount ? value >= nSamples || value <= 0 : value <= 0 || value >= 1) {
    throw new SplitError(
      code,
      name,
      `${name}=${value} should be a count in [1, ${nSamples - 1}] (there are ${nSamples} samples) ` +
        'or a fraction in (0, 1)',
    );
  }
}

function makeRng(randomState: number | undefined): RandomState {
  return new RandomState(randomState);
}

/**
 * scikit-learn's `ShuffleSplit` (first split): `permutation(nSamples)`, the first `nTest`
 * for test and the next `nTrain` for train.
 */
export function shuffleSplitIndices(
  nSamples: number,
  options: Pick<TrainTestSplitOptions, 'testSize' | 'trainSize' | 'randomState'> = {},
): SplitIndices {
  const opts = resolveTrainTestSplitOptions(options);
  const { nTrain, nTest } = resolveSplitSizes(nSamples, opts.testSize, opts.trainSize);
  const perm = makeRng(opts.randomState).permutation(nSamples);
  return { train: perm.slice(nTest, nTest + nTrain), test: perm.slice(0, nTest) };
}

/**
 * scikit-learn's `StratifiedShuffleSplit` (first split) over class labels `y`: per-class
 * counts from `_approximate_mode`, a permutation within each class, then the train and test
 * sets permuted again, drawing from numpy's `RandomState` in scikit-learn's order.
 *
 * @throws {@link SplitError} also `CLASS_TOO_SMALL` and `TOO_FEW_FOR_CLASSES`.
 */
export function stratifiedShuffleSplitIndices(
  y: ArrayLike<number>,
  options: Pick<TrainTestSplitOptions, 'testSize' | 'trainSize' | 'randomState'> = {},
): SplitIndices {
  const opts = resolveTrainTestSplitOptions(options);
  const { nTrain, nTest } = resolveSplitSizes(y.length, opts.testSize, opts.trainSize);
  return stratifiedSplit(y, nTrain, nTest, makeRng(opts.randomState));
}

function stratifiedSplit(y: ArrayLike<number>, nTrain: number, nTest: number, rng: RandomState): SplitIndices {
  const { classCounts, classIndices, offsets } = groupByClass(y);
  const nClasses = classCounts.length;
  if (classCounts.some((c) => c < 2)) {
    throw new SplitError(
      'CLASS_TOO_SMALL',
      'stratify',
      'the least populated class in stratify has only 1 member; every class needs at least 2',
    );
  }
  if (nTrain < nClasses) {
    throw new SplitError(
      'TOO_FEW_FOR_CLASSES',
      'trainSize',
      `the train size ${nTrain} should be at least the number of classes ${nClasses}`,
    );
  }
  if (nTest < nClasses) {
    throw new SplitError(
      'TOO_FEW_FOR_CLASSES',
      'testSize',
      `the test size ${nTest} should be at least the number of classes ${nClasses}`,
    );
  }
  const nI = approximateMode(classCounts, nTrain, rng);
  const remaining = classCounts.map((c, i) => c - nI[i]!);
  const tI = approximateMode(remaining, nTest, rng);

  const train = new Int32Array(nTrain);
  const test = new Int32Array(nTest);
  let trainPos = 0;
  let testPos = 0;
  for (let c = 0; c < nClasses; c++) {
    const perm = rng.permutation(classCounts[c]!);
    const base = offsets[c]!;
    const takeTrain = nI[c]!;
    const takeTest = tI[c]!;
    for (let k = 0; k < takeTrain; k++) train[trainPos++] = classIndices[base + perm[k]!]!;
    for (let k = takeTrain; k < takeTrain + takeTest; k++) test[testPos++] = classIndices[base + perm[k]!]!;
  }
  rng.shuffle(train);
  rng.shuffle(test);
  return { train, test };
}

/**
 * np.unique(y, return_inverse=True) then a stable argsort of the inverse, split per class:
 * `classIndices[offsets[c] ...]` are the samples of the c-th smallest label, ascending.
 */
function groupByClass(y: ArrayLike<number>): {
  classCounts: number[];
  classIndices: Int32Array;
  offsets: number[];
} {
  const n = y.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new SplitError('INVALID_OPTION', 'stratify', `stratify[${i}] must be a number label, got ${String(v)}`);
    }
    sorted[i] = v;
  }
  sorted.sort();
  const classOf = new Map<number, number>();
  const classCounts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    // Map keys compare with SameValueZero, so -0 and 0 are one class, as in np.unique.
    if (!classOf.has(v)) {
      classOf.set(v, classCounts.length);
      classCounts.push(0);
    }
  }
  const inverse = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf.get(y[i]!)!;
    inverse[i] = c;
    classCounts[c]!++;
  }
  const offsets: number[] = [];
  let acc = 0;
  for (const count of classCounts) {
    offsets.push(acc);
    acc += count;
  }
  const fill = offsets.slice();
  const classIndices = new Int32Array(n);
  for (let i = 0; i < n; i++) classIndices[fill[inverse[i]!]!++] = i;
  return { classCounts, classIndices, offsets };
}

/**
 * scikit-learn's `_approximate_mode`: floor each class's share of `nDraws`, then hand out
 * the remaining draws by descending remainder, breaking ties with `rng.choice` (a legacy
 * `permutation` of the tied classes, first ones taken).
 */
function approximateMode(classCounts: number[], nDraws: number, rng: RandomState): number[] {
  let total = 0;
  for (const c of classCounts) total += c;
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map((x) => Math.floor(x));
  let flooredSum = 0;
  for (const f of floored) flooredSum += f;
  let needToAdd = nDraws - flooredSum;
  if (needToAdd > 0) {
    const remainder = continuous.map((x, i) => x - floored[i]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds: number[] = [];
      remainder.forEach((r, i) => {
        if (r === value) inds.push(i);
      });
      const addNow = Math.min(inds.length, needToAdd);
      const perm = rng.permutation(inds.length);
      for (let k = 0; k < addNow; k++) floored[inds[perm[k]!]!]!++;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/**
 * Train and test indices for `nSamples` samples, exactly as scikit-learn's
 * `train_test_split` picks them (same sizes, same order, same seed semantics).
 *
 * @throws {@link SplitError} for invalid options or sizes, or `stratify` of another length.
 */
export function trainTestSplitIndices(nSamples: number, options: TrainTestSplitOptions = {}): SplitIndices {
  if (!Number.isSafeInteger(nSamples) || nSamples < 0) {
    throw new SplitError('INVALID_OPTION', 'nSamples', `nSamples must be a non-negative integer, got ${nSamples}`);
  }
  const opts = resolveTrainTestSplitOptions(options);
  const { nTrain, nTest } = resolveSplitSizes(nSamples, opts.testSize, opts.trainSize);
  if (!opts.shuffle) {
    const train = new Int32Array(nTrain);
    const test = new Int32Array(nTest);
    for (let i = 0; i < nTrain; i++) train[i] = i;
    for (let i = 0; i < nTest; i++) test[i] = nTrain + i;
    return { train, test };
  }
  if (opts.stratify !== undefined) {
    if (opts.stratify.length !== nSamples) {
      throw new SplitError(
        'LENGTH_MISMATCH',
        'stratify',
        `stratify has ${opts.stratify.length} labels but there are ${nSamples} samples`,
      );
    }
    return stratifiedSplit(opts.stratify, nTrain, nTest, makeRng(opts.randomState));
  }
  const perm = makeRng(opts.randomState).permutation(nSamples);
  return { train: perm.slice(nTest, nTest + nTrain), test: perm.slice(0, nTest) };
}

/** Any typed array {@link trainTestSplit} can split (as a 1-d array of samples). */
export type { TypedArray };

/** One input of {@link trainTestSplit}: a plain array of samples or a typed array. */
export type SplitInput = readonly unknown[] | TypedArray;

/** What one input becomes on each side of the split: the same kind of array. */
export type SplitPart<A> = A extends Float64Array
  ? Float64Array
  : A extends Float32Array
    ? Float32Array
    : A extends Int32Array
      ? Int32Array
      : A extends Uint32Array
        ? Uint32Array
        : A extends Int16Array
          ? Int16Array
          : A extends Uint16Array
            ? Uint16Array
            : A extends Int8Array
              ? Int8Array
              : A extends Uint8ClampedArray
                ? Uint8ClampedArray
                : A extends Uint8Array
                  ? Uint8Array
                  : A extends readonly (infer E)[]
                    ? E[]
                    : never;

/** `[aTrain, aTest, bTrain, bTest, ...]` for inputs `[a, b, ...]`. */
export type TrainTestSplitResult<A extends readonly SplitInput[]> = A extends readonly []
  ? []
  : A extends readonly [infer H, ...infer R extends readonly SplitInput[]]
    ? [SplitPart<H>, SplitPart<H>, ...TrainTestSplitResult<R>]
    : SplitPart<A[number]>[];

/**
 * scikit-learn's `train_test_split`: splits every array along its first axis with the same
 * indices and returns `[aTrain, aTest, bTrain, bTest, ...]`. The options object, if any,
 * comes last. Rows of nested arrays are shared with the input, not copied.
 *
 * @example
 * const [XTrain, XTest, yTrain, yTest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 });
 * @throws {@link SplitError} for no arrays, arrays of different lengths, or bad options.
 */
export function trainTestSplit<A extends readonly SplitInput[]>(
  ...args: [...A, TrainTestSplitOptions]
): TrainTestSplitResult<A>;
export function trainTestSplit<A extends readonly SplitInput[]>(...args: A): TrainTestSplitResult<A>;
export function trainTestSplit(...args: unknown[]): unknown[] {
  const last = args[args.length - 1];
  const hasOptions = args.length > 0 && !isSplitInput(last);
  const arrays = hasOptions ? args.slice(0, -1) : args;
  const options = (hasOptions ? last : {}) as TrainTestSplitOptions;
  if (arrays.length === 0) {
    throw new SplitError('NO_ARRAYS', 'arrays', 'trainTestSplit needs at least one array');
  }
  arrays.forEach((a, i) => {
    if (!isSplitInput(a)) {
      throw new SplitError('INVALID_OPTION', `arrays[${i}]`, `argument ${i} must be an array or a typed array`);
    }
  });
  const inputs = arrays as SplitInput[];
  const n = inputs[0]!.length;
  inputs.forEach((a, i) => {
    if (a.length !== n) {
      throw new SplitError(
        'LENGTH_MISMATCH',
        `arrays[${i}]`,
        `argument ${i} has ${a.length} samples but argument 0 has ${n}; all arrays need the same length`,
      );
    }
  });
  const { train, test } = trainTestSplitIndices(n, options);
  const out: unknown[] = [];
  for (const a of inputs) out.push(take(a, train), take(a, test));
  return out;
}

function isSplitInput(x: unknown): x is SplitInput {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function take(a: SplitInput, idx: Int32Array): unknown[] | TypedArray {
  if (Array.isArray(a)) {
    const out = new Array<unknown>(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]!];
    return out;
  }
  const typed = a as TypedArray;
  const Ctor = typed.constructor as new (length: number) => TypedArray;
  const out = new Ctor(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = typed[idx[i]!]!;
  return out;
}
