import { pathToFileURL } from 'node:url';
import { compileModuleGraph } from './compile-cache.js';

let loads = 0;

/** File-system errors that mean the cache folder cannot be written here (a read-only DAGs folder). */
const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * The URL of a module's compiled code (see {@link compileModuleGraph}): it names a hash of the module's source and
 * of every local module it imports, so the same URL means the same code. Null where the `.updraft-cache` folders
 * cannot be written; {@link importTypeScript} then falls back to tsx.
 */
export async function compiledModuleUrl(file: string): Promise<string | null> {
  try {
    return await compileModuleGraph(file);
  } catch (e) {
    if (READ_ONLY.has((e as NodeJS.ErrnoException).code ?? '')) return null;
    throw e;
  }
}

/**
 * Imports a TypeScript (or JavaScript) module, evaluating the file itself afresh at each call while the modules it
 * imports stay cached until they change. Compiles through the `.updraft-cache` folders (see
 * {@link compileModuleGraph}); where they cannot be written, falls back to tsx's loader hooks, which are slower to
 * start. `url` is the file's {@link compiledModuleUrl} when the caller has it.
 */
export async function importTypeScript(file: string, url?: string | null): Promise<Record<string, unknown>> {
  const compiled = url === undefined ? await compiledModuleUrl(file) : url;
  if (compiled === null) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  }
  loads += 1;
  return (await import(`${compiled}?load=${loads}`)) as Record<string, unknown>;
}
