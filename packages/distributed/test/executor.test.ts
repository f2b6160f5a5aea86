import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryLogPath } from '@updraft/engine';
import { Queue } from 'bullmq';
import { afterEach, expect, it } from 'vitest';
import type { ExecutorEvent, TaskWorkload } from '@updraft/engine';
import { BullMqExecutor, createRedisClient, tryJobId } from '../src/index.js';
import { redisUrl } from './support/services.js';
import { fourTaskDag } from './support/dags.js';
import { describeWithServices } from './support/services.js';
import { createStack, type Stack } from './support/stack.js';
import { countingStore } from '../../../test-support/counting-store.js';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

describeWithServices('BullMQ executor and workers, in process', () => {
  it('runs four-task DAG runs on two workers: each try once, XComs through the store, a log file per try', async () => {
    stack = await createStack();
    const s = stack;
    fourTaskDag(s.ws);
    await s.parse();
    await Promise.all([s.worker({ hostname: 'worker-1' }), s.worker({ hostname: 'worker-2' })]);
    const runIds = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const id of runIds) await s.trigger('four', id);
    const runs = await s.waitForRuns('four', runIds);
    expect(runs.map((r) => r.state)).toEqual(runIds.map(() => 'success'));
    const effects = s.ws.effects();
    const keys = effects.map(([run, task, tryNumber]) => `${run}/${task}/${tryNumber}`).sort();
    expect(keys).toEqual(runIds.flatMap((r) => ['a', 'b', 'c', 'd'].map((t) => `${r}/${t}/1`)).sort());
    for (const runId of runIds) {
      for (const taskId of ['a', 'b', 'c', 'd']) {
        const history = await s.store.listTaskInstanceHistory({ dagId: 'four', runId, taskId });
        expect(history.map((h) => [h.tryNumber, h.state])).toEqual([[1, 'success']]);
        const ti = await s.store.getTaskInstance({ dagId: 'four', runId, taskId });
        expect(['worker-1', 'worker-2']).toContain(ti?.hostname);
        const log = tryLogPath(s.ws.logsFolder, { dagId: 'four', runId, taskId, tryNumber: 1 });
        expect(existsSync(log)).toBe(true);
      }
    }
    expect((await s.store.getXcom({ dagId: 'four', runId: 'r3', taskId: 'b', key: 'return_value' }))?.value).toEqual({ from: 'a', run: 'r3' });
    // Every try's end reached the scheduler's executor, so its slots are free again.
    await until(() => s.executor.runningCount === 0 && s.executor.queuedCount === 0);
  });

  it("writes a short try's start with its end, and a long try's start while it runs: the runner's pid and the worker's name either way", async () => {
    stack = await createStack();
    const s = stack;
    fourTaskDag(s.ws);
    // A task that runs until the test opens its gate: its start must be written while it runs.
    const gate = join(s.ws.dir, 'gate');
    for (const dagId of ['beats', 'timer']) {
      writeFileSync(
        join(s.ws.dagsFolder, `${dagId}.ts`),
        `import { appendFileSync, existsSync } from 'node:fs';
import { DAG } from '@updraft/core';
export const dag = new DAG({ dagId: ${JSON.stringify(dagId)}, defaultArgs: { queue: ${JSON.stringify(dagId)} } });
dag.task('a', async (ctx) => {
  appendFileSync(${JSON.stringify(s.ws.effectsFile)}, JSON.stringify([ctx.runId, 'a', ctx.ti.tryNumber, process.pid]) + '\\n');
  while (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 10));
});
`,
      );
    }
    await s.parse();
    const counted = countingStore(s.store);
    // Neither a heartbeat nor the delay comes before the end of a no-op try: every start goes with its end.
    await s.worker({ hostname: 'quick', store: counted.store, startWriteDelayMs: 600_000, heartbeatIntervalMs: 600_000 });
    await s.worker({ hostname: 'beats', queues: ['beats'], startWriteDelayMs: 600_000, heartbeatIntervalMs: 100 });
    await s.worker({ hostname: 'timer', queues: ['timer'], startWriteDelayMs: 1, heartbeatIntervalMs: 600_000 });
    await s.trigger('four', 'short');
    await s.waitForRuns('four', ['short']);
    const pids = new Map(s.ws.effects().map(([, taskId, , pid]) => [taskId, pid]));
    for (const taskId of ['a', 'b', 'c', 'd']) {
      const ti = await s.store.getTaskInstance({ dagId: 'four', runId: 'short', taskId });
      expect([ti?.pid, ti?.hostname]).toEqual([pids.get(taskId), 'quick']);
    }
    // Per try: the claim, then the start and end together.
    expect(counted.calls.filter((c) => c === 'transitionTaskInstance')).toHaveLength(4);
    expect(counted.calls.filter((c) => c === 'transitionTaskInstances')).toHaveLength(4);

    // A long try's start is written at its first heartbeat, or when the delay ends, while the task still runs.
    for (const dagId of ['beats', 'timer']) await s.trigger(dagId, `long_${dagId}`);
    try {
      for (const dagId of ['beats', 'timer']) {
        const runId = `long_${dagId}`;
        await until(() => s.ws.effects().some(([r]) => r === runId));
        const runner = s.ws.effects().find(([r]) => r === runId)?.[3];
        await until(async () => (await s.store.getTaskInstance({ dagId, runId, taskId: 'a' }))?.pid === runner);
        expect(await s.store.getTaskInstance({ dagId, runId, taskId: 'a' })).toMatchObject({ state: 'running', hostname: dagId });
      }
    } finally {
      // Even when the test fails: the workers stop only once their tries end.
      writeFileSync(gate, '');
    }
    for (const dagId of ['beats', 'timer']) await s.waitForRuns(dagId, [`long_${dagId}`]);
  });

  it("routes a task to its queue: only a worker of that queue takes it", async () => {
    stack = await createStack();
    const s = stack;
    fourTaskDag(s.ws, { dagId: 'gpu_dag', queue: 'gpu' });
    await s.parse();
    await s.worker({ hostname: 'cpu-worker', queues: ['default'] });
    await s.trigger('gpu_dag', 'g1');
    const gpu = new Queue('gpu', { connection: createRedisClient(s.executor.options.redisUrl, 'test'), prefix: s.prefix });
    try {
      await until(async () => (await gpu.getWaitingCount()) === 1);
      expect((await s.store.getTaskInstance({ dagId: 'gpu_dag', runId: 'g1', taskId: 'a' }))?.state).toBe('queued');
      await s.worker({ hostname: 'gpu-worker', queues: ['gpu'] });
      await s.waitForRuns('gpu_dag', ['g1']);
      const tis = (await s.store.listTaskInstances({ dagIds: ['gpu_dag'] })).items;
      expect(tis.map((t) => [t.taskId, t.state, t.hostname])).toEqual(['a', 'b', 'c', 'd'].map((t) => [t, 'success', 'gpu-worker']));
    } finally {
      await gpu.close();
      await gpu.disconnect();
    }
  });

  it('writes each try log on the worker, with the task lines', async () => {
    stack = await createStack();
    const s = stack;
    fourTaskDag(s.ws);
    await s.parse();
    await s.worker();
    await s.trigger('four', 'logs');
    await s.waitForRuns('four', ['logs']);
    const log = readFileSync(tryLogPath(s.ws.logsFolder, { dagId: 'four', runId: 'logs', taskId: 'd', tryNumber: 1 }), 'utf8');
    const effect = s.ws.effects().find(([run, task]) => run === 'logs' && task === 'd');
    expect(log).toContain(`effect of d in pid ${effect?.[3]}`);
  });
});

