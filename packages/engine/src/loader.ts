import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type DAG, DagDefinitionError, isDag } from '@updraft/core';
import ignore from 'ignore';
import { tsImport } from 'tsx/esm/api';
import { DagImportError } from './errors.js';

/** Options of {@link loadDagsFolder}. */
export interface LoadDagsOptions {
  /**
   * Only import files whose text mentions both "updraft" and "dag" (case-insensitive), as Airflow's safe mode
   * does, so helper modules next to DAG files are not executed. Default true.
   */
  safeMode?: boolean;
}

/** A DAG and the file it came from. */
export interface LoadedDag {
  dag: DAG;
  /** Absolute path. */
  file: string;
}

/** What a DAGs folder holds: its DAGs by id, and the files that failed to import. */
export interface DagBag {
  dagsFolder: string;
  dags: Map<string, LoadedDag>;
  importErrors: DagImportError[];
  /** Every DAG file considered, absolute paths, sorted. */
  files: string[];
}

const DAG_FILE = /\.(?:ts|mts|js|mjs)$/;
const NOT_DAG_FILE = /(?:\.d\.ts|\.test\.[mc]?[tj]s|\.spec\.[mc]?[tj]s)$/;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist']);

/**
 * Lists the DAG files of a folder, recursively, honouring `.updraftignore` files (gitignore syntax, as
 * Airflow 3's `.airflowignore` in glob mode) in the folder and below.
 */
export async function listDagFiles(dagsFolder: string, options: LoadDagsOptions = {}): Promise<string[]> {
  const root = resolve(dagsFolder);
  const out: string[] = [];
  async function walk(dir: string, rules: { base: string; ig: ReturnType<typeof ignore> }[]): Promise<void> {
    let ignoreText: string | null = null;
    try {
      ignoreText = await readFile(join(dir, '.updraftignore'), 'utf8');
    } catch {
      // No ignore file here.
    }
    const here = ignoreText === null ? rules : [...rules, { base: dir, ig: ignore().add(ignoreText) }];
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      const isDir = e.isDirectory();
      if (isDir && (SKIP_DIRS.has(e.name) || e.name.startsWith('.'))) continue;
      if (here.some((r) => r.ig.ignores(relative(r.base, full).split(sep).join('/') + (isDir ? '/' : '')))) continue;
      if (isDir) await walk(full, here);
      else if (e.isFile() && DAG_FILE.test(e.name) && !NOT_DAG_FILE.test(e.name)) out.push(full);
    }
  }
  const info = await stat(root).catch(() => null);
  if (info === null) throw new DagImportError(root, `DAGs folder ${root} does not exist`, null);
  if (info.isFile()) return [root];
  await walk(root, []);
  if (options.safeMode === false) return out;
  const kept: string[] = [];
  for (const f of out) {
    const text = (await readFile(f, 'utf8')).toLowerCase();
    if (text.includes('updraft') && text.includes('dag')) kept.push(f);
  }
  return kept;
}

/**
 * Imports one DAG file and returns the DAGs it exports (named or default exports, or arrays of DAGs).
 * @throws DagImportError with the line of the problem when the file cannot be compiled, throws while importing,
 * exports no DAG, or exports an invalid one (a cycle, for example).
 */
export async function loadDagFile(file: string): Promise<DAG[]> {
  const path = resolve(file);
  let module: Record<string, unknown>;
  try {
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (cause) {
    throw new DagImportError(path, errorMessage(cause), errorLine(cause, path), { cause });
  }
  const dags: DAG[] = [];
  for (const value of Object.values(module)) {
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) if (isDag(v) && !dags.includes(v)) dags.push(v);
  }
  if (dags.length === 0) {
    throw new DagImportError(path, 'the file exports no DAG (export the DAG object, e.g. `export const dag = new DAG({...})`)', null);
  }
  for (const dag of dags) {
    try {
      dag.validate();
    } catch (cause) {
      throw new DagImportError(path, errorMessage(cause), dag.definedAt ? lineIn(dag.definedAt, path) : null, { cause });
    }
  }
  return dags;
}

/**
 * Imports every DAG file of a folder. A file that fails becomes an import error and the others still load;
 * a DAG id defined by two files is an import error of the second.
 */
export async function loadDagsFolder(dagsFolder: string, options: LoadDagsOptions = {}): Promise<DagBag> {
  const root = resolve(dagsFolder);
  const files = await listDagFiles(root, options);
  const bag: DagBag = { dagsFolder: root, dags: new Map(), importErrors: [], files };
  for (const file of files) {
    try {
      for (const dag of await loadDagFile(file)) {
        const prior = bag.dags.get(dag.dagId);
        if (prior) {
          throw new DagImportError(file, `DAG id '${dag.dagId}' is already defined in ${prior.file}`, dag.definedAt ? lineIn(dag.definedAt, file) : null);
        }
        bag.dags.set(dag.dagId, { dag, file });
      }
    } catch (e) {
      bag.importErrors.push(e instanceof DagImportError ? e : new DagImportError(file, errorMessage(e), null, { cause: e }));
    }
  }
  return bag;
}

function errorMessage(e: unknown): string {
  if (e instanceof DagDefinitionError) return e.message;
  if (e instanceof Error) {
    // esbuild's message repeats each location; keep its first line and the errors' text.
    const errors = (e as { errors?: { text?: string }[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return `syntax error: ${errors.map((x) => x.text ?? '').join('; ')}`;
    // tsx wraps esbuild's errors in a TransformError whose message holds `file:line:col: ERROR: text` lines.
    const esbuild = [...e.message.matchAll(/:\d+:\d+: ERROR: (.+)/g)].map((m) => m[1]);
    if (esbuild.length > 0) return `syntax error: ${esbuild.join('; ')}`;
    return `${e.name}: ${e.message}`;
  }
  return String(e);
}

/** The line in `file` that an error points at: esbuild's location, or the first stack frame in that file. */
function errorLine(e: unknown, file: string): number | null {
  const errors = (e as { errors?: { location?: { file?: string; line?: number } | null }[] } | null)?.errors;
  if (Array.isArray(errors)) {
    for (const x of errors) if (x.location?.line !== undefined) return x.location.line;
  }
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const url = pathToFileURL(file).href;
  for (const line of stack.split('\n')) {
    const at = line.indexOf(url) >= 0 ? line.indexOf(url) + url.length : line.indexOf(file) >= 0 ? line.indexOf(file) + file.length : -1;
    if (at < 0) continue;
    const m = /^(?:\?[^:]*)?:(\d+):\d+/.exec(line.slice(at));
    if (m) return Number(m[1]);
  }
  // A syntax error found by Node itself names the file and line in the message's first line.
  const m = e instanceof Error ? new RegExp(`${escapeRegExp(file)}:(\\d+)`).exec(e.message) : null;
  return m ? Number(m[1]) : null;
}

function lineIn(at: { file: string; line: number }, file: string): number | null {
  const where = at.file.startsWith('file:') ? fileURLToPath(at.file.replace(/\?.*$/, '')) : at.file;
  return isAbsolute(where) && resolve(where) === resolve(file) ? at.line : null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
