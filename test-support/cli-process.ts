/**
 * Test support shared by the packages whose tests run the built `updraft` CLI as real processes (the CLI's own tests,
 * the distributed mode's). Not a package: tests import it by path, and nothing ships it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The built CLI, as `npm test` builds it before testing. */
export const bin = resolve(repo, 'packages', 'cli', 'dist', 'bin.js');

/** An `updraft` process, its output so far, and a way to wait for a line of it. */
export interface Proc {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `node packages/cli/dist/bin.js <args>` with the given environment on top of this process's. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv, cwd = repo): Proc {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npm run build)`);
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

/** Stops a process with `signal` and waits for it; SIGKILL when it does not end within `timeoutMs`. */
export async function stopCli(p: Proc, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  await p.exited;
  clearTimeout(timer);
}

/** Polls `check` every `everyMs` until it returns a truthy value, or fails after `timeoutMs` naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 60_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
