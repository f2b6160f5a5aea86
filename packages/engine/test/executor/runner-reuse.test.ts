import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalExecutor, LocalExecutorOptions, TaskWorkload } from '../../src/index.js';
import { type EventLog, executorStarter, isAlive, type StartedExecutor } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Two DAG files. Each records every evaluation of its file (pid, and whether a try was running) in a marker file,
 * and keeps a module-level counter, so a test can tell a fresh evaluation from a reused one.
 */
const dagSource = (dagId: string): string => `import { DAG } from '@updraft/core';
import { appendFileSync } from 'node:fs';
appendFileSync(process.env.REUSE_MARKER_${dagId.toUpperCase()} ?? '/dev/null', process.pid + '\\n');
let evaluations = 0;
evaluations += 1;
(globalThis as { reuseLoads?: number }).reuseLoads = ((globalThis as { reuseLoads?: number }).reuseLoads ?? 0) + 1;

export const dag = new DAG({ dagId: '${dagId}', params: { mine: { type: 'string', default: '${dagId}' } } });
dag.task('look', async (ctx) => ({
  pid: process.pid,
  evaluations,
  loads: (globalThis as { reuseLoads?: number }).reuseLoads,
  params: ctx.params,
  conf: ctx.conf,
  env: process.env.REUSE_LEAK ?? null,
  kept: process.env.REUSE_KEPT ?? null,
  gone: process.env.REUSE_GONE ?? null,
  only: process.env.ONLY ?? null,
  secret: (await ctx.ti.xcomPull({ taskIds: 'look', key: 'secret' })) ?? null,
}));
dag.task('leaks', async (ctx) => {
  process.env.REUSE_LEAK = '${dagId}';
  process.env.REUSE_KEPT = 'changed by ${dagId}';
  delete process.env.REUSE_GONE;
  await ctx.ti.xcomPush('secret', 'of ${dagId}');
  return process.pid;
});
dag.task('exits', () => { process.exit(3); });
dag.task('replaces_env', () => { process.env = { ONLY: 'this' }; return process.pid; });
dag.task('leaves_a_timer', () => { setInterval(() => console.log('still here'), 5); return process.pid; });
`;

