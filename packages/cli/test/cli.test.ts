import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '..', 'dist', 'bin.js');
const exec = promisify(execFile);

/** Runs the built CLI; never throws, returns the exit code and output. */
async function updraft(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { UPDRAFT_DAGS_FOLDER: _, ...env } = process.env;
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { cwd, env: { ...env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// DAG files live under the repository so that `@updraft/core` resolves from them as it does for users.
let root: string;
let dags: string;
beforeAll(() => {
  root = mkdtempSync(join(here, '.tmp-'));
  dags = join(root, 'dags');
  mkdirSync(dags);
  writeFileSync(
    join(dags, 'good.ts'),
    `import { DAG, chain } from '@updraft/core';
export const dag = new DAG({ dagId: 'good', schedule: '@daily', startDate: '2025-01-01', tags: ['t1'], defaultArgs: { owner: 'alice' },
  params: { n: { type: 'integer', default: 2, minimum: 1 } } });
const a = dag.task('a', (ctx) => (ctx.params.n as number) * 21);
const b = dag.task('b', async (ctx) => { const v = await ctx.ti.xcomPull<number>({ taskIds: 'a' }); ctx.log.info('got %s', v); return v; });
chain(a, b);
export const flaky = new DAG({ dagId: 'flaky' });
let calls = 0;
flaky.task('once_failing', () => { calls += 1; if (calls === 1) throw new Error('first try fails'); return calls; }, { retries: 1, retryDelay: { hours: 1 } });
flaky.task('always_failing', () => { throw new Error('boom'); });
`,
  );
  writeFileSync(join(dags, 'broken_syntax.ts'), `import { DAG } from '@updraft/core';\n// a DAG file\nexport const dag = new DAG({ dagId: 'x' ;\n`);
  writeFileSync(join(dags, 'throws.ts'), `import { DAG } from '@updraft/core';\nconst dagId = 'throws';\n\nthrow new Error('cannot reach the warehouse');\nexport const dag = new DAG({ dagId });\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the updraft command', () => {
  const repo = resolve(here, '..', '..', '..');

  it('is linked by npm install and runs the CLI, as `npm start` and `npx updraft` call it', async () => {
    // npm links the bin of a fresh clone before `prepare` builds it, and links no file that is missing then.
    const { stdout } = await exec(join(repo, 'node_modules', '.bin', 'updraft'), ['--version'], { cwd: repo });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const { stdout: viaNpm } = await exec('npm', ['exec', '--no', '--', 'updraft', 'dags', 'list', '--local', '--dags-folder', dags, '--output', 'json'], { cwd: repo });
    expect((JSON.parse(viaNpm) as { dag_id: string }[]).map((d) => d.dag_id)).toContain('good');
  });

  it('says to build when the CLI it runs is not built', async () => {
    const copy = join(root, 'unbuilt');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    writeFileSync(join(copy, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(copy, 'bin', 'updraft.js'), readFileSync(resolve(here, '..', 'bin', 'updraft.js')));
    const failed = await exec(process.execPath, [join(copy, 'bin', 'updraft.js'), '--version']).then(
      () => null,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/the CLI is not built \(.*unbuilt\/dist\/bin\.js is missing\): run `npm run build`/);
  });
});

describe('updraft dags list', () => {
  it('lists the DAGs as JSON with Airflow field names, and the import errors on stderr', async () => {
    const r = await updraft(['dags', 'list', '--dags-folder', dags, '--output', 'json'], root);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((d) => d.dag_id)).toEqual(['flaky', 'good']);
    expect(rows[1]).toMatchObject({ dag_id: 'good', owners: ['alice'], tags: ['t1'], timetable_summary: '@daily', fileloc: join(dags, 'good.ts') });
    expect(r.stderr).toMatch(/2 file\(s\) failed to import/);
    expect(r.stderr).toMatch(/broken_syntax\.ts:3: syntax error/);
    expect(r.stderr).toMatch(/throws\.ts:4: Error: cannot reach the warehouse/);
  });

  it('prints a table by default', async () => {
    const r = await updraft(['dags', 'list', '--dags-folder', dags], root);
    expect(r.stdout.split('\n')[0]).toMatch(/^dag_id\s+\| fileloc/);
    expect(r.stdout).toMatch(/good\s+\| dags\/good\.ts\s+\| alice/);
  });

  it('lists import errors with file, line and message, and exits 1 when there are some', async () => {
    const r = await updraft(['dags', 'list-import-errors', '--dags-folder', dags, '-o', 'json'], root);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as { filename: string; line: number | null; error: string }[];
    expect(rows.map((e) => [e.filename, e.line])).toEqual([
      [join(dags, 'broken_syntax.ts'), 3],
      [join(dags, 'throws.ts'), 4],
    ]);
  });

  it('takes the DAGs folder from UPDRAFT_DAGS_FOLDER', async () => {
    const { stdout } = await exec(process.execPath, [bin, 'dags', 'list', '-o', 'json'], { cwd: root, env: { ...process.env, UPDRAFT_DAGS_FOLDER: dags } });
    expect((JSON.parse(stdout) as unknown[]).length).toBe(2);
  });
});

describe('updraft dags test', () => {
  it('runs the DAG, shows states, logs and XComs, and exits 0', async () => {
    const r = await updraft(['dags', 'test', 'good', '--dags-folder', dags, '--conf', '{"n": 3}'], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/▶ a\s+running\s+try 1/);
    expect(r.stdout).toMatch(/✔ b\s+success\s+try 1/);
    expect(r.stdout).toMatch(/b\s+INFO\s+got 63/);
    expect(r.stdout).toMatch(/a\s+return_value\s+63/);
    expect(r.stdout).toMatch(/DAG run good \/ manual__\S+: success/);
  });

  it('rejects a conf that fails the params, naming the param, with exit code 2', async () => {
    const r = await updraft(['dags', 'test', 'good', '--dags-folder', dags, '--conf', '{"n": 0}'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid params: n: must be >= 1/);
  });

  it('rejects conf that is not a JSON object', async () => {
    const r = await updraft(['dags', 'test', 'good', '--dags-folder', dags, '--conf', '[1'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--conf is not valid JSON/);
  });

  it('retries without waiting under --no-retry-delay and exits 1 when the run fails', async () => {
    const r = await updraft(['dags', 'test', 'flaky', '--dags-folder', dags, '--no-retry-delay'], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/↻ once_failing\s+up_for_retry\s+try 1 .*next try in 0ms.*first try fails/);
    expect(r.stdout).toMatch(/✔ once_failing\s+success\s+try 2/);
    expect(r.stdout).toMatch(/✘ always_failing\s+failed\s+try 1 .*Error: boom/);
    expect(r.stdout).toMatch(/: failed in /);
  });

  it('names the import errors when the DAG is not found', async () => {
    const r = await updraft(['dags', 'test', 'throws', '--dags-folder', dags], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DAG 'throws' not found in .*2 file\(s\) failed to import/);
  });
});

describe('updraft tasks', () => {
  it('tests one task alone: upstream XComs are absent', async () => {
    const r = await updraft(['tasks', 'test', 'good', 'b', '--dags-folder', dags], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/b\s+INFO\s+got undefined/);
    expect(r.stdout).not.toMatch(/▶ a\s/);
  });

  it('lists tasks in run order', async () => {
    const r = await updraft(['tasks', 'list', 'good', '--dags-folder', dags, '-o', 'json'], root);
    expect((JSON.parse(r.stdout) as { task_id: string; downstream_task_ids: string[] }[]).map((t) => [t.task_id, t.downstream_task_ids])).toEqual([
      ['a', ['b']],
      ['b', []],
    ]);
  });

  it('reports an unknown task clearly', async () => {
    const r = await updraft(['tasks', 'test', 'good', 'nope', '--dags-folder', dags], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DAG 'good' has no task 'nope'/);
  });
});
