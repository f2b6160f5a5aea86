import { DAG } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { InProcessExecutor, MemoryXComBackend } from '../../src/index.js';
import { EventLog, workload } from './helpers.js';
import { runExecutorSuite } from './suite.js';

runExecutorSuite({ name: 'InProcessExecutor', newExecutor: (o) => new InProcessExecutor(o) });

describe('InProcessExecutor (this process)', () => {
  it('runs the DAG object it was given, without importing the workload’s DAG file', async () => {
    const seen: string[] = [];
    const dag = new DAG({ dagId: 'suite' });
    dag.task('in_memory', (ctx) => {
      seen.push(ctx.runId);
      return seen.length;
    });
    const executor = new InProcessExecutor({ xcoms: new MemoryXComBackend(), dags: [dag] });
    const log = new EventLog(executor);
    executor.queue(workload('/nowhere/no_such_file.ts', 'in_memory'));
    const { outcome } = await log.finished('in_memory');
    await executor.end();
    expect(outcome).toEqual({ state: 'success', returnValue: 1 });
    expect(seen).toEqual([workload('/x', 'in_memory').runId]);
    expect((await log.started('in_memory')).pid).toBe(process.pid);
  });
});
