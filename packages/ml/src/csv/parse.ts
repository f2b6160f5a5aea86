import { readFileSync } from 'node:fs';
import { CsvError } from './error.js';

/** Options of {@link readCsv} and {@link parseCsv}. */
export interface ReadCsvOptions {
  /** The header the file must have, names in order. Default: any header without duplicates. */
  columns?: readonly string[];
  /**
   * Parse every cell as a finite decimal number (`5`, `-0.1`, `1e-05`); empty or other cells
   * are errors. Default: true. False returns the cells as strings.
   */
  numeric?: boolean;
  /** The file name errors mention. Default: the path given to {@link readCsv}, else none. */
  file?: string;
}

/** {@link ReadCsvOptions} after validation, with defaults filled in. */
export interface ResolvedReadCsvOptions {
  /** Expected header, or undefined for any. */
  columns: readonly string[] | undefined;
  /** Whether cells are parsed as numbers. */
  numeric: boolean;
  /** File name for errors, or undefined. */
  file: string | undefined;
}

/** A CSV file of numbers: its header and one array of numbers per row. */
export interface NumericTable {
  /** Column names from the header. */
  columns: string[];
  /** Data rows, each with one number per column. */
  rows: number[][];
}

/** A CSV file read as text: its header and one array of cells per row. */
export interface StringTable {
  /** Column names from the header. */
  columns: string[];
  /** Data rows, each with one string per column. */
  rows: string[][];
}

/** Features and target of a {@link NumericTable}, ready for a model. */
export interface XyData {
  /** Feature rows: every column but the target, in file order. */
  X: number[][];
  /** Target values, one per row. */
  y: number[];
  /** Names of the feature columns, in the order of each row of `X`. */
  featureNames: string[];
}

/** Validates {@link ReadCsvOptions} and fills defaults. */
export function resolveReadCsvOptions(options: ReadCsvOptions = {}): ResolvedReadCsvOptions {
  const { columns, numeric = true, file } = options;
  if (columns !== undefined && (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string'))) {
    throw new TypeError('readCsv option columns must be an array of column names');
  }
  if (typeof numeric !== 'boolean') throw new TypeError('readCsv option numeric must be a boolean');
  if (file !== undefined && typeof file !== 'string') throw new TypeError('readCsv option file must be a string');
  return { columns, numeric, file };
}

// A finite decimal as pandas writes it; Number() alone would also take '', ' 1', '0x1f' and 'Infinity'.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Splits CSV text into records: comma separators, `"` quoting with `""` escapes, `\n` or
 * `\r\n` line ends, blank lines skipped (as pandas does). Calls `onRecord` with the fields
 * and the 1-based line the record starts on.
 */
function forEachRecord(text: string, file: string | undefined, onRecord: (fields: string[], line: number) => void): void {
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  // Next newline at or after pos, cached so each line is scanned for it once, not once per field.
  let newline = -1;
  const fieldEnd = (from: number): number => {
    if (newline < from && newline !== n) {
      newline = text.indexOf('\n', from);
      if (newline < 0) newline = n;
    }
    const comma = text.indexOf(',', from);
    return comma < 0 || comma > newline ? newline : comma;
  };
  while (pos < n) {
    const startLine = line;
    const fields: string[] = [];
    // A record of one empty unquoted field is a blank line; `""` alone is a real empty cell.
    const firstQuoted = text.charCodeAt(pos) === 34;
    let endOfRecord = false;
    while (!endOfRecord) {
      if (text.charCodeAt(pos) === 34 /* " */) {
        let value = '';
        let from = pos + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) {
            throw new CsvError('UNTERMINATED_QUOTE', 'a quoted field is not closed before the end of the file', {
              file,
              line: startLine,
            });
          }
          value += text.slice(from, q);
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            from = q + 2;
          } else {
            pos = q + 1;
            break;
          }
        }
        for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) line++;
        // Text after the closing quote belongs to the field, as in Python's csv reader.
        const end = fieldEnd(pos);
        value += stripCr(text.slice(pos, end), end, text);
        pos = end;
        fields.push(value);
      } else {
        const end = fieldEnd(pos);
        fields.push(stripCr(text.slice(pos, end), end, text));
        pos = end;
      }
      if (pos >= n || text.charCodeAt(pos) === 10 /* \n */) {
        endOfRecord = true;
        if (pos < n) line++;
      }
      pos++;
    }
    if (fields.length === 1 && fields[0] === '' && !firstQuoted) continue;
    onRecord(fields, startLine);
  }
}

function stripCr(field: string, end: number, text: string): string {
  return text.charCodeAt(end) === 10 && field.endsWith('\r') ? field.slice(0, -1) : field;
}

