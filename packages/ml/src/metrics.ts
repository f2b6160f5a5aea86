/**
 * Classification metrics with scikit-learn's definitions, label ordering, zero-division behaviour and report
 * layout, so a report computed here reads exactly like the tutorial's `classification_report`.
 */

/** A class label: numbers or strings (one kind per call, as scikit-learn requires). */
export type Label = number | string;

/** Labels that cannot be scored: different lengths, empty, NaN, mixed kinds, unknown `labels` ... */
export class MetricsInputError extends Error {
  override name = 'MetricsInputError';
  /** The argument concerned: `yTrue`, `yPred`, `labels`, `targetNames` or `digits`. */
  readonly field: string;
  /** Index of the offending element, when one element is to blame. */
  readonly index: number | undefined;
  /** What was expected. */
  readonly expected: string;
  constructor(field: string, expected: string, index?: number) {
    super(`${index === undefined ? field : `${field}[${index}]`}: expected ${expected}`);
    this.field = field;
    this.index = index;
    this.expected = expected;
  }
}

/** Precision, recall, F1 and support of one class or one average. */
export interface ScoreRow {
  readonly precision: number;
  readonly recall: number;
  readonly f1Score: number;
  /** Number of true samples. */
  readonly support: number;
}

/** Labels whose score is ill-defined and was set to 0, as scikit-learn's `UndefinedMetricWarning` reports. */
export interface ZeroDivisionFlags {
  /** Labels never predicted: precision (and so F-score) set to 0. */
  readonly precision: readonly Label[];
  /** Labels with no true sample: recall (and so F-score) set to 0. */
  readonly recall: readonly Label[];
}

/** Options of `confusionMatrix`. */
export interface ConfusionMatrixOptions {
  /** Row and column order; samples with other labels are ignored. Default: the sorted union of both arrays. */
  readonly labels?: readonly Label[];
}

/** Options of `precisionRecallFscoreSupport`. */
export interface PrecisionRecallOptions {
  /** Labels to score, in this order. Default: the sorted union of both arrays. */
  readonly labels?: readonly Label[];
  /** Weight of recall in the F-score (F-beta), >= 0. Default 1 (F1). */
  readonly beta?: number;
}

/** Per-class scores in `labels` order. */
export interface PrecisionRecallFscoreSupport {
  readonly labels: readonly Label[];
  readonly precision: readonly number[];
  readonly recall: readonly number[];
  readonly fScore: readonly number[];
  readonly support: readonly number[];
  /** Where a zero division happened (scikit-learn's default: score 0 and a warning). */
  readonly zeroDivision: ZeroDivisionFlags;
}

/** Options of `classificationReport`. */
export interface ClassificationReportOptions {
  /** Labels to report, in this order. Default: the sorted union of both arrays. */
  readonly labels?: readonly Label[];
  /** Display names, one per label. Default: `String(label)`. */
  readonly targetNames?: readonly string[];
  /** Decimal places in the text table, an integer >= 0. Default 2. */
  readonly digits?: number;
}

/** One `output_dict` entry of scikit-learn's `classification_report`. */
export interface ReportDictRow {
  readonly precision: number;
  readonly recall: number;
  readonly 'f1-score': number;
  readonly support: number;
}

/** The report both as data and as scikit-learn's text table. */
export interface ClassificationReport {
  /** One row per label, in label order. */
  readonly classes: ReadonlyArray<ScoreRow & { readonly label: Label; readonly name: string }>;
  /** Accuracy, when the micro average equals it (all present labels reported); otherwise null. */
  readonly accuracy: number | null;
  /** Micro average, reported instead of accuracy when `labels` leaves out or adds labels; otherwise null. */
  readonly microAvg: ScoreRow | null;
  readonly macroAvg: ScoreRow;
  readonly weightedAvg: ScoreRow;
  readonly zeroDivision: ZeroDivisionFlags;
  /** The same numbers shaped as scikit-learn's `classification_report(..., output_dict=True)`. */
  readonly dict: Readonly<Record<string, ReportDictRow | number>>;
  /** The text table, character for character as scikit-learn prints it. */
  readonly text: string;
}

