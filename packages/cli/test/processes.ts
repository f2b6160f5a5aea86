import { resolve } from 'node:path';
import { createSqliteStore, type MetadataStore } from '@updraft/store';
import { type Proc, startCli, stopCli } from '../../../test-support/cli-process.js';

export { bin, type Proc, repo, until } from '../../../test-support/cli-process.js';

/** Starts `updraft <args>` with the given environment. */
export const start = (args: string[], env: NodeJS.ProcessEnv, cwd?: string): Proc => startCli(args, env, cwd);

/** Stops a process as Ctrl-C does (SIGINT) and waits for it; SIGKILL if it does not end. */
export const stop = (p: Proc, timeoutMs?: number): Promise<void> => stopCli(p, 'SIGINT', timeoutMs);

/** Opens the SQLite store of an UPDRAFT_HOME, as the CLI does. */
export async function openHomeStore(home: string): Promise<MetadataStore> {
  const store = createSqliteStore({ path: resolve(home, 'updraft.db') });
  await store.migrate();
  return store;
}
