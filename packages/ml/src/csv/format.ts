import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CsvError } from './error.js';

/**
 * How a column prints, after pandas' dtypes: `float` (float64: Python `repr`, so `5.0` and
 * `1e-05`; NaN prints empty), `int` (int64: integers only), `string` (object: text as is;
 * numbers in it print as floats).
 */
export type ColumnDtype = 'float' | 'int' | 'string';

/** One cell of a {@link CsvTable}. */
export type CsvValue = number | string;

/** A table to write: column names, one dtype per column, and rows of values. */
export interface CsvTable {
  /** Column names, in order; they make the header line. */
  readonly columns: readonly string[];
  /** Rows, each with one value per column. */
  readonly rows: readonly (readonly CsvValue[])[];
  /**
   * One dtype per column. Default: `float` for a column holding only numbers, else `string`
   * (JavaScript cannot tell `5` from `5.0`, so say `int` where pandas would have int64).
   */
  readonly dtypes?: readonly ColumnDtype[];
}

/**
 * Formats a float as Python's `repr` (what pandas writes for float64): shortest round-trip
 * digits, always with a `.0` or an exponent, scientific below 1e-4 and from 1e16 up.
 */
export function formatPythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    // Both languages print this range in fixed notation with the same shortest digits.
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  // toExponential() without an argument gives the shortest digits that round-trip, as repr does.
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exp = Number(expText);
  const sign = negative ? '-' : '';
  const decpt = exp + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const absExp = Math.abs(exp);
  return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${absExp < 10 ? '0' : ''}${absExp}`;
}

/** Python's csv QUOTE_MINIMAL with a `\n` line terminator: quote on comma, quote or newline. */
function quote(field: string): string {
  if (field.includes(',') || field.includes('"') || field.includes('\n')) {
    return `"${field.replaceAll('"', '""')}"`;
  }
  return field;
}

function resolveDtypes(table: CsvTable): ColumnDtype[] {
  const width = table.columns.length;
  if (table.dtypes !== undefined) {
    if (table.dtypes.length !== width) {
      throw new CsvError(
        'INVALID_VALUE',
        `dtypes has ${table.dtypes.length} entries but there are ${width} columns`,
      );
    }
    table.dtypes.forEach((d, i) => {
      if (d !== 'float' && d !== 'int' && d !== 'string') {
        throw new CsvError('INVALID_VALUE', `unknown dtype ${JSON.stringify(d)}; expected float, int or string`, {
          column: table.columns[i],
        });
      }
    });
    return [...table.dtypes];
  }
  const dtypes = new Array<ColumnDtype>(width).fill('float');
  for (const row of table.rows) {
    for (let c = 0; c < width; c++) if (typeof row[c] === 'string') dtypes[c] = 'string';
  }
  return dtypes;
}

function formatCell(value: CsvValue | undefined, dtype: ColumnDtype, row: number, column: string): string {
  if (typeof value === 'number') {
    if (dtype === 'int') {
      if (!Number.isSafeInteger(value)) {
        throw new CsvError('INVALID_VALUE', `int column needs safe integers, got ${value}`, { row, column });
      }
      return String(value);
    }
    // pandas writes missing floats as its na_rep, the empty string.
    return Number.isNaN(value) ? '' : formatPythonFloat(value);
  }
  if (typeof value === 'string' && dtype === 'string') return quote(value);
  throw new CsvError(
    'INVALID_VALUE',
    `${dtype} column cannot hold ${value === undefined ? 'a missing value' : JSON.stringify(value)}`,
    { row, column },
  );
}

/**
 * The text pandas' `DataFrame.to_csv(index=False)` writes for `table`: a header line,
 * `\n` line endings (one after the last row too), minimal quoting as Python's csv module.
 *
 * @throws {@link CsvError} `INVALID_VALUE` for a row of the wrong length or a value its
 *   column's dtype cannot hold.
 */
export function formatCsv(table: CsvTable): string {
  const dtypes = resolveDtypes(table);
  const width = table.columns.length;
  const lines: string[] = [formatLine(table.columns.map(quote))];
  table.rows.forEach((values, r) => {
    if (values.length !== width) {
      throw new CsvError('INVALID_VALUE', `row has ${values.length} values but there are ${width} columns`, {
        row: r + 1,
      });
    }
    const cells = new Array<string>(width);
    for (let c = 0; c < width; c++) cells[c] = formatCell(values[c], dtypes[c]!, r + 1, table.columns[c]!);
    lines.push(formatLine(cells));
  });
  return lines.join('\n') + '\n';
}

/** Python's csv writer quotes a record that would otherwise be a blank line. */
function formatLine(cells: string[]): string {
  const line = cells.join(',');
  return line === '' && cells.length > 0 ? '""' : line;
}

/**
 * Writes {@link formatCsv}'s text to `path` atomically: to a temporary file in the same
 * directory, flushed to disk, then renamed over `path`, so readers never see half a file.
 * The directory must exist.
 *
 * @throws {@link CsvError} as {@link formatCsv} (nothing is written then), or the file
 *   system's error.
 */
export function writeCsv(path: string, table: CsvTable): void {
  let text: string;
  try {
    text = formatCsv(table);
  } catch (err) {
    if (err instanceof CsvError) {
      throw new CsvError(err.code, err.detail, { file: path, row: err.row, column: err.column });
    }
    throw err;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