function checkLabels(values: readonly Label[], field: string): 'number' | 'string' | undefined {
  if (!Array.isArray(values)) throw new MetricsInputError(field, 'an array of labels');
  let kind: 'number' | 'string' | undefined;
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    const k = typeof v;
    if (k === 'number') {
      if (!Number.isFinite(v)) throw new MetricsInputError(field, 'a finite number', i);
    } else if (k !== 'string') {
      throw new MetricsInputError(field, 'a number or string label', i);
    }
    if (kind === undefined) kind = k;
    else if (kind !== k) throw new MetricsInputError(field, `labels of one kind (all ${kind}s)`, i);
  }
  return kind;
}

function checkPair(yTrue: readonly Label[], yPred: readonly Label[]): void {
  const a = checkLabels(yTrue, 'yTrue');
  const b = checkLabels(yPred, 'yPred');
  if (yTrue.length !== yPred.length) {
    throw new MetricsInputError('yPred', `${yTrue.length} labels like yTrue, not ${yPred.length}`);
  }
  if (yTrue.length === 0) throw new MetricsInputError('yTrue', 'at least one label');
  if (a !== b) throw new MetricsInputError('yPred', `labels of the same kind as yTrue (${a}s)`);
}

function compareLabels(a: Label, b: Label): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted distinct labels of both arrays, as scikit-learn's `unique_labels`. */
function uniqueLabels(yTrue: readonly Label[], yPred: readonly Label[]): Label[] {
  return [...new Set<Label>([...yTrue, ...yPred])].sort(compareLabels);
}

function resolveLabels(yTrue: readonly Label[], yPred: readonly Label[], labels: readonly Label[] | undefined): Label[] {
  if (labels === undefined) return uniqueLabels(yTrue, yPred);
  const kind = checkLabels(labels, 'labels');
  if (labels.length === 0) throw new MetricsInputError('labels', 'at least one label');
  if (kind !== typeof yTrue[0]) throw new MetricsInputError('labels', `labels of the same kind as yTrue`);
  if (new Set(labels).size !== labels.length) throw new MetricsInputError('labels', 'distinct labels');
  return [...labels];
}

/** Fraction of samples whose predicted label equals the true one. */
export function accuracyScore(yTrue: readonly Label[], yPred: readonly Label[]): number {
  checkPair(yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/**
 * Counts of (true, predicted) label pairs: rows are true labels, columns predicted ones, both in `labels` order
 * (default: sorted union of both arrays, as scikit-learn).
 */
export function confusionMatrix(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options: ConfusionMatrixOptions = {},
): number[][] {
  checkPair(yTrue, yPred);
  const labels = resolveLabels(yTrue, yPred, options.labels);
  if (options.labels !== undefined && !yTrue.some((y) => labels.includes(y))) {
    throw new MetricsInputError('labels', 'at least one label that occurs in yTrue');
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i] as Label);
    const p = index.get(yPred[i] as Label);
    if (t !== undefined && p !== undefined) {
      const cells = matrix[t] as number[];
      cells[p] = (cells[p] as number) + 1;
    }
  }
  return matrix;
}

interface Counts {
  readonly tp: number[];
  readonly pred: number[];
  readonly truth: number[];
}

function countPerLabel(yTrue: readonly Label[], yPred: readonly Label[], labels: readonly Label[]): Counts {
  const index = new Map(labels.map((l, i) => [l, i]));
  const tp = new Array<number>(labels.length).fill(0);
  const pred = new Array<number>(labels.length).fill(0);
  const truth = new Array<number>(labels.length).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i] as Label);
    const p = index.get(yPred[i] as Label);
    if (t !== undefined) truth[t] = (truth[t] as number) + 1;
    if (p !== undefined) pred[p] = (pred[p] as number) + 1;
    if (t !== undefined && t === p) tp[t] = (tp[t] as number) + 1;
  }
  return { tp, pred, truth };
}

