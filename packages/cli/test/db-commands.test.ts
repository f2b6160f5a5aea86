import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, start, stop, until } from './processes.js';

const here = dirname(fileURLToPath(import.meta.url));
const exec = promisify(execFile);
let root: string;
let dags: string;
let env: NodeJS.ProcessEnv;

async function updraft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
const json = <T>(text: string): T => JSON.parse(text) as T;

beforeAll(() => {
  root = mkdtempSync(join(here, '.tmp-db-'));
  dags = join(root, 'dags');
  mkdirSync(dags);
  writeFileSync(
    join(dags, 'etl.ts'),
    `import { DAG, chain } from '@updraft/core';
export const dag = new DAG({ dagId: 'etl', schedule: null, tags: ['x'], params: { n: { type: 'integer', default: 1, minimum: 1 } } });
chain(dag.task('extract', (ctx) => ctx.params.n), dag.task('load', (ctx) => { if (ctx.conf.fail) throw new Error('load failed'); return 1; }));
`,
  );
  writeFileSync(join(dags, 'broken.ts'), `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'broken', schedule: 'nope' });\n`);
  env = { UPDRAFT_HOME: join(root, 'home'), UPDRAFT_DAGS_FOLDER: dags };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('commands on the metadata database', () => {
  it('migrates idempotently and parses the DAGs folder into the database', async () => {
    expect((await updraft('db', 'migrate')).stdout).toMatch(/applied \d+ migration/);
    expect((await updraft('db', 'migrate')).stdout).toBe('the database is up to date\n');
    const parsed = await updraft('dag-processor', '--once');
    expect(parsed.stderr).toMatch(/1 DAG\(s\) .* 1 import error\(s\)/);
    const list = json<{ dag_id: string; is_paused: boolean; tags: string[] }[]>((await updraft('dags', 'list', '-o', 'json')).stdout);
    expect(list).toMatchObject([{ dag_id: 'etl', is_paused: true, tags: ['x'] }]);
    const errors = await updraft('dags', 'list-import-errors', '-o', 'json');
    expect(errors.code).toBe(1);
    expect(json<{ filename: string; line: number | null }[]>(errors.stdout)).toMatchObject([{ filename: join(dags, 'broken.ts'), line: 2 }]);
  });

  it('triggers with checked conf, runs after unpause, and clears failed tasks so they run again', async () => {
    const bad = await updraft('dags', 'trigger', 'etl', '--conf', '{"n": 0}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/n: must be >= 1/);
    expect((await updraft('dags', 'trigger', 'nope')).stderr).toMatch(/DAG 'nope' is not in the database/);
    const t = await updraft('dags', 'trigger', 'etl', '--conf', '{"n": 3, "fail": true}', '--run-id', 'r1', '-o', 'json');
    expect(json<{ dag_run_id: string; state: string }[]>(t.stdout)).toMatchObject([{ dag_run_id: 'r1', state: 'queued' }]);
    expect(t.stderr).toMatch(/is paused: the run stays queued/);
    expect((await updraft('dags', 'trigger', 'etl', '--run-id', 'r1')).stderr).toMatch(/r1/);
    expect((await updraft('dags', 'unpause', 'etl')).stdout).toBe('Dag: etl, paused: false\n');
    const scheduler = start(['scheduler'], env);
    try {
      await until('run r1 to fail', async () => (await updraft('dags', 'state', 'etl', 'r1')).stdout === 'failed\n', 60_000, 200);
      const states = json<{ task_id: string; state: string; try_number: number }[]>((await updraft('tasks', 'states-for-dag-run', 'etl', 'r1', '-o', 'json')).stdout);
      expect(states.map((s) => [s.task_id, s.state, s.try_number])).toEqual([
        ['extract', 'success', 1],
        ['load', 'failed', 1],
      ]);
      const dry = await updraft('tasks', 'clear', 'etl', '--only-failed', '--dry-run', '-o', 'json');
      expect(json<{ task_id: string }[]>(dry.stdout).map((r) => r.task_id)).toEqual(['load']);
      expect((await updraft('dags', 'state', 'etl', 'r1')).stdout).toBe('failed\n');
      const cleared = await updraft('tasks', 'clear', 'etl', '--task-regex', '^load$', '--run-id', 'r1');
      expect(cleared.stderr).toMatch(/cleared 1 task instance/);
      // The run goes back to queued; the cleared task fails again (the conf still says so), on its second try.
      await until('run r1 to end again', async () => (await updraft('dags', 'state', 'etl', 'r1')).stdout === 'failed\n' && (await updraft('tasks', 'states-for-dag-run', 'etl', 'r1', '-o', 'json')).stdout.includes('"try_number": 2'), 60_000, 200);
      const runs = json<{ dag_run_id: string; state: string }[]>((await updraft('dags', 'list-runs', 'etl', '-o', 'json')).stdout);
      expect(runs.map((r) => [r.dag_run_id, r.state])).toEqual([['r1', 'failed']]);
    } finally {
      await stop(scheduler);
    }
    expect((await updraft('dags', 'pause', 'etl')).stdout).toBe('Dag: etl, paused: true\n');
  });
});
