import { existsSync, readFileSync } from 'node:fs';
import { tryLogPath } from '@updraft/engine';
import { Queue } from 'bullmq';
import { afterEach, expect, it } from 'vitest';
import { createRedisClient } from '../src/index.js';
import { fourTaskDag } from './support/dags.js';
import { describeWithServices } from './support/services.js';
import { createStack, type Stack } from './support/stack.js';

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

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
