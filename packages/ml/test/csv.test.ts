import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CsvError,
  formatCsv,
  formatPythonFloat,
  parseCsv,
  readCsv,
  toXy,
  writeCsv,
  type CsvErrorCode,
  type CsvTable,
} from '../src/index.js';
import { loadFixture } from './helpers/fixtures.js';

interface CsvFixture {
  floats: number[];
  formatted: string[];
  specials_csv: string;
  tables: (CsvTable & { csv: string })[];
}

const fx = loadFixture<CsvFixture>('csv.json');

function catchCsvError(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  throw new Error('expected a CsvError');
}

describe('formatPythonFloat', () => {
  it('prints every fixture double exactly as pandas/Python repr does', () => {
    expect(fx.floats.length).toBeGreaterThan(800);
    const mismatches = fx.floats
      .map((x, i) => [formatPythonFloat(x), fx.formatted[i]] as const)
      .filter(([got, want]) => got !== want);
    expect(mismatches).toEqual([]);
  });

  it('keeps -0.0 and prints non-finite values as Python does', () => {
    expect(formatPythonFloat(-0)).toBe('-0.0');
    expect(formatPythonFloat(Infinity)).toBe('inf');
    expect(formatPythonFloat(-Infinity)).toBe('-inf');
    expect(formatPythonFloat(Number.NaN)).toBe('nan');
  });
});

describe('formatCsv', () => {
  it.each(fx.tables.map((t) => [t.columns.join('|'), t] as const))(
    'writes what pandas to_csv(index=False) writes: %s',
    (_name, t) => {
      expect(formatCsv({ columns: t.columns, dtypes: t.dtypes, rows: t.rows })).toBe(t.csv);
    },
  );

  it('writes NaN as an empty cell and infinities as inf, as pandas does', () => {
    const rows = [[Number.NaN], [Infinity], [-Infinity], [1]];
    expect(formatCsv({ columns: ['x'], rows })).toBe(fx.specials_csv);
  });

  it('infers float for number columns and string for text columns when dtypes are omitted', () => {
    expect(formatCsv({ columns: ['n', 's'], rows: [[5, 'a'], [1e-5, 'b']] })).toBe('n,s\n5.0,a\n1e-05,b\n');
  });

  it.each<[string, CsvTable, string | undefined]>([
    ['a fractional int', { columns: ['i'], dtypes: ['int'], rows: [[1.5]] }, 'i'],
    ['text in a float column', { columns: ['f'], dtypes: ['float'], rows: [['x']] }, 'f'],
    ['a short row', { columns: ['a', 'b'], rows: [[1]] }, undefined],
    ['dtypes of the wrong length', { columns: ['a', 'b'], dtypes: ['int'], rows: [] }, undefined],
  ])('rejects %s with INVALID_VALUE', (_name, table, column) => {
    const err = catchCsvError(() => formatCsv(table));
    expect(err.code).toBe('INVALID_VALUE');
    expect(err.column).toBe(column);
  });
});

