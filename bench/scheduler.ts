import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DagRunState } from '@updraft/core';
import { LocalExecutor } from '@updraft/engine';
import { DagProcessor, Scheduler, SerializedDagCache, StoreXComBackend, triggerDagRun } from '@updraft/scheduler';
import { createSqliteStore, type MetadataStore } from '@updraft/store';
import { childrenCpuMs, fmt, median, table, treeRss } from './lib.js';

const repo = resolve(import.meta.dirname, '..');

/**
 * How often the bench looks whether the runs finished while the executor has no try (the last runs end then; their
 * state is written by the scheduler's pass after the last try).
 */
const WATCH_MS = 2;
/** How often it looks otherwise: reading run states costs the scheduler's process time while it is busiest. */
const BUSY_WATCH_MS = 50;

interface Stack {
  store: MetadataStore;
  scheduler: Scheduler;
  executor: LocalExecutor;
  close(): Promise<void>;
}

/** A store, a processor pass, and a running scheduler with the local executor, in a temporary home. */
async function stack(dagsFolder: string, home: string): Promise<Stack> {
  const store = createSqliteStore({ path: join(home, 'updraft.db') });
  await store.migrate();
  const processor = new DagProcessor({ store, dagsFolder, dagsArePausedAtCreation: false });
  await processor.processOnce();
  await processor.stop();
  const executor = new LocalExecutor({ xcoms: new StoreXComBackend(store), logsFolder: join(home, 'logs') });
  const scheduler = new Scheduler({ store, executor, executorName: 'LocalExecutor' });
  // As in `standalone`, whose runners boot while it starts: the figures are of scheduling, not of Node's boot.
  await executor.whenWarm();
  await scheduler.start();
  return {
    store,
    scheduler,
    executor,
    async close() {
      await scheduler.stop();
      await store.close();
    },
  };
}

/**
 * Resolves when every given run has finished. It looks every WATCH_MS while the executor has no try, and every
 * BUSY_WATCH_MS while it has, since runs end only when their last tries have. Each look reads only the runs not
 * seen finished yet, and stops at the first unfinished one.
 */
function allFinished(s: Stack, runs: { dagId: string; runId: string }[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let checking = false;
    let finished = 0;
    let lastCheck = 0;
    const check = async (): Promise<void> => {
      const idle = s.executor.runningCount + s.executor.queuedCount === 0;
      if (checking || (!idle && performance.now() - lastCheck < BUSY_WATCH_MS)) return;
      checking = true;
      lastCheck = performance.now();
      try {
        for (; finished < runs.length; finished++) {
          const r = runs[finished] as { dagId: string; runId: string };
          const run = await s.store.getDagRun(r.dagId, r.runId);
          if (run?.state === DagRunState.FAILED) throw new Error(`run ${r.dagId}/${r.runId} failed`);
          if (run?.state !== DagRunState.SUCCESS) break;
        }
        if (finished === runs.length) {
          clearInterval(timer);
          resolvePromise();
        }
      } catch (e) {
        clearInterval(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      } finally {
        checking = false;
      }
    };
    const timer = setInterval(() => void check(), WATCH_MS);
  });
}

