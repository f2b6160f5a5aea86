import { pathToFileURL } from 'node:url';
import { compileModuleGraph } from './compile-cache.js';

let loads = 0;

/** File-system errors that mean the cache folder cannot be written here (a read-only DAGs folder). */
const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Imports a TypeScript (or JavaScript) module, evaluating the file itself afresh at each call while the modules it
 * imports stay cached until they change. Compiles through the `.updraft-cache` folders (see
 * {@link compileModuleGraph}); where they cannot be written, falls back to tsx's loader hooks, which are slower to
 * start.
 */
export async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  let url: string;
  try {
    url = await compileModuleGraph(file);
  } catch (e) {
    if (!READ_ONLY.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  }
  loads += 1;
  return (await import(`${url}?load=${loads}`)) as Record<string, unknown>;
}
