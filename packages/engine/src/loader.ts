import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { type DAG, isDag } from '@updraft/core';
import ignore from 'ignore';
import { DagImportError } from './errors.js';
import { enableSourceMaps, firstLineInStack, sourceLineIn } from './source-line.js';
import { compiledModuleUrl, importTypeScript } from './ts-loader/import.js';

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
    if (mightDefineDags(await readFile(f, 'utf8'))) kept.push(f);
  }
  return kept;
}

/** Airflow's safe-mode heuristic: a file whose text lacks "updraft" or "dag" defines no DAG, so it is not imported. */
export function mightDefineDags(text: string): boolean {
  const lower = text.toLowerCase();
  return lower.includes('updraft') && lower.includes('dag');
}

/**
 * Imports one DAG file and returns the DAGs it exports (named or default exports, or arrays of DAGs). Each call
 * evaluates the file afresh. Turns on Node's source maps for the process (see `process.setSourceMapsEnabled`),
 * so that import errors, and the stack traces of the tasks, point at TypeScript lines.
 * @throws DagImportError with the line of the problem when the file cannot be compiled, throws while importing,
 * exports no DAG, or exports an invalid one (a cycle, for example, reported at its `new DAG` line).
 */
export async function loadDagFile(file: string): Promise<DAG[]> {
  return importDags(resolve(file), undefined);
}

/**
 * The DAGs of files imported before, kept while each file's compiled code (its source and the local modules it
 * imports) stays the same, so that a task runner builds a DAG once rather than at every try (see the engine's
 * ADR-003). A file that changed is imported again; one that fails is never kept, so the next call reports it
 * again. Files in folders where no compile cache can be written are imported afresh each time.
 */
export class DagFileCache {
  readonly #entries = new Map<string, { url: string; dags: DAG[] }>();

  /**
   * {@link loadDagFile}, from the cache when the file's code has not changed since it was imported.
   * @throws DagImportError as {@link loadDagFile} does.
   */
  async load(file: string): Promise<DAG[]> {
    const path = resolve(file);
    const hit = this.#entries.get(path);
    this.#entries.delete(path);
    let url: string | null;
    try {
      url = await compiledModuleUrl(path);
    } catch (cause) {
      throw new DagImportError(path, errorMessage(cause), errorLine(cause, path), { cause });
    }
    if (hit !== undefined && hit.url === url) {
      this.#entries.set(path, hit);
      return hit.dags;
    }
    const dags = await importDags(path, url);
    if (url !== null) this.#entries.set(path, { url, dags });
    return dags;
  }
}

async function importDags(path: string, url: string | null | undefined): Promise<DAG[]> {
  enableSourceMaps();
  let module: Record<string, unknown>;
  try {
    module = await importTypeScript(path, url);
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
      throw new DagImportError(path, errorMessage(cause), definedLine(dag, path), { cause });
    }
  }
  return dags;
}

/**
 * Imports every DAG file of a folder. A file that fails becomes an import error and the others still load.
 * A DAG id already defined by an earlier file (in sorted path order) is an import error of the later file, at
 * that DAG's `new DAG` line; the file's other DAGs still load, as in Airflow.
 * @throws DagImportError when the folder does not exist.
 */
export async function loadDagsFolder(dagsFolder: string, options: LoadDagsOptions = {}): Promise<DagBag> {
  const root = resolve(dagsFolder);
  const files = await listDagFiles(root, options);
  const bag: DagBag = { dagsFolder: root, dags: new Map(), importErrors: [], files };
  for (const file of files) {
    let dags: DAG[];
    try {
      dags = await loadDagFile(file);
    } catch (e) {
      bag.importErrors.push(e instanceof DagImportError ? e : new DagImportError(file, errorMessage(e), null, { cause: e }));
      continue;
    }
    for (const dag of dags) {
      const prior = bag.dags.get(dag.dagId);
      if (prior) {
        bag.importErrors.push(new DagImportError(file, `DAG id '${dag.dagId}' is already defined in ${prior.file}`, definedLine(dag, file)));
      } else {
        bag.dags.set(dag.dagId, { dag, file });
      }
    }
  }
  return bag;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    // esbuild's message repeats each location; keep the errors' text.
    const errors = (e as { errors?: { text?: string }[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return `syntax error: ${errors.map((x) => x.text ?? '').join('; ')}`;
    // tsx wraps esbuild's errors in a TransformError whose message holds `file:line:col: ERROR: text` lines.
    const esbuild = [...e.message.matchAll(/:\d+:\d+: ERROR: (.+)/g)].map((m) => m[1]);
    if (esbuild.length > 0) return `syntax error: ${esbuild.join('; ')}`;
    return `${e.name}: ${e.message}`;
  }
  return `non-Error thrown: ${String(e)}`;
}

/** The line in `file` that an error points at: esbuild's location, or the first stack frame in that file. */
function errorLine(e: unknown, file: string): number | null {
  const errors = (e as { errors?: { location?: { line?: number } | null }[] } | null)?.errors;
  if (Array.isArray(errors)) {
    for (const x of errors) if (x.location?.line !== undefined) return x.location.line;
  }
  const line = e instanceof Error ? firstLineInStack(e.stack ?? '', file) : null;
  if (line !== null) return line;
  // A syntax error found by Node itself names the file and line in the message's first line.
  const m = e instanceof Error ? new RegExp(`${escapeRegExp(file)}:(\\d+)`).exec(e.message) : null;
  return m ? Number(m[1]) : null;
}

function definedLine(dag: DAG, file: string): number | null {
  const at = dag.definedAt as { file: string; line: number; column?: number } | null;
  return at ? sourceLineIn({ file: at.file, line: at.line, column: at.column ?? 1 }, file) : null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
