import { DAG } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_XCOM_SIZE_LIMIT_BYTES,
  InvalidExecutorOptionError,
  MemoryXComBackend,
  resolveInProcessExecutorOptions,
  resolveLocalExecutorOptions,
  type LocalExecutorOptions,
} from '../../src/index.js';

const xcoms = new MemoryXComBackend();

function refusal(f: () => unknown): InvalidExecutorOptionError {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidExecutorOptionError) return e;
    throw e;
  }
  throw new Error('the options were accepted');
}

describe('resolveLocalExecutorOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveLocalExecutorOptions({ xcoms, logsFolder: 'logs' })).toEqual({
      xcoms,
      logsFolder: 'logs',
      parallelism: 32,
      poolSize: 2,
      maxTriesPerRunner: 1000,
      reuseDags: true,
      prefetch: true,
      maxRunnerRssBytes: 512 * 2 ** 20,
      idleRunnerTimeoutMs: 30_000,
      heartbeatIntervalMs: 1000,
      killGraceMs: 60_000,
      xcomSizeLimitBytes: DEFAULT_XCOM_SIZE_LIMIT_BYTES,
      runnerExecArgv: [],
    });
  });

  it('keeps what is given, and allows a pool of 0', () => {
    const o = resolveLocalExecutorOptions({ xcoms, logsFolder: '/l', parallelism: 3, poolSize: 0, heartbeatIntervalMs: 5, killGraceMs: 0, runnerExecArgv: ['--x'] });
    expect([o.parallelism, o.poolSize, o.heartbeatIntervalMs, o.killGraceMs, o.runnerExecArgv]).toEqual([3, 0, 5, 0, ['--x']]);
  });

  it.each([
    ['parallelism', { parallelism: 0 }],
    ['parallelism', { parallelism: 1.5 }],
    ['poolSize', { poolSize: -1 }],
    ['maxTriesPerRunner', { maxTriesPerRunner: 0 }],
    ['reuseDags', { reuseDags: 'yes' }],
    ['maxRunnerRssBytes', { maxRunnerRssBytes: 0 }],
    ['idleRunnerTimeoutMs', { idleRunnerTimeoutMs: 2.5 }],
    ['heartbeatIntervalMs', { heartbeatIntervalMs: 0 }],
    ['killGraceMs', { killGraceMs: '5s' }],
    ['logsFolder', { logsFolder: '' }],
    ['xcoms', { xcoms: {} }],
    ['runnerExecArgv', { runnerExecArgv: [1] }],
    ['pool', { pool: 2 }],
  ])('names the bad option %s', (option, bad) => {
    const e = refusal(() => resolveLocalExecutorOptions({ xcoms, logsFolder: 'logs', ...bad } as unknown as LocalExecutorOptions));
    expect([e.executor, e.option]).toEqual(['LocalExecutor', option]);
  });
});

describe('resolveInProcessExecutorOptions', () => {
  it('fills the documented defaults and indexes the DAGs by id', () => {
    const dag = new DAG({ dagId: 'given' });
    const o = resolveInProcessExecutorOptions({ xcoms, dags: [dag] });
    expect(o).toMatchObject({ logsFolder: null, parallelism: 32, heartbeatIntervalMs: 1000, xcomSizeLimitBytes: DEFAULT_XCOM_SIZE_LIMIT_BYTES });
    expect(o.dags.get('given')).toBe(dag);
  });

  it('refuses two DAGs with one id, and things that are not DAGs', () => {
    expect(refusal(() => resolveInProcessExecutorOptions({ xcoms, dags: [new DAG({ dagId: 'a' }), new DAG({ dagId: 'a' })] })).option).toBe('dags');
    expect(refusal(() => resolveInProcessExecutorOptions({ xcoms, dags: [{ dagId: 'a' }] as unknown as DAG[] })).option).toBe('dags');
  });
});