describeWithServices('BullMqExecutor', () => {
  it('makes one job of a try queued twice (two schedulers, or one restarted): it runs once, and both hear that it ended', async () => {
    stack = await createStack();
    const s = stack;
    const dagFile = fourTaskDag(s.ws);
    await s.store.upsertDag({ dagId: 'four', fileloc: dagFile });
    await s.store.createDagRun({ dagId: 'four', runId: 'once', runType: 'manual', state: 'running', logicalDate: null, runAfter: new Date(), conf: {} });
    await s.store.createTaskInstances([{ dagId: 'four', runId: 'once', taskId: 'a', state: 'queued', tryNumber: 1, maxTries: 1 }]);
    const w: TaskWorkload = { dagId: 'four', runId: 'once', taskId: 'a', tryNumber: 1, maxTries: 1, dagFile, run: { runType: 'manual', logicalDate: null, dataInterval: null, conf: {} }, params: {}, queue: 'default', executionTimeoutMs: null };
    const other = new BullMqExecutor({ redisUrl, prefix: s.prefix });
    try {
      const ends: ExecutorEvent[][] = [[], []];
      s.executor.onEvent((e) => ends[0]?.push(e));
      other.onEvent((e) => ends[1]?.push(e));
      s.executor.queue(w);
      other.queue(w);
      expect(s.executor.freeSlots).toBe(s.executor.parallelism - 1);
      expect(() => s.executor.queue(w)).toThrow(/already queued or running/);
      const queue = new Queue('default', { connection: createRedisClient(redisUrl, 'test'), prefix: s.prefix });
      try {
        await until(async () => (await queue.getJobCounts('waiting'))['waiting'] === 1);
        expect((await queue.getJob(tryJobId(w)))?.data).toMatchObject({ workload: { taskId: 'a', tryNumber: 1 } });
        await s.worker();
        await until(() => ends.every((e) => e.some((x) => x.type === 'finished')));
        // The worker wrote the end into the store: both executors say so, and their schedulers need not write it.
        expect(ends.map((e) => e.map((x) => [x.type, x.type === 'finished' ? x.outcome.state : null, x.type === 'finished' ? x.recorded : null]))).toEqual([
          [['finished', 'success', true]],
          [['finished', 'success', true]],
        ]);
        expect(s.ws.effects().map(([run, task, tryNumber]) => [run, task, tryNumber])).toEqual([['once', 'a', 1]]);
        expect((await queue.getJobCounts('completed'))['completed']).toBe(1);
        expect(s.executor.freeSlots).toBe(s.executor.parallelism);
      } finally {
        await queue.close();
        await queue.disconnect();
      }
    } finally {
      await other.end();
    }
    expect(() => other.queue(w)).toThrow(/closed/);
  });
});