describe('LocalExecutor runner reuse', () => {
  let root: string;
  let logsFolder: string;
  const files: Record<string, string> = {};
  const markers: Record<string, string> = {};
  const executors = executorStarter(() => ({ logsFolder, poolSize: 1, parallelism: 1, killGraceMs: 2000 }));

  beforeAll(() => {
    root = mkdtempSync(join(here, '.tmp-reuse-'));
    logsFolder = mkdtempSync(join(tmpdir(), 'updraft-reuse-logs-'));
    for (const id of ['alpha', 'beta']) {
      files[id] = join(root, `${id}.ts`);
      markers[id] = join(root, `${id}.evaluations`);
      writeFileSync(files[id], dagSource(id));
      writeFileSync(markers[id], '');
      // Runners inherit the environment of the executor's process when they are forked.
      process.env[`REUSE_MARKER_${id.toUpperCase()}`] = markers[id];
    }
    process.env.REUSE_KEPT = 'kept';
    process.env.REUSE_GONE = 'here';
  });
  afterAll(() => {
    for (const id of ['alpha', 'beta']) delete process.env[`REUSE_MARKER_${id.toUpperCase()}`];
    delete process.env.REUSE_KEPT;
    delete process.env.REUSE_GONE;
    rmSync(root, { recursive: true, force: true });
    rmSync(logsFolder, { recursive: true, force: true });
  });
  afterEach(() => executors.terminateAll());

  const start = (o: Partial<LocalExecutorOptions> = {}): StartedExecutor => executors.start(o);
  let runs = 0;
  const work = (dagId: string, taskId: string, over: Partial<TaskWorkload> = {}): TaskWorkload => ({
    dagId,
    runId: `run_${++runs}`,
    taskId,
    tryNumber: 1,
    maxTries: 1,
    dagFile: files[dagId] as string,
    run: { runType: 'manual', logicalDate: null, dataInterval: null, conf: { from: dagId } },
    params: { mine: dagId },
    queue: 'default',
    executionTimeoutMs: null,
    ...over,
  });
  /** Runs a try to its end and returns its return value (and the runner's pid). */
  const result = async (log: EventLog, w: TaskWorkload): Promise<{ pid: number; value: Record<string, unknown> }> => {
    const end = await log.waitFor((e) => (e.type === 'finished' || e.type === 'lost') && e.key.runId === w.runId);
    const started = await log.waitFor((e) => e.type === 'started' && e.key.runId === w.runId);
    if (end.type !== 'finished' || end.outcome.state !== 'success') throw new Error(`try ${w.runId} did not succeed: ${JSON.stringify(end)}`);
    return { pid: started.type === 'started' ? started.pid : 0, value: end.outcome.returnValue as Record<string, unknown> };
  };

  /** Queues a try and runs it to its end, as {@link result}. */
  const runTry = (executor: LocalExecutor, log: EventLog, w: TaskWorkload): Promise<{ pid: number; value: Record<string, unknown> }> => {
    executor.queue(w);
    return result(log, w);
  };

  /** Runs `n` tries of alpha's `look`, each queued once the one before has ended. */
  const lookInTurn = async (executor: LocalExecutor, log: EventLog, n: number): Promise<{ pid: number; value: Record<string, unknown> }[]> => {
    const results = [];
    for (let i = 0; i < n; i++) results.push(await runTry(executor, log, work('alpha', 'look')));
    return results;
  };

  it('runs tries one after another in one runner, building the DAG once while its file is unchanged (ADR-003)', async () => {
    const { executor, log } = start();
    const results = await lookInTurn(executor, log, 3);
    expect(new Set(results.map((r) => r.pid)).size).toBe(1);
    // One evaluation of the file served the three tries.
    expect(results.map((r) => r.value.loads)).toEqual([results[0]?.value.loads, results[0]?.value.loads, results[0]?.value.loads]);
    // A changed file is imported again before the next try, in the same runner.
    writeFileSync(files.alpha as string, `${dagSource('alpha')}// changed\n`);
    try {
      const after = await runTry(executor, log, work('alpha', 'look'));
      expect(after.pid).toBe(results[0]?.pid);
      expect(after.value.loads).toBe((results[0]?.value.loads as number) + 1);
    } finally {
      writeFileSync(files.alpha as string, dagSource('alpha'));
    }
  });

  it('evaluates the DAG file afresh for each try with reuseDags false', async () => {
    const { executor, log } = start({ reuseDags: false });
    const results = await lookInTurn(executor, log, 3);
    expect(new Set(results.map((r) => r.pid)).size).toBe(1);
    // A fresh module each time: its own counter starts again, while the process-wide count goes up.
    expect(results.map((r) => r.value.evaluations)).toEqual([1, 1, 1]);
    const loads = results.map((r) => r.value.loads as number);
    expect(loads[1]).toBeGreaterThan(loads[0] as number);
    expect(loads[2]).toBeGreaterThan(loads[1] as number);
  });

  it("keeps tries of different DAGs in one runner apart: params, conf, XComs and environment are each try's own", async () => {
    const { executor, log, xcoms } = start();
    const leak = work('alpha', 'leaks');
    const leaked = await runTry(executor, log, leak);
    expect(await xcoms.pull({ dagId: 'alpha', runId: leak.runId, taskId: 'leaks', key: 'secret' })).toBe('of alpha');
    const seen = await runTry(executor, log, work('beta', 'look'));
    expect(seen.pid).toBe(leaked.pid);
    // A variable the try added is gone, one it changed or deleted is back as the runner had it.
    expect(seen.value).toMatchObject({ params: { mine: 'beta' }, conf: { from: 'beta' }, env: null, kept: 'kept', gone: 'here', secret: null });
  });

  it('puts back the environment of a try that replaced process.env with an object of its own', async () => {
    const { executor, log } = start();
    const replaced = await runTry(executor, log, work('alpha', 'replaces_env'));
    const seen = await runTry(executor, log, work('alpha', 'look'));
    expect(seen.pid).toBe(replaced.pid);
    expect(seen.value).toMatchObject({ only: null, kept: 'kept', gone: 'here' });
  });

  it('loses a try that calls process.exit with its runner, and runs the next try on a new runner', async () => {
    const { executor, log } = start();
    const first = await runTry(executor, log, work('alpha', 'look'));
    const exits = work('alpha', 'exits');
    executor.queue(exits);
    const after = work('alpha', 'look');
    executor.queue(after);
    expect(await log.waitFor((e) => e.key.runId === exits.runId && (e.type === 'finished' || e.type === 'lost'))).toMatchObject({
      type: 'lost',
      started: true,
      pid: first.pid,
      exitCode: 3,
    });
    const next = await result(log, after);
    expect(next.pid).not.toBe(first.pid);
    expect(isAlive(first.pid)).toBe(false);
  });

  it('replaces a runner whose try left a timer running, so nothing of it reaches the next try', async () => {
    const { executor, log } = start();
    const { pid } = await runTry(executor, log, work('alpha', 'leaves_a_timer'));
    const next = work('alpha', 'look');
    expect((await runTry(executor, log, next)).pid).not.toBe(pid);
    const logOf = (w: TaskWorkload): string => readFileSync(join(logsFolder, `dag_id=${w.dagId}`, `run_id=${w.runId}`, `task_id=${w.taskId}`, 'attempt=1.log'), 'utf8');
    expect(logOf(next)).not.toMatch(/still here/);
  });

  it('replaces a runner after maxTriesPerRunner tries, and after a try that left it above maxRunnerRssBytes', async () => {
    const counted = start({ maxTriesPerRunner: 2 });
    const pids = (await lookInTurn(counted.executor, counted.log, 3)).map((r) => r.pid);
    expect(pids[1]).toBe(pids[0]);
    expect(pids[2]).not.toBe(pids[0]);

    const heavy = start({ maxRunnerRssBytes: 1 });
    const first = await runTry(heavy.executor, heavy.log, work('alpha', 'look'));
    expect((await runTry(heavy.executor, heavy.log, work('alpha', 'look'))).pid).not.toBe(first.pid);
  });

  it('has a runner that boots import the DAG file of the latest try ahead of its own try', async () => {
    const { executor, log } = start({ maxTriesPerRunner: 1 });
    const { pid: firstPid } = await runTry(executor, log, work('beta', 'look'));
    // The runner that replaces the first one boots while nothing is queued, and imports beta's file meanwhile.
    await executor.whenWarm();
    const [spare] = executor.warmRunnerPids;
    const { pid } = await runTry(executor, log, work('beta', 'look'));
    expect(pid).toBe(spare);
    const evaluations = readFileSync(markers.beta as string, 'utf8').trim().split('\n').map(Number);
    expect(evaluations.filter((p) => p === firstPid).length).toBeGreaterThanOrEqual(1);
    // Once, ahead of its try: the try takes the DAG the preload built.
    expect(evaluations.filter((p) => p === pid)).toHaveLength(1);
  });
});