function divideOrZero(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function fBeta(precision: number, recall: number, beta: number): number {
  if (beta === Infinity) return recall;
  const beta2 = beta * beta;
  const denominator = beta2 * precision + recall;
  return ((1 + beta2) * precision * recall) / (denominator === 0 ? 1 : denominator);
}

/**
 * Precision, recall, F-beta and support per label (scikit-learn's `precision_recall_fscore_support` with
 * `average=None`). A zero division scores 0 and is listed in `zeroDivision`, as scikit-learn's default warns.
 */
export function precisionRecallFscoreSupport(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options: PrecisionRecallOptions = {},
): PrecisionRecallFscoreSupport {
  checkPair(yTrue, yPred);
  const { beta = 1 } = options;
  if (typeof beta !== 'number' || !(beta >= 0)) throw new MetricsInputError('beta', 'a number >= 0');
  const labels = resolveLabels(yTrue, yPred, options.labels);
  const { tp, pred, truth } = countPerLabel(yTrue, yPred, labels);
  const precision = tp.map((t, k) => divideOrZero(t, pred[k] as number));
  const recall = tp.map((t, k) => divideOrZero(t, truth[k] as number));
  return {
    labels,
    precision,
    recall,
    fScore: precision.map((p, k) => fBeta(p, recall[k] as number, beta)),
    support: truth,
    zeroDivision: {
      precision: labels.filter((_, k) => pred[k] === 0),
      recall: labels.filter((_, k) => truth[k] === 0),
    },
  };
}

/**
 * numpy's pairwise summation (`np.sum` / `np.mean` on a contiguous float64 array): eight running sums per block
 * of 128, blocks split in halves. Matching it makes averages bit-identical to scikit-learn's.
 */
function numpySum(a: readonly number[], start = 0, n = a.length): number {
  if (n < 8) {
    let sum = 0;
    for (let i = start; i < start + n; i++) sum += a[i] as number;
    return sum;
  }
  if (n <= 128) {
    const r = a.slice(start, start + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = (r[j] as number) + (a[start + i + j] as number);
    const [r0, r1, r2, r3, r4, r5, r6, r7] = r as [number, number, number, number, number, number, number, number];
    let sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) sum += a[start + i] as number;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(a, start, half) + numpySum(a, start + half, n - half);
}

function average(values: readonly number[], weights?: readonly number[]): number {
  if (weights === undefined) return numpySum(values) / values.length;
  return numpySum(values.map((v, k) => v * (weights[k] as number))) / numpySum(weights);
}

function averages(prfs: PrecisionRecallFscoreSupport, counts: Counts): { micro: ScoreRow; macro: ScoreRow; weighted: ScoreRow } {
  const total = numpySum(prfs.support);
  const tp = numpySum(counts.tp);
  const microPrecision = divideOrZero(tp, numpySum(counts.pred));
  const microRecall = divideOrZero(tp, numpySum(counts.truth));
  const micro = {
    precision: microPrecision,
    recall: microRecall,
    f1Score: fBeta(microPrecision, microRecall, 1),
    support: total,
  };
  const macro = {
    precision: average(prfs.precision),
    recall: average(prfs.recall),
    f1Score: average(prfs.fScore),
    support: total,
  };
  // scikit-learn scores a weighted average over no true samples as 0 (its zero_division default).
  const weighted =
    total === 0
      ? { precision: 0, recall: 0, f1Score: 0, support: 0 }
      : {
          precision: average(prfs.precision, prfs.support),
          recall: average(prfs.recall, prfs.support),
          f1Score: average(prfs.fScore, prfs.support),
          support: total,
        };
  return { micro, macro, weighted };
}

/**
 * Per-class precision, recall, F1 and support with accuracy (or micro), macro and weighted averages, as scikit-learn's
 * `classification_report`: structured, as its `output_dict`, and as its text table.
 */
export function classificationReport(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const { digits = 2, targetNames } = options;
  if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new MetricsInputError('digits', 'an integer from 0 to 20');
  }
  const prfs = precisionRecallFscoreSupport(yTrue, yPred, { labels: options.labels });
  const labels = prfs.labels;
  if (targetNames !== undefined) {
    if (!Array.isArray(targetNames) || targetNames.some((n) => typeof n !== 'string')) {
      throw new MetricsInputError('targetNames', 'an array of strings');
    }
    if (targetNames.length !== labels.length) {
      throw new MetricsInputError('targetNames', `one name per label (${labels.length}), not ${targetNames.length}`);
    }
  }
  const names = targetNames ?? labels.map(String);
  const present = uniqueLabels(yTrue, yPred);
  const microIsAccuracy =
    options.labels === undefined || (new Set(labels).size === present.length && present.every((l) => labels.includes(l)));
  const { micro, macro, weighted } = averages(prfs, countPerLabel(yTrue, yPred, labels));

  const classes = labels.map((label, k) => ({
    label,
    name: names[k] as string,
    precision: prfs.precision[k] as number,
    recall: prfs.recall[k] as number,
    f1Score: prfs.fScore[k] as number,
    support: prfs.support[k] as number,
  }));
  const dict: Record<string, ReportDictRow | number> = {};
  for (const row of classes) dict[row.name] = toDictRow(row);
  // scikit-learn's dict keeps the micro precision as accuracy; its text table prints the micro F1 there.
  if (microIsAccuracy) dict.accuracy = micro.precision;
  else dict['micro avg'] = toDictRow(micro);
  dict['macro avg'] = toDictRow(macro);
  dict['weighted avg'] = toDictRow(weighted);

  return {
    classes,
    accuracy: microIsAccuracy ? micro.precision : null,
    microAvg: microIsAccuracy ? null : micro,
    macroAvg: macro,
    weightedAvg: weighted,
    zeroDivision: prfs.zeroDivision,
    dict,
    text: formatReport(classes, microIsAccuracy, micro, macro, weighted, digits),
  };
}

function toDictRow(row: ScoreRow): ReportDictRow {
  return { precision: row.precision, recall: row.recall, 'f1-score': row.f1Score, support: row.support };
}

function formatReport(
  classes: ReadonlyArray<ScoreRow & { readonly name: string }>,
  microIsAccuracy: boolean,
  micro: ScoreRow,
  macro: ScoreRow,
  weighted: ScoreRow,
  digits: number,
): string {
  const width = Math.max(...classes.map((c) => codePointLength(c.name)), 'weighted avg'.length, digits);
  const cell = (value: number): string => ` ${padLeft(formatFixed(value, digits), 9)}`;
  const row = (name: string, r: ScoreRow): string =>
    `${padLeft(name, width)} ${cell(r.precision)}${cell(r.recall)}${cell(r.f1Score)} ${padLeft(String(r.support), 9)}\n`;
  let text = `${padLeft('', width)} ${['precision', 'recall', 'f1-score', 'support'].map((h) => ` ${padLeft(h, 9)}`).join('')}\n\n`;
  for (const c of classes) text += row(c.name, c);
  text += '\n';
  if (microIsAccuracy) {
    text += `${padLeft('accuracy', width)} ${' '.repeat(20)}${cell(micro.f1Score)} ${padLeft(String(micro.support), 9)}\n`;
  } else {
    text += row('micro avg', micro);
  }
  text += row('macro avg', macro);
  text += row('weighted avg', weighted);
  return text;
}

function codePointLength(s: string): number {
  return [...s].length;
}

/** Python's `'{:>N}'.format(s)`: pads to N code points. */
function padLeft(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - codePointLength(s))) + s;
}

/**
 * Python's `'{:.Nf}'.format(x)`: the exact binary value rounded half to even. (`toFixed` rounds exact ties such as
 * 0.125 up, where Python gives 0.12.)
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  // |x| = mantissa * 2^exponent; compute round_half_even(|x| * 10^digits) exactly.
  const scaled = mantissa * 10n ** BigInt(digits);
  let q: bigint;
  if (exponent >= 0) {
    q = scaled << BigInt(exponent);
  } else {
    const denominator = 1n << BigInt(-exponent);
    q = scaled / denominator;
    const twiceRemainder = (scaled - q * denominator) * 2n;
    if (twiceRemainder > denominator || (twiceRemainder === denominator && (q & 1n) === 1n)) q += 1n;
  }
  const s = q.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return negative ? `-${body}` : body;
}