describeWithServices('orphaned queued tries', () => {
  it('puts back to scheduled a try queued long ago whose job Redis lost, and leaves one whose job is there', async () => {
    stack = await createStack();
    const s = stack;
    const dagFile = fourTaskDag(s.ws);
    await s.store.upsertDag({ dagId: 'four', fileloc: dagFile });
    await s.store.createDagRun({ dagId: 'four', runId: 'o', runType: 'manual', state: 'running', logicalDate: null, runAfter: new Date(), conf: {} });
    const longAgo = new Date(Date.now() - 120_000);
    await s.store.createTaskInstances(['a', 'b'].map((taskId) => ({ dagId: 'four', runId: 'o', taskId, state: 'queued' as const, tryNumber: 1, maxTries: 1 })));
    for (const taskId of ['a', 'b']) {
      await s.store.transitionTaskInstance({ dagId: 'four', runId: 'o', taskId }, { from: ['queued'], to: 'queued', patch: { queuedDttm: longAgo, externalExecutorId: 'BullMqExecutor:1' } });
    }
    // b's job is in its queue; a's is nowhere.
    s.executor.queue({ dagId: 'four', runId: 'o', taskId: 'b', tryNumber: 1, maxTries: 1, dagFile, run: { runType: 'manual', logicalDate: null, dataInterval: null, conf: {} }, params: {}, queue: 'default', executionTimeoutMs: null });
    const queue = new Queue('default', { connection: createRedisClient(redisUrl, 'test'), prefix: s.prefix });
    await until(async () => (await queue.getJobCounts('waiting'))['waiting'] === 1);
    await queue.close();
    await queue.disconnect();
    const warnings: string[] = [];
    const sweeper = new BullMqExecutor({ redisUrl, prefix: s.prefix, store: s.store, reconcileIntervalMs: 100, orphanAfterMs: 60_000, onWarning: (m) => warnings.push(m) });
    try {
      await until(async () => (await s.store.getTaskInstance({ dagId: 'four', runId: 'o', taskId: 'a' }))?.state === 'scheduled');
    } finally {
      await sweeper.end();
    }
    expect(await s.store.getTaskInstance({ dagId: 'four', runId: 'o', taskId: 'a' })).toMatchObject({ state: 'scheduled', tryNumber: 1, externalExecutorId: null, queuedDttm: null });
    expect((await s.store.getTaskInstance({ dagId: 'four', runId: 'o', taskId: 'b' }))?.state).toBe('queued');
    expect(warnings.some((w) => /1 queued tries had no job/.test(w))).toBe(true);
  });
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
