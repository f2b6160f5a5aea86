import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModel } from '@updraft/ml';
import type { MetadataStore } from '@updraft/store';
import { afterEach, describe, expect, it } from 'vitest';
import { openHomeStore, type Proc, repo, start, stop, until } from './processes.js';

const here = dirname(fileURLToPath(import.meta.url));
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function tempDir(prefix: string, under = tmpdir()): string {
  const d = mkdtempSync(join(under, prefix));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function track(p: Proc): Proc {
  cleanup.push(() => stop(p));
  return p;
}

async function tracked(home: string): Promise<MetadataStore> {
  const store = await openHomeStore(home);
  cleanup.push(() => store.close());
  return store;
}

const RUN_STATE = async (store: MetadataStore, dagId: string): Promise<string | null> => (await store.listDagRuns({ dagIds: [dagId] })).items[0]?.state ?? null;

describe('chaos, with real processes', () => {
  it('retries train_model after its runner is killed with SIGKILL, and the run succeeds; no half-written model is ever visible', async () => {
    const home = tempDir('updraft-home-');
    const out = tempDir('updraft-out-');
    const env = { UPDRAFT_HOME: home, MLOPS_OUTPUT_DIR: out, MLOPS_RETRY_DELAY_SECONDS: '0' };
    const sa = track(start(['standalone', '--dags-folder', 'mlops/dags'], env));
    await sa.waitFor(/standalone: ready/);
    const store = await tracked(home);
    await store.setDagPaused('mlops_pipeline', false);
    const modelFile = join(out, 'models', 'model.json');
    let checks = 0;
    const checkModel = (): void => {
      if (!existsSync(modelFile)) return;
      // Whenever the model file exists, it is whole: written to a temporary name, then renamed.
      parseModel(readFileSync(modelFile, 'utf8'), modelFile);
      checks++;
    };
    const victim = await until('train_model to run', async () => {
      checkModel();
      const ti = (await store.listTaskInstances({ dagIds: ['mlops_pipeline'], taskIds: ['train_model'], states: ['running'] })).items[0];
      return ti?.pid ? ti : null;
    });
    process.kill(victim.pid as number, 'SIGKILL');
    await until('the run to finish', async () => {
      checkModel();
      const s = await RUN_STATE(store, 'mlops_pipeline');
      return s === 'success' || s === 'failed' ? s : null;
    });
    expect(await RUN_STATE(store, 'mlops_pipeline')).toBe('success');
    const train = await store.getTaskInstance({ dagId: 'mlops_pipeline', runId: victim.runId, taskId: 'train_model' });
    expect(train).toMatchObject({ state: 'success', tryNumber: 2 });
    const history = await store.listTaskInstanceHistory({ dagId: 'mlops_pipeline', runId: victim.runId, taskId: 'train_model' });
    expect(history.map((h) => [h.tryNumber, h.state])).toEqual([
      [1, 'up_for_retry'],
      [2, 'success'],
    ]);
    expect(checks).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'report', 'model_accuracy_report.md'), 'utf8')).toContain('**Accuracy: 1.0000**');
  }, 180_000);

  it('finishes the run after the scheduler is killed with SIGKILL and started again, with no duplicate run or try', async () => {
    const home = tempDir('updraft-home-');
    const out = tempDir('updraft-out-');
    const env = { UPDRAFT_HOME: home, MLOPS_OUTPUT_DIR: out, MLOPS_RETRY_DELAY_SECONDS: '0' };
    const processor = track(start(['dag-processor', '--dags-folder', 'mlops/dags'], env));
    await processor.waitFor(/dag-processor: 1 DAG/);
    const scheduler = track(start(['scheduler'], env));
    await scheduler.waitFor(/scheduler: running/);
    const store = await tracked(home);
    await store.setDagPaused('mlops_pipeline', false);
    const running = await until('a task to run', async () => (await store.listTaskInstances({ dagIds: ['mlops_pipeline'], states: ['running'] })).items[0]);
    scheduler.child.kill('SIGKILL');
    await scheduler.exited;
    // Its runners notice the lost parent and exit.
    await until('the orphaned runner to exit', () => {
      try {
        process.kill(running.pid as number, 0);
        return Promise.resolve(false);
      } catch {
        return Promise.resolve(true);
      }
    });
    track(start(['scheduler'], env));
    await until('the run to finish', async () => {
      const s = await RUN_STATE(store, 'mlops_pipeline');
      return s === 'success' || s === 'failed' ? s : null;
    });
    const runs = (await store.listDagRuns({ dagIds: ['mlops_pipeline'] })).items;
    expect(runs.map((r) => r.state)).toEqual(['success']);
    for (const taskId of ['preprocess_data', 'train_model', 'evaluate_model', 'generate_report']) {
      const tries = (await store.listTaskInstanceHistory({ dagId: 'mlops_pipeline', runId: running.runId, taskId })).map((h) => h.tryNumber);
      expect(new Set(tries).size).toBe(tries.length);
    }
    const interrupted = await store.getTaskInstance({ dagId: 'mlops_pipeline', runId: running.runId, taskId: running.taskId });
    expect(interrupted?.state).toBe('success');
    expect(interrupted?.tryNumber).toBe(2);
  }, 180_000);

  it('keeps the scheduler up beside a hundred broken DAG files, each an import error, and still runs the tutorial DAG', async () => {
    const home = tempDir('updraft-home-');
    const out = tempDir('updraft-out-');
    const dags = join(tempDir('.tmp-chaos-', here), 'dags');
    mkdirSync(dags);
    cpSync(join(repo, 'mlops', 'dags', 'mlops_pipeline.ts'), join(dags, 'mlops_pipeline.ts'));
    cpSync(join(repo, 'mlops', 'dags', 'src'), join(dags, 'src'), { recursive: true, filter: (f) => !f.includes('.updraft-cache') });
    cpSync(join(repo, 'mlops', 'dags', '.updraftignore'), join(dags, '.updraftignore'));
    for (let i = 0; i < 100; i++) {
      const kinds = [
        `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'broken_${i}' ;\n`,
        `import { DAG } from '@updraft/core';\nthrow new Error('broken ${i}');\n`,
        `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'broken_${i}', schedule: 'every tuesday' });\n`,
        `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'broken_${i}' });\nconst a = dag.task('a', () => 1);\na.then(a);\n`,
      ];
      writeFileSync(join(dags, `broken_${i}.ts`), kinds[i % kinds.length] as string);
    }
    const sa = track(start(['standalone', '--dags-folder', dags], { UPDRAFT_HOME: home, MLOPS_OUTPUT_DIR: out }));
    await sa.waitFor(/standalone: ready/, 120_000);
    expect(sa.output()).toMatch(/1 DAG\(s\) .* 100 import error\(s\)/);
    const store = await tracked(home);
    expect((await store.listImportErrors()).total).toBe(100);
    await store.setDagPaused('mlops_pipeline', false);
    await until('the run to succeed', async () => (await RUN_STATE(store, 'mlops_pipeline')) === 'success', 120_000);
    expect(sa.child.exitCode).toBeNull();
  }, 300_000);
});
