/**
 * A real `updraft standalone` for the end-to-end tests: the built CLI (`packages/cli/dist/bin.js`) in a child
 * process, with a new home, a DAGs folder holding the tutorial's DAG, `xss_probe` and a broken file, the
 * tutorial's outputs in a temporary folder (served to the UI as the `data`, `models` and `report` folders), an
 * admin (the generated password) and a viewer. Nothing is written into the repository but the DAGs folder, a
 * git-ignored `.tmp-e2e-*` folder in its root (DAG files must lie where `@updraft/core` resolves), removed on close.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UI_ROOT } from './harness.js';

const exec = promisify(execFile);

/** The repository's root. */
export const REPO_ROOT = join(UI_ROOT, '..', '..');
/** The built command line. */
export const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** A DAG whose texts carry HTML that the UI must show as text. */
const XSS_PROBE = `import { DAG } from '@updraft/core';

export const dag = new DAG({
  dagId: 'xss_probe',
  description: '<script>window.__xss = "description"</script><b>bold?</b>',
  schedule: null,
  startDate: '2025-01-01T00:00:00Z',
  tags: ['security'],
  params: { times: { type: 'integer', default: 1, minimum: 1, description: 'How often to echo.' } },
});

// <script>window.__xss = "source"</script>
dag.task('echo', (ctx) => {
  ctx.log.info('<script>window.__xss = "log"</script>');
  ctx.log.info('<img src=x onerror="window.__xss = 1">');
});
`;

/** A DAG file that does not compile: an import error for the UI to list. */
const BROKEN_DAG = `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'broken' ;\n`;

/** A running stack and how to reach it. */
export interface RealStack {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  admin: { username: string; password: string };
  viewer: { username: string; password: string };
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Stops the process (SIGINT, SIGKILL after 30 s) and removes its folders. */
  close(): Promise<void>;
}

/**
 * Why the stack cannot start from this tree (the CLI or the UI not built, or built before their sources last
 * changed), or null when it can.
 */
export function realStackUnavailable(): string | null {
  if (!existsSync(CLI_BIN)) return `${CLI_BIN} does not exist: run npm run build`;
  const checks: [string, string[], string][] = [
    ['@updraft/ui', [join(UI_ROOT, 'app'), join(UI_ROOT, 'src')], join(UI_ROOT, 'dist', 'web', 'index.html')],
    ['@updraft/api', [join(REPO_ROOT, 'packages', 'api', 'src')], join(REPO_ROOT, 'packages', 'api', 'dist', '.tsbuildinfo')],
  ];
  for (const [name, sources, built] of checks) {
    if (!existsSync(built)) return `${built} does not exist: run npm run build`;
    const builtAt = statSync(built).mtimeMs;
    if (sources.some((dir) => newestFile(dir) > builtAt)) return `${name} changed since it was built: run npm run build`;
  }
  return null;
}

/** Files a build reads (an ADR beside the code does not make the build stale). */
const BUILT_FROM = /\.(ts|tsx|css|html|json)$/;

function newestFile(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && BUILT_FROM.test(e.name)) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Starts the stack; resolves when the API server listens with the DAGs parsed. */
export async function startRealStack(): Promise<RealStack> {
  const dags = mkdtempSync(join(REPO_ROOT, '.tmp-e2e-'));
  const home = mkdtempSync(join(tmpdir(), 'updraft-e2e-home-'));
  const out = mkdtempSync(join(tmpdir(), 'updraft-e2e-out-'));
  let child: ChildProcess | null = null;
  const removeFolders = () => {
    for (const d of [dags, home, out]) rmSync(d, { recursive: true, force: true });
  };
  try {
    const tutorial = join(REPO_ROOT, 'mlops', 'dags');
    for (const f of readdirSync(tutorial)) {
      if (f.endsWith('.ts') || f === '.updraftignore') cpSync(join(tutorial, f), join(dags, f));
    }
    cpSync(join(tutorial, 'src'), join(dags, 'src'), { recursive: true });
    writeFileSync(join(dags, 'xss_probe.ts'), XSS_PROBE);
    writeFileSync(join(dags, 'broken_dag.ts'), BROKEN_DAG);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      UPDRAFT_HOME: home,
      MLOPS_OUTPUT_DIR: out,
      UPDRAFT_OUTPUT_FOLDERS: ['data', 'models', 'report'].map((n) => `${n}=${join(out, n)}`).join(','),
      // A failed try is retried soon, not after the tutorial's ten minutes.
      MLOPS_RETRY_DELAY_SECONDS: '2',
    };
    const proc = spawn(process.execPath, [CLI_BIN, 'standalone', '--dags-folder', dags, '--port', '0'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    // Should the test process end without closing the stack (a crash, a timeout), the server ends with it.
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    let text = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`updraft standalone did not start in 90 s:\n${text}`)), 90_000);
      const onData = (d: Buffer) => {
        text += d.toString();
        const m = /api-server: listening on (http:\/\/\S+)/.exec(text);
        if (m && /standalone: ready/.test(text)) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`updraft standalone exited (${code}) before it was ready:\n${text}`));
      });
    });
    // After the first start: a home that has a user gets no generated admin.
    const { admin } = JSON.parse(readFileSync(join(home, 'passwords.generated'), 'utf8')) as { admin: string };
    const viewer = { username: 'viewer', password: randomBytes(12).toString('base64url') };
    await exec(process.execPath, [CLI_BIN, 'users', 'create', '--username', viewer.username, '--role', 'viewer', '--password', viewer.password], { env });
    const exited = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
    return {
      url,
      admin: { username: 'admin', password: admin },
      viewer,
      output: () => text,
      close: async () => {
        process.off('exit', killOnExit);
        proc.kill('SIGINT');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
        removeFolders();
      },
    };
  } catch (error) {
    child?.kill('SIGKILL');
    removeFolders();
    throw error;
  }
}
