import { findSourceMap } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Turns stack-trace positions into lines of a DAG file's TypeScript source.
 *
 * tsx compiles a DAG file to a single line of JavaScript with an inline source map. Whether a stack trace shows
 * source lines depends on who formats it: tsx's own `Error.prepareStackTrace` does (its frames name the plain
 * path), but a host that installs another one (a test runner, an APM agent) shows the compiled position
 * (`file:///x.ts?tsx-namespace=...:1:94`). Positions of the second kind are mapped here through Node's source-map
 * cache, which is filled only while source maps are enabled; {@link enableSourceMaps} turns that on.
 */

/** Lets Node keep the source maps of modules loaded from now on. Process-wide, and idempotent. */
export function enableSourceMaps(): void {
  if (!process.sourceMapsEnabled) process.setSourceMapsEnabled(true);
}

/** One `file:line:column` found in a stack frame or in a `DAG.definedAt`. */
export interface StackLocation {
  /** A path or a file URL, possibly with a query. */
  file: string;
  line: number;
  column: number;
}

/** The 1-based source line of `at` when it lies in `file`, mapped through the source map when it is compiled code. */
export function sourceLineIn(at: StackLocation, file: string): number | null {
  const query = at.file.indexOf('?');
  const bare = query >= 0 ? at.file.slice(0, query) : at.file;
  let path: string;
  try {
    path = bare.startsWith('file:') ? fileURLToPath(bare) : bare;
  } catch {
    return null;
  }
  if (!isAbsolute(path) || resolve(path) !== resolve(file)) return null;
  // Only a module URL with its loader's query is compiled code; a plain path was already mapped by whoever formatted the stack.
  if (query < 0) return at.line;
  const entry = findSourceMap(at.file)?.findEntry(at.line - 1, at.column - 1);
  return entry && 'originalLine' in entry ? entry.originalLine + 1 : at.line;
}

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;

/** The 1-based source line of the first frame of `stack` that lies in `file`. */
export function firstLineInStack(stack: string, file: string): number | null {
  for (const frame of stack.split('\n')) {
    const m = FRAME.exec(frame.trim());
    if (!m) continue;
    const line = sourceLineIn({ file: m[1] as string, line: Number(m[2]), column: Number(m[3]) }, file);
    if (line !== null) return line;
  }
  return null;
}
