import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How to start a task runner process. */
export interface RunnerEntry {
  /** The runner's entry module. */
  file: string;
  /** Node flags of the runner process. */
  execArgv: string[];
}

/**
 * Finds the runner entry next to this module (see ADR-001): from `dist`, the built `runner/child.js` under plain
 * Node; from TypeScript sources (tests, tools run with tsx), `runner/child.ts` through tsx's ESM loader with the
 * `source` export condition, so the runner runs the same sources as its parent and needs no build.
 */
export function resolveRunnerEntry(moduleUrl: string = import.meta.url): RunnerEntry {
  if (!/\.[mc]?ts$/.test(new URL(moduleUrl).pathname)) {
    return { file: fileURLToPath(new URL('../runner/child.js', moduleUrl)), execArgv: [] };
  }
  const tsxEsm = pathToFileURL(createRequire(moduleUrl).resolve('tsx/esm')).href;
  return { file: fileURLToPath(new URL('../runner/child.ts', moduleUrl)), execArgv: ['--conditions=source', '--import', tsxEsm] };
}
