import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type DAG, TaskInstanceState } from '@updraft/core';
import { loadDagFile, runDagTest } from '@updraft/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const dagFile = resolve(here, '..', 'dags', 'mlops_pipeline.ts');
const cli = resolve(repo, 'packages', 'cli', 'dist', 'bin.js');
const referenceCsv = readFileSync(join(here, 'fixtures', 'iris.reference.csv'));
const run = promisify(execFile);

const tmp: string[] = [];
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'updraft-mlops-'));
  tmp.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

let dag: DAG;
beforeAll(async () => {
  const dags = await loadDagFile(dagFile);
  expect(dags.map((d) => d.dagId)).toEqual(['mlops_pipeline']);
  dag = dags[0] as DAG;
});

describe('mlops_pipeline', () => {
  it("is the tutorial's DAG: four tasks in a line, daily, one retry after 10 minutes, no catchup", () => {
    expect(dag.topologicalOrder()).toEqual(['preprocess_data', 'train_model', 'evaluate_model', 'generate_report']);
    expect([...dag.getTask('train_model').upstreamTaskIds]).toEqual(['preprocess_data']);
    expect([...dag.getTask('generate_report').upstreamTaskIds]).toEqual(['evaluate_model']);
    expect(dag.schedule).toMatchObject({ kind: 'cron', expression: '0 0 * * *' });
    expect(dag.catchup).toBe(false);
    for (const t of dag.tasks) {
      expect(t.args.owner).toBe('mlops-airflow');
      expect(t.args.retries).toBe(1);
      expect(t.args.retryDelayMs).toBe(600_000);
    }
  });

  it('writes the same CSV bytes as pandas, reaches accuracy 1.0 with the reference confusion matrix, and reports it', async () => {
    const dir = outDir();
    const result = await runDagTest(dag, { conf: { output_dir: dir }, runId: 'manual__test_1' });
    expect(result.taskInstances.map((t) => [t.taskId, t.state, t.tryNumber])).toEqual([
      ['preprocess_data', 'success', 1],
      ['train_model', 'success', 1],
      ['evaluate_model', 'success', 1],
      ['generate_report', 'success', 1],
    ]);
    expect(result.state).toBe('success');
    expect(readFileSync(join(dir, 'data', 'iris.csv')).equals(referenceCsv)).toBe(true);
    const accuracy = result.xcoms.find((x) => x.taskId === 'evaluate_model' && x.key === 'accuracy');
    expect(accuracy?.value).toBe(1);
    const metrics = result.xcoms.find((x) => x.taskId === 'evaluate_model' && x.key === 'metrics')?.value as { confusionMatrix: number[][]; data: Record<string, number> };
    expect(metrics.confusionMatrix).toEqual([[10, 0, 0], [0, 9, 0], [0, 0, 11]]);
    expect(metrics.data).toMatchObject({ rows: 150, trainRows: 120, testRows: 30 });
    const report = readFileSync(join(dir, 'report', 'model_accuracy_report.md'), 'utf8');
    expect(report).toContain('**Accuracy: 1.0000**');
    expect(report).toContain('manual__test_1');
    expect(report).toMatch(/\| \*\*versicolor\*\* \| 0 \| 9 \| 0 \|/);
    expect(report).toMatch(/\| virginica \| 1\.0000 \| 1\.0000 \| 1\.0000 \| 11 \|/);
    expect(report).toContain('120 train / 30 test');
  });

  it('gives byte-identical model and report when run twice (the run id aside)', async () => {
    const a = outDir();
    const b = outDir();
    await runDagTest(dag, { conf: { output_dir: a }, runId: 'manual__a' });
    await runDagTest(dag, { conf: { output_dir: b }, runId: 'manual__b' });
    const model = (d: string): Buffer => readFileSync(join(d, 'models', 'model.json'));
    expect(model(a).equals(model(b))).toBe(true);
    const report = (d: string, id: string): string => readFileSync(join(d, 'report', 'model_accuracy_report.md'), 'utf8').replaceAll(id, 'RUN');
    expect(report(a, 'manual__a')).toBe(report(b, 'manual__b'));
  });

  it('fails train_model clearly when preprocess_data has not run', async () => {
    const dir = outDir();
    const events: string[] = [];
    const result = await runDagTest(dag, {
      conf: { output_dir: dir },
      taskIds: ['train_model'],
      skipRetryDelay: true,
      onEvent: (e) => {
        if (e.type === 'task-state' && e.error) events.push(e.error.message);
      },
    });
    const train = result.taskInstances.find((t) => t.taskId === 'train_model');
    expect(train?.state).toBe(TaskInstanceState.FAILED);
    expect(train?.tryNumber).toBe(2);
    expect(train?.error?.message).toMatch(/data file .*iris\.csv not found: run preprocess_data first/);
  });

  it('fails generate_report at once, without retries, when the accuracy XCom is absent', async () => {
    const dir = outDir();
    const result = await runDagTest(dag, { conf: { output_dir: dir }, taskIds: ['generate_report'], skipRetryDelay: true });
    const report = result.taskInstances.find((t) => t.taskId === 'generate_report');
    expect(report?.state).toBe(TaskInstanceState.FAILED);
    expect(report?.tryNumber).toBe(1);
    expect(report?.error?.message).toMatch(/no XCom 'accuracy' from evaluate_model/);
  });

  it('fails evaluate_model clearly when the model file is missing', async () => {
    const dir = outDir();
    await runDagTest(dag, { conf: { output_dir: dir }, taskIds: ['preprocess_data'] });
    const result = await runDagTest(dag, { conf: { output_dir: dir }, taskIds: ['evaluate_model'], skipRetryDelay: true });
    expect(result.taskInstances.find((t) => t.taskId === 'evaluate_model')?.error?.message).toMatch(/model file .*model\.json not found: run train_model first/);
  });

  it('runs from the repository root with `updraft dags test mlops_pipeline --dags-folder mlops/dags`', async () => {
    const dir = outDir();
    const { stdout } = await run(process.execPath, [cli, 'dags', 'test', 'mlops_pipeline', '--dags-folder', 'mlops/dags', '--conf', JSON.stringify({ output_dir: dir })], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/generate_report\s+success/);
    expect(stdout).toMatch(/evaluate_model\s+accuracy\s+1\n/);
    expect(stdout).toMatch(/DAG run mlops_pipeline \/ manual__\S+: success/);
    expect(readFileSync(join(dir, 'data', 'iris.csv')).equals(referenceCsv)).toBe(true);
  });

  it('runs inside mlops/ with the default ./dags folder, output redirected by MLOPS_OUTPUT_DIR', async () => {
    const dir = outDir();
    const { stdout } = await run(process.execPath, [cli, 'dags', 'test', 'mlops_pipeline', '--quiet'], { cwd: join(repo, 'mlops'), env: { ...process.env, NO_COLOR: '1', MLOPS_OUTPUT_DIR: dir, UPDRAFT_DAGS_FOLDER: '' } });
    expect(stdout).toMatch(/: success in /);
    expect(readFileSync(join(dir, 'report', 'model_accuracy_report.md'), 'utf8')).toContain('**Accuracy: 1.0000**');
  });
});
