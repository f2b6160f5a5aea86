import type { TaskWorkload } from '@updraft/engine';
import { InvalidWorkloadError } from '@updraft/engine';
import { describe, expect, it } from 'vitest';
import {
  BullMqExecutor,
  bullQueueName,
  decodeWorkload,
  encodeWorkload,
  InvalidDistributedOptionError,
  InvalidRedisUrlError,
  InvalidTryJobError,
  resolveBullMqExecutorOptions,
  resolveWorkerOptions,
  tryJobId,
} from '../src/index.js';
import { endEventOf } from '../src/results.js';

const workload: TaskWorkload = {
  dagId: 'd',
  runId: 'manual__2025-01-01T00:00:00+00:00',
  taskId: 't',
  tryNumber: 2,
  maxTries: 3,
  dagFile: '/dags/d.ts',
  run: { runType: 'manual', logicalDate: new Date('2025-01-01T00:00:00Z'), dataInterval: { start: new Date('2024-12-31T00:00:00Z'), end: new Date('2025-01-01T00:00:00Z') }, conf: { n: 1 } },
  params: { n: 1 },
  queue: 'default',
  executionTimeoutMs: 5000,
};

describe('jobs', () => {
  it('gives each try one job id, the same whoever queues it, without the ":" BullMQ forbids', () => {
    expect(tryJobId(workload)).toBe(tryJobId({ ...workload }));
    expect(tryJobId(workload)).not.toBe(tryJobId({ ...workload, tryNumber: 3 }));
    expect(tryJobId(workload)).not.toBe(tryJobId({ ...workload, taskId: 'u' }));
    expect(tryJobId(workload)).not.toContain(':');
    expect(bullQueueName('a:b')).not.toContain(':');
  });

  it('carries a workload through JSON, dates and all', () => {
    const data = JSON.parse(JSON.stringify(encodeWorkload(workload, new Date('2025-02-02T00:00:00Z')))) as unknown;
    const back = decodeWorkload('j', data);
    expect(back.workload).toEqual(workload);
    expect(back.queuedAt.toISOString()).toBe('2025-02-02T00:00:00.000Z');
  });

  it('refuses jobs of another format, and malformed workloads', () => {
    expect(() => decodeWorkload('j', { v: 99 })).toThrow(InvalidTryJobError);
    expect(() => decodeWorkload('j', null)).toThrow(InvalidTryJobError);
    const data = encodeWorkload({ ...workload }, new Date());
    expect(() => decodeWorkload('j', { ...data, workload: { ...data.workload, dagFile: 'relative.ts' } })).toThrow(InvalidWorkloadError);
  });
});

describe('job results', () => {
  const finished = { kind: 'finished', outcome: { state: 'success', returnValue: undefined }, startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:00:02.000Z', durationMs: 2000, hostname: 'w' };
  const lost = { kind: 'lost', at: '2025-01-01T00:00:03.000Z', started: true, pid: 7, exitCode: null, signal: 'SIGKILL', hostname: 'w' };
  const at = new Date('2025-01-01T00:00:05Z');

  it('marks an end recorded only when the worker says its write went through', () => {
    expect(endEventOf(workload, { ...finished, recorded: true }, at)).toMatchObject({ type: 'finished', durationMs: 2000, recorded: true });
    expect(endEventOf(workload, { ...lost, recorded: true }, at)).toMatchObject({ type: 'lost', pid: 7, recorded: true });
    // Not written (the store was away for a minute), or an older worker that does not say: the scheduler writes it.
    for (const result of [{ ...finished, recorded: false }, finished, { ...lost, recorded: false }, lost]) {
      expect(endEventOf(workload, result, at)).not.toHaveProperty('recorded');
    }
    expect(endEventOf(workload, { kind: 'observed', state: 'success', tryNumber: 2, at: at.toISOString() }, at)).not.toHaveProperty('recorded');
  });
});

describe('options', () => {
  it('fills the defaults', () => {
    expect(resolveBullMqExecutorOptions({ redisUrl: 'redis://h' })).toMatchObject({ prefix: 'updraft', parallelism: 32, reconcileIntervalMs: 5000 });
    const store = { getTaskInstance: () => Promise.resolve(null) } as never;
    const w = resolveWorkerOptions({ store, redisUrl: 'redis://h', logsFolder: '/logs', lockDurationMs: 5000 });
    expect(w).toMatchObject({ queues: ['default'], concurrency: 16, lockDurationMs: 5000, stalledIntervalMs: 30_000, maxStalledCount: 1, takeoverAfterMs: 5000 });
  });

  it('names the bad option', () => {
    const store = { getTaskInstance: () => Promise.resolve(null) } as never;
    const cases: [() => unknown, string][] = [
      [() => resolveBullMqExecutorOptions({ redisUrl: 'redis://h', parallelism: 0 }), 'parallelism'],
      [() => resolveBullMqExecutorOptions({ redisUrl: 'redis://h', prefix: 'a:b' }), 'prefix'],
      [() => resolveBullMqExecutorOptions({ redisUrl: 'redis://h', nope: 1 } as never), 'nope'],
      [() => resolveWorkerOptions({ store, redisUrl: 'redis://h', logsFolder: '/l', queues: [] }), 'queues'],
      [() => resolveWorkerOptions({ store, redisUrl: 'redis://h', logsFolder: '/l', maxStalledCount: -1 }), 'maxStalledCount'],
      [() => resolveWorkerOptions({ store: {} as never, redisUrl: 'redis://h', logsFolder: '/l' }), 'store'],
    ];
    for (const [f, option] of cases) {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidDistributedOptionError);
      expect((error as InvalidDistributedOptionError).option).toBe(option);
    }
    expect(() => new BullMqExecutor({ redisUrl: 'http://h' })).toThrow(InvalidRedisUrlError);
  });
});