/** Trigger to finished `mlops_pipeline` run, through the scheduler and the local executor. */
async function pipelineLatency(repeats: number): Promise<number[]> {
  const home = mkdtempSync(join(tmpdir(), 'updraft-bench-home-'));
  const out = mkdtempSync(join(tmpdir(), 'updraft-bench-out-'));
  process.env.MLOPS_OUTPUT_DIR = out;
  const s = await stack(join(repo, 'mlops/dags'), home);
  try {
    const dag = (await new SerializedDagCache(s.store).get('mlops_pipeline'))!;
    await s.store.setDagPaused('mlops_pipeline', true);
    const times: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      const t = performance.now();
      const run = await triggerDagRun(s.store, dag, { runId: `bench_${i}` });
      await s.store.setDagPaused('mlops_pipeline', false);
      s.scheduler.wake();
      await allFinished(s, [{ dagId: 'mlops_pipeline', runId: run.runId }]);
      await s.store.setDagPaused('mlops_pipeline', true);
      if (i > 0) times.push((performance.now() - t) / 1000);
    }
    return times;
  } finally {
    await s.close();
    delete process.env.MLOPS_OUTPUT_DIR;
    rmSync(home, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

const noop = `() => undefined`;
const SHAPES: Record<string, () => Record<string, string>> = {
  '100 DAGs x 10 tasks': () =>
    Object.fromEntries(
      Array.from({ length: 100 }, (_, d) => [
        `d${d}.ts`,
        `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'd${d}', maxActiveTasks: 1000 });\nfor (let i = 0; i < 10; i++) dag.task('t' + i, ${noop});\n`,
      ]),
    ),
  '10 DAGs x 100 tasks': () =>
    Object.fromEntries(
      Array.from({ length: 10 }, (_, d) => [
        `d${d}.ts`,
        `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'd${d}', maxActiveTasks: 1000 });\nfor (let i = 0; i < 100; i++) dag.task('t' + i, ${noop});\n`,
      ]),
    ),
  'binary tree of 1,000 tasks': () => ({
    'tree.ts': `import { DAG, type Task } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'tree', maxActiveTasks: 1000 });\nconst tasks: Task[] = [];\nfor (let i = 0; i < 1000; i++) {\n  const t = dag.task('t' + i, ${noop});\n  if (i > 0) tasks[(i - 1) >> 1]!.then(t);\n  tasks.push(t);\n}\n`,
  }),
};

/** One timed run of a shape: seconds, and the CPU (ms) of the scheduler's process and of the runners meanwhile. */
interface ShapeRun {
  seconds: number;
  schedulerCpuMs: number;
  runnersCpuMs: number;
}

/**
 * 1,000 no-op tasks in one shape: trigger every DAG, time until every run succeeded. The folders it made are added
 * to `leftovers` and removed once every shape is measured: removing thousands of files is disk work that would
 * slow the next repeat's.
 */
async function shape(files: Record<string, string>, leftovers: string[]): Promise<ShapeRun> {
  // The DAG files import @updraft/core, so they live in the repository; the home (database, logs) goes to the
  // system's temporary folder, as the pipeline latency's does: a project folder on a slow or watched file system
  // would otherwise be measured instead of the scheduler.
  const root = mkdtempSync(join(repo, 'bench', '.tmp-shape-'));
  const home = mkdtempSync(join(tmpdir(), 'updraft-bench-shape-'));
  const dags = join(root, 'dags');
  mkdirSync(dags);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dags, name), text);
  const s = await stack(dags, home);
  try {
    const cache = new SerializedDagCache(s.store);
    const dagIds = (await s.store.listDags()).items.map((d) => d.dagId);
    const cpu = process.cpuUsage();
    const children = childrenCpuMs();
    const t = performance.now();
    const runs = [];
    for (const id of dagIds) runs.push(await triggerDagRun(s.store, (await cache.get(id))!, { runId: 'bench' }));
    s.scheduler.wake();
    await allFinished(s, runs);
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    return { seconds, schedulerCpuMs: (used.user + used.system) / 1000, runnersCpuMs: childrenCpuMs() - children };
  } finally {
    await s.close();
    leftovers.push(root, home);
  }
}

/**
 * Idle memory of `updraft standalone` (built CLI, SQLite, the tutorial's DAGs folder): the resident memory of its
 * process tree once it is ready and its memory has stopped moving (warm runners booted), median of a few samples.
 */
