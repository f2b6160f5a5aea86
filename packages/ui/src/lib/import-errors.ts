import type { ImportErrorResponse } from '../api/types.js';

/** An import error as the banner shows it. */
export interface ImportErrorView {
  id: number;
  file: string;
  /** 1-based line of the problem, when the message or trace names one in this file. */
  line: number | null;
  /** The first line of the error. */
  message: string;
  /** The rest (the stack trace). */
  details: string;
}

const ESCAPE = /[.*+?^${}()|[\]\\]/g;

/** Splits an import error into its file, line, message and details. */
export function describeImportError(e: ImportErrorResponse): ImportErrorView {
  const text = e.stack_trace.replace(/\r\n/g, '\n').trim();
  const newline = text.indexOf('\n');
  const message = newline === -1 ? text : text.slice(0, newline);
  const details = newline === -1 ? '' : text.slice(newline + 1).trim();
  const file = e.filename;
  const name = file.split(/[\\/]/).pop() ?? file;
  // `file.ts:12:3`, `file.ts:12`, or "line 12": the first mention of this file wins, then any "line N".
  const at = new RegExp(`${name.replace(ESCAPE, '\\$&')}:(\\d+)`).exec(text) ?? /\bline (\d+)/i.exec(text);
  const line = at ? Number(at[1]) : null;
  // The DAG processor starts its message with `<file>:<line>[:<col>]: `, which the banner shows beside it already.
  const own = new RegExp(`^(?:${file.replace(ESCAPE, '\\$&')}|${name.replace(ESCAPE, '\\$&')})(?::\\d+){0,2}:\\s*`);
  const shown = message.replace(own, '');
  return { id: e.import_error_id, file, line: line !== null && line > 0 ? line : null, message: shown || message || 'Import failed', details };
}