describe('parseCsv', () => {
  it('reads back what formatCsv writes, quoting and all', () => {
    const t = fx.tables[0]!;
    const back = parseCsv(t.csv, { numeric: false });
    expect(back.columns).toEqual(t.columns);
    expect(back.rows.map((r) => r[0])).toEqual(t.rows.map((r) => r[0]));
    expect(back.rows.map((r) => r[2])).toEqual(t.rows.map((r) => r[2]));
    expect(back.rows.map((r) => Number(r[3]))).toEqual(t.rows.map((r) => r[3]));
  });

  it('round-trips every fixture double through text', () => {
    const text = formatCsv({ columns: ['x'], rows: fx.floats.map((x) => [x]) });
    const back = parseCsv(text).rows.map((r) => r[0]);
    expect(back).toEqual(fx.floats);
  });

  it('accepts CRLF line ends, a BOM, blank lines and a missing final newline', () => {
    const t = parseCsv('\ufeffa,b\r\n1,2\r\n\r\n3,4');
    expect(t).toEqual({ columns: ['a', 'b'], rows: [[1, 2], [3, 4]] });
  });

  it('tells a quoted empty cell from a blank line', () => {
    expect(parseCsv('only\n""\n\na\n', { numeric: false }).rows).toEqual([[''], ['a']]);
  });

  it('checks the header against the expected columns', () => {
    const text = 'a,b,c\n1,2,3\n';
    expect(parseCsv(text, { columns: ['a', 'b', 'c'] }).rows).toEqual([[1, 2, 3]]);
    const wrong = catchCsvError(() => parseCsv(text, { columns: ['a', 'x', 'c'], file: 'f.csv' }));
    expect([wrong.code, wrong.line, wrong.column]).toEqual(['HEADER', 1, 'x']);
    expect(wrong.message).toContain('f.csv');
    expect(catchCsvError(() => parseCsv(text, { columns: ['a', 'b', 'c', 'd'] })).column).toBe('d');
    expect(catchCsvError(() => parseCsv(text, { columns: ['a', 'b'] })).column).toBe('c');
    expect(catchCsvError(() => parseCsv('a,a\n1,2\n')).code).toBe('HEADER');
  });

  it.each<[string, string, CsvErrorCode, number | undefined, number | undefined, string | undefined]>([
    ['an empty file', '', 'EMPTY_FILE', undefined, undefined, undefined],
    ['a file of blank lines', '\n\n', 'EMPTY_FILE', undefined, undefined, undefined],
    ['a short row', 'a,b,c\n1,2,3\n4,5\n', 'RAGGED_ROW', 3, 2, 'c'],
    ['a long row', 'a,b\n1,2\n3,4,5\n', 'RAGGED_ROW', 3, 2, undefined],
    ['an empty cell', 'a,b\n1,2\n3,\n', 'EMPTY_CELL', 3, 2, 'b'],
    ['a word', 'a,b\n1,oops\n', 'NOT_A_NUMBER', 2, 1, 'b'],
    ['a hex number', 'a\n0x1f\n', 'NOT_A_NUMBER', 2, 1, 'a'],
    ['a padded number', 'a\n 1\n', 'NOT_A_NUMBER', 2, 1, 'a'],
    ['infinity', 'a\ninf\n', 'NOT_A_NUMBER', 2, 1, 'a'],
    ['an open quote', 'a,b\n1,2\n"3,4\n', 'UNTERMINATED_QUOTE', 3, undefined, undefined],
  ])('rejects %s, naming the file, line, row and column', (_name, text, code, line, row, column) => {
    const err = catchCsvError(() => parseCsv(text, { file: 'data.csv' }));
    expect(err).toMatchObject({ name: 'CsvError', code, file: 'data.csv', line, row, column });
    expect(err.message).toContain('data.csv');
    if (column !== undefined) expect(err.message).toContain(`"${column}"`);
    if (row !== undefined) expect(err.message).toContain(`row ${row}`);
  });

  it('counts lines inside quoted fields when locating errors', () => {
    const err = catchCsvError(() => parseCsv('a,b\n"x\ny",1\n2,z\n', { numeric: true }));
    expect([err.line, err.row, err.column]).toEqual([2, 1, 'a']);
    const ragged = catchCsvError(() => parseCsv('s,n\n"x\ny",1\nq\n', { numeric: false }));
    expect([ragged.code, ragged.line, ragged.row, ragged.column]).toEqual(['RAGGED_ROW', 4, 2, 'n']);
  });
});

describe('toXy', () => {
  it('splits a numeric table into feature rows and the target column', () => {
    const t = parseCsv('a,target,b\n1,0,2\n3,1,4\n');
    expect(toXy(t)).toEqual({ X: [[1, 2], [3, 4]], y: [0, 1], featureNames: ['a', 'b'] });
    expect(toXy(t, 'a').y).toEqual([1, 3]);
    const err = catchCsvError(() => toXy(t, 'label'));
    expect([err.code, err.column]).toEqual(['MISSING_COLUMN', 'label']);
  });
});

describe('readCsv and writeCsv', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'updraft-ml-csv-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes atomically, replacing the old file and leaving no temporary file', () => {
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old');
    const t = fx.tables[0]!;
    writeCsv(path, t);
    expect(readFileSync(path, 'utf8')).toBe(t.csv);
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('writes nothing when the table is invalid, and names the file', () => {
    const path = join(dir, 'bad.csv');
    const err = catchCsvError(() => writeCsv(path, { columns: ['i'], dtypes: ['int'], rows: [[1], [0.5]] }));
    expect([err.code, err.file, err.row, err.column]).toEqual(['INVALID_VALUE', path, 2, 'i']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails without leftovers when the directory does not exist', () => {
    expect(() => writeCsv(join(dir, 'missing', 'x.csv'), { columns: ['a'], rows: [[1]] })).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads what it wrote and names the path in errors', () => {
    const path = join(dir, 't.csv');
    writeCsv(path, { columns: ['x', 'target'], dtypes: ['float', 'int'], rows: [[0.5, 1], [2, 0]] });
    expect(readCsv(path, { columns: ['x', 'target'] })).toEqual({ columns: ['x', 'target'], rows: [[0.5, 1], [2, 0]] });
    writeFileSync(path, 'x,target\n1,\n');
    const err = catchCsvError(() => readCsv(path));
    expect([err.code, err.file, err.line, err.row, err.column]).toEqual(['EMPTY_CELL', path, 2, 1, 'target']);
  });
});
