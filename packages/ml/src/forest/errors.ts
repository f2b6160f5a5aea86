/**
 * Errors raised by the random forest. Each carries the fields a caller needs (which option, which row and
 * column), so nobody has to parse messages.
 */

/** Renders a received value for an error message without dumping large structures. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `a ${typeof value}`;
}

/** A `RandomForestOptions` field has the wrong type or value. */
export class ForestOptionsError extends Error {
  override name = 'ForestOptionsError';
  /** The option concerned, e.g. `maxFeatures`. */
  readonly option: string;
  /** What the option accepts. */
  readonly expected: string;
  constructor(option: string, expected: string, received: unknown) {
    super(`RandomForestOptions.${option}: expected ${expected}, got ${describeValue(received)}`);
    this.option = option;
    this.expected = expected;
  }
}

/** Training or prediction data that the forest cannot use (ragged rows, NaN, length mismatch ...). */
export class ForestInputError extends Error {
  override name = 'ForestInputError';
  /** Which argument: the feature matrix `X` or the labels `y`. */
  readonly field: 'X' | 'y';
  /** Zero-based row of the offending value, when one row is to blame. */
  readonly row: number | undefined;
  /** Zero-based column of the offending value, when one cell is to blame. */
  readonly column: number | undefined;
  /** What was expected there. */
  readonly expected: string;
  constructor(field: 'X' | 'y', expected: string, received: unknown, row?: number, column?: number) {
    const where = row === undefined ? field : column === undefined ? `${field}[${row}]` : `${field}[${row}][${column}]`;
    super(`${where}: expected ${expected}, got ${describeValue(received)}`);
    this.field = field;
    this.row = row;
    this.column = column;
    this.expected = expected;
  }
}

/** A model was asked to predict (or for fitted attributes) before `fit`. */
export class NotFittedError extends Error {
  override name = 'NotFittedError';
  /** The method or attribute that needed a fitted model. */
  readonly member: string;
  constructor(member: string) {
    super(`RandomForestClassifier.${member}: the model is not fitted yet; call fit(X, y) first`);
    this.member = member;
  }
}
