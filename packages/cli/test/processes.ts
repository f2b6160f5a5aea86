import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStore, type MetadataStore } from '@updraft/store';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '..', '..', '..');
export const bin = resolve(here, '..', 'dist', 'bin.js');

/** A CLI process, its output so far, and a way to wait for a line of it. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `updraft <args>` with the given environment. */
export function start(args: string[], env: NodeJS.ProcessEnv, cwd = repo): Proc {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (d: Buffer): void => {
    text += d.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      if (pattern.test(text)) return Promise.resolve();
      return new Promise((resolveWait, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(pattern)}; output:\n${text}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolveWait()) });
        void exited.then((code) => reject(new Error(`process exited (${code}) before ${String(pattern)}; output:\n${text}`)));
      });
    },
  };
}

/** Stops a process with SIGINT and waits for it; SIGKILL if it does not end. */
export async function stop(p: Proc, timeoutMs = 30_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGINT');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  await p.exited;
  clearTimeout(timer);
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with `what`. */
export async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Opens the SQLite store of an UPDRAFT_HOME, as the CLI does. */
export async function openHomeStore(home: string): Promise<MetadataStore> {
  const store = createSqliteStore({ path: resolve(home, 'updraft.db') });
  await store.migrate();
  return store;
}
