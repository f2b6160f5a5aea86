/** Why a CSV file or table was rejected; stable values a caller can branch on. */
export type CsvErrorCode =
  /** The file has no header line. */
  | 'EMPTY_FILE'
  /** The header is not the expected one, or names a column twice or not at all. */
  | 'HEADER'
  /** A row has more or fewer fields than the header. */
  | 'RAGGED_ROW'
  /** A quoted field is not closed before the end of the file. */
  | 'UNTERMINATED_QUOTE'
  /** A cell that must hold a number is empty. */
  | 'EMPTY_CELL'
  /** A cell that must hold a number holds something else. */
  | 'NOT_A_NUMBER'
  /** A column asked for by name is not in the table. */
  | 'MISSING_COLUMN'
  /** A value to write does not fit its column's dtype, or the table is malformed. */
  | 'INVALID_VALUE';

/** Where a {@link CsvError} happened; every field is optional since not all apply. */
export interface CsvErrorLocation {
  /** The file read or written, if any. */
  file?: string;
  /** 1-based line of the file where the record starts (the header is line 1). */
  line?: number;
  /** 1-based data row (the first row after the header is row 1). */
  row?: number;
  /** Name of the column at fault. */
  column?: string;
}

/** A CSV file or table that cannot be read or written, located by file, line, row and column. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  /** What was wrong. */
  readonly code: CsvErrorCode;
  /** What was wrong, in words, without the location. */
  readonly detail: string;
  /** The file read or written, if any. */
  readonly file: string | undefined;
  /** 1-based line of the file where the offending record starts (the header is line 1). */
  readonly line: number | undefined;
  /** 1-based data row (the first row after the header is row 1). */
  readonly row: number | undefined;
  /** Name of the column at fault. */
  readonly column: string | undefined;

  constructor(code: CsvErrorCode, detail: string, where: CsvErrorLocation = {}) {
    super(describe(detail, where));
    this.code = code;
    this.detail = detail;
    this.file = where.file;
    this.line = where.line;
    this.row = where.row;
    this.column = where.column;
  }
}

function describe(detail: string, where: CsvErrorLocation): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.line === undefined ? where.file : `${where.file}:${where.line}`);
  else if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.row !== undefined) parts.push(`row ${where.row}`);
  if (where.column !== undefined) parts.push(`column ${JSON.stringify(where.column)}`);
  return parts.length === 0 ? detail : `${parts.join(', ')}: ${detail}`;
}
