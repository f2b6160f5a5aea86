import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

const useColor = (): boolean => process.stdout.isTTY === true && !process.env.NO_COLOR;

/** Colors text when the terminal shows colors. */
export function paint(style: Style, text: string): string {
  return useColor() ? styleText(style, text) : text;
}

export const errorText = (t: string): string => (process.stderr.isTTY && !process.env.NO_COLOR ? styleText('red', t) : t);

/** Output formats of listings, as Airflow's `--output`. */
export type OutputFormat = 'table' | 'json' | 'plain';

/** Prints rows as JSON (an array of objects) or as an aligned table with the given columns. */
export function printRows(rows: readonly Record<string, unknown>[], columns: readonly string[], format: OutputFormat): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.join(', ');
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'object') return JSON.stringify(v);
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  const table = rows.map((r) => columns.map((c) => cell(r[c])));
  if (format === 'plain') {
    for (const line of table) process.stdout.write(`${line.join('\t')}\n`);
    return;
  }
  const widths = columns.map((c, i) => Math.max(c.length, ...table.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ').trimEnd();
  process.stdout.write(`${line(columns)}\n${widths.map((w) => '='.repeat(w)).join('=+=')}\n`);
  for (const r of table) process.stdout.write(`${line(r)}\n`);
  if (rows.length === 0) process.stdout.write('(no rows)\n');
}