/**
 * Parses CSV text with a header line (see {@link ReadCsvOptions}).
 *
 * @throws {@link CsvError} `EMPTY_FILE`, `HEADER`, `RAGGED_ROW`, `UNTERMINATED_QUOTE`,
 *   `EMPTY_CELL` or `NOT_A_NUMBER`, naming the file, line, row and column.
 */
export function parseCsv(text: string, options?: ReadCsvOptions & { numeric?: true }): NumericTable;
export function parseCsv(text: string, options: ReadCsvOptions & { numeric: false }): StringTable;
export function parseCsv(text: string, options?: ReadCsvOptions): NumericTable | StringTable;
export function parseCsv(text: string, options: ReadCsvOptions = {}): NumericTable | StringTable {
  const { columns: expected, numeric, file } = resolveReadCsvOptions(options);
  let header: string[] | undefined;
  const numberRows: number[][] = [];
  const stringRows: string[][] = [];
  forEachRecord(text, file, (fields, line) => {
    if (header === undefined) {
      header = checkHeader(fields, expected, file);
      return;
    }
    const row = numberRows.length + stringRows.length + 1;
    if (fields.length !== header.length) {
      throw new CsvError('RAGGED_ROW', `expected ${header.length} fields as in the header, found ${fields.length}`, {
        file,
        line,
        row,
        column: fields.length > header.length ? undefined : header[fields.length],
      });
    }
    if (!numeric) {
      stringRows.push(fields);
      return;
    }
    const values = new Array<number>(fields.length);
    for (let c = 0; c < fields.length; c++) {
      const cell = fields[c]!;
      if (!NUMBER.test(cell)) {
        const empty = cell === '';
        throw new CsvError(
          empty ? 'EMPTY_CELL' : 'NOT_A_NUMBER',
          empty ? 'expected a number, found an empty cell' : `expected a number, found ${JSON.stringify(cell)}`,
          { file, line, row, column: header[c] },
        );
      }
      values[c] = Number(cell);
    }
    numberRows.push(values);
  });
  if (header === undefined) {
    throw new CsvError('EMPTY_FILE', 'the file is empty; expected a header line', { file });
  }
  return numeric ? { columns: header, rows: numberRows } : { columns: header, rows: stringRows };
}

function checkHeader(fields: string[], expected: readonly string[] | undefined, file: string | undefined): string[] {
  if (expected !== undefined) {
    for (let i = 0; i < Math.max(expected.length, fields.length); i++) {
      const want = expected[i];
      const got = fields[i];
      if (want === got) continue;
      const detail =
        want === undefined
          ? `unexpected extra column ${i + 1} ${JSON.stringify(got)}; expected ${expected.length} columns`
          : got === undefined
            ? `missing column ${i + 1} ${JSON.stringify(want)}; the header has ${fields.length} columns`
            : `expected column ${i + 1} to be ${JSON.stringify(want)}, found ${JSON.stringify(got)}`;
      throw new CsvError('HEADER', detail, { file, line: 1, column: want ?? got });
    }
  }
  const seen = new Set<string>();
  for (const name of fields) {
    if (seen.has(name)) {
      throw new CsvError('HEADER', 'the header names this column twice', { file, line: 1, column: name });
    }
    seen.add(name);
  }
  return fields;
}

/**
 * Reads a CSV file synchronously with {@link parseCsv}; errors name `path`.
 *
 * @throws {@link CsvError} for bad content, or the file system's error.
 */
export function readCsv(path: string, options?: ReadCsvOptions & { numeric?: true }): NumericTable;
export function readCsv(path: string, options: ReadCsvOptions & { numeric: false }): StringTable;
export function readCsv(path: string, options?: ReadCsvOptions): NumericTable | StringTable;
export function readCsv(path: string, options: ReadCsvOptions = {}): NumericTable | StringTable {
  return parseCsv(readFileSync(path, 'utf8'), { ...options, file: options.file ?? path });
}

/**
 * Splits a numeric table into feature rows `X` and a `target` column `y`.
 *
 * @param targetColumn - name of the target column. Default: `target`.
 * @throws {@link CsvError} `MISSING_COLUMN` when the table has no such column.
 */
export function toXy(table: NumericTable, targetColumn = 'target'): XyData {
  const t = table.columns.indexOf(targetColumn);
  if (t < 0) {
    throw new CsvError('MISSING_COLUMN', `no target column; the columns are ${table.columns.join(', ')}`, {
      column: targetColumn,
    });
  }
  const width = table.columns.length;
  const X = new Array<number[]>(table.rows.length);
  const y = new Array<number>(table.rows.length);
  table.rows.forEach((row, r) => {
    const features = new Array<number>(width - 1);
    for (let c = 0, k = 0; c < width; c++) if (c !== t) features[k++] = row[c]!;
    X[r] = features;
    y[r] = row[t]!;
  });
  return { X, y, featureNames: table.columns.filter((_, c) => c !== t) };
}