async function standaloneIdleMemory(): Promise<{ bytes: number; processes: number }> {
  const home = mkdtempSync(join(tmpdir(), 'updraft-bench-standalone-'));
  const child = spawn(process.execPath, [join(repo, 'packages/cli/dist/bin.js'), 'standalone', '--dags-folder', join(repo, 'mlops/dags')], {
    env: { ...process.env, UPDRAFT_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let err = '';
    await new Promise<void>((resolveReady, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/standalone: ready/.test(err)) resolveReady();
      });
      child.once('exit', (code) => reject(new Error(`standalone exited (${code}) before it was ready:\n${err}`)));
    });
    const pid = child.pid as number;
    // Settled: five samples 400 ms apart within 2 % of each other (warm runners take a while to boot), 30 s at most.
    const samples: { bytes: number; processes: number }[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 400));
      samples.push(treeRss(pid));
      const last = samples.slice(-5).map((x) => x.bytes);
      if ((last.length === 5 && Math.max(...last) <= Math.min(...last) * 1.02) || Date.now() > deadline) break;
    }
    const last = samples.slice(-5);
    const bytes = median(last.map((x) => x.bytes));
    return { bytes, processes: Math.max(...last.map((x) => x.processes)) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Untimed runs of a shape before its timed ones (`BENCH_WARMUP`, default 2). The scheduler is a long-running
 * process: V8 compiles its hot code over its first few thousand tries (measured: the scheduler's process used 1.2 to
 * 1.5 s of CPU for each of the first three runs of the 100-DAG shape, then 0.6 to 0.9 s), so the timed runs measure
 * it as it runs once warm, as benchmark harnesses of JIT-compiled code do. Each run still gets fresh runners and a
 * fresh home; the first run, of a process that has just started, is reported too.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);

/**
 * Scheduler figures: trigger-to-finish of the tutorial pipeline, 1,000 no-op tasks in three shapes (each the median
 * of `repeats` runs in a fresh home, after WARMUP untimed runs), and the idle memory of `standalone`.
 */
export async function benchScheduler(repeats: number): Promise<Record<string, unknown>> {
  const latency = await pipelineLatency(repeats);
  const rows = [['trigger to finished mlops_pipeline (4 tasks)', fmt(median(latency)), '', 'goal < 0.5 s; Airflow ~1 s between dependent tasks']];
  const shapes: Record<string, { warmup: number[]; timed: number[]; schedulerCpuMs: number[]; runnersCpuMs: number[] }> = {};
  const cpuRows: string[][] = [];
  const airflow: Record<string, number> = { '100 DAGs x 10 tasks': 11.6, '10 DAGs x 100 tasks': 14.3, 'binary tree of 1,000 tasks': 12 };
  for (const [name, make] of Object.entries(SHAPES)) {
    const warmup: number[] = [];
    const timed: ShapeRun[] = [];
    const leftovers: string[] = [];
    try {
      for (let i = 0; i < WARMUP; i++) warmup.push((await shape(make(), leftovers)).seconds);
      for (let i = 0; i < repeats; i++) timed.push(await shape(make(), leftovers));
    } finally {
      for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
    }
    const times = timed.map((r) => r.seconds);
    const schedulerCpuMs = timed.map((r) => r.schedulerCpuMs);
    const runnersCpuMs = timed.map((r) => r.runnersCpuMs);
    shapes[name] = { warmup, timed: times, schedulerCpuMs, runnersCpuMs };
    // 1,000 tries a run: ms per run is µs per try.
    cpuRows.push([name, `${median(schedulerCpuMs).toFixed(0)} µs`, `${median(runnersCpuMs).toFixed(0)} µs`]);
    const m = median(times);
    const first = warmup[0] ?? times[0] ?? 0;
    rows.push([`1,000 no-op tasks: ${name}`, fmt(m), fmt(first), `Airflow 2.0 published ${airflow[name]} s: ${((airflow[name] ?? 0) / m).toFixed(1)}x (goal 10x)`]);
  }
  const idle = await standaloneIdleMemory();
  rows.push(['idle memory of `standalone` (process tree RSS)', `${(idle.bytes / 2 ** 20).toFixed(0)} MiB`, '', `${idle.processes} processes`]);
  console.log(
    `\n## Scheduler and local executor (SQLite; home with the database and logs in ${tmpdir()}, set by TMPDIR; trigger to all runs finished; medians of ${repeats} after ${WARMUP} untimed runs of each shape; "first run": the first of these)\n`,
  );
  console.log(table(['what', 'time', 'first run', 'against'], rows));
  // CPU varies less than time on a shared machine: it tells where a try's cost goes, and what a change saved.
  console.log('\nCPU per try, user + system, medians of the timed runs (the runners: every task runner process together):\n');
  console.log(table(['shape', "scheduler's process", 'runners'], cpuRows));
  return { pipelineSeconds: latency, shapes, standaloneIdle: idle };
}
