import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** How to start a child process module: its file, and the Node options it needs. */
export interface ChildEntry {
  file: string;
  execArgv: string[];
}

/**
 * Finds a child module next to the caller: the built `.js` when it exists (production), else the `.ts` source run
 * through tsx's loader (tests run the packages from source).
 */
export function childEntry(baseUrl: string, name: string): ChildEntry {
  const js = fileURLToPath(new URL(`./${name}.js`, baseUrl));
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: fileURLToPath(new URL(`./${name}.ts`, baseUrl)), execArgv: ['--import', 'tsx'] };
}
