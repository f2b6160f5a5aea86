import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  chain,
  DAG,
  FailTaskError,
  InvalidArgumentError,
  ParamValidationError,
  SkipTaskError,
  UnknownTaskError,
  type JsonValue,
  type TaskContext,
} from '@updraft/core';
import { MemoryXComBackend, runDagTest, TaskTimeoutError, TryEndedError, type DagTestEvent, type DagTestResult } from '../src/index.js';

const LOGICAL_DATE = new Date('2025-01-15T00:00:00Z');

type StateEvent = Extract<DagTestEvent, { type: 'task-state' }>;

/** Runs a DAG with a recorder of its state events. */
async function run(dag: DAG, options: Parameters<typeof runDagTest>[1] = {}): Promise<{ result: DagTestResult; events: DagTestEvent[]; states: string[] }> {
  const events: DagTestEvent[] = [];
  const result = await runDagTest(dag, { logicalDate: LOGICAL_DATE, skipRetryDelay: true, ...options, onEvent: (e) => events.push(e) });
  return { result, events, states: stateLog(events) };
}

/** State events as `task:state#try`, in order. */
function stateLog(events: DagTestEvent[]): string[] {
  return events.filter((e): e is StateEvent => e.type === 'task-state').map((e) => `${e.taskId}:${e.state}#${e.tryNumber}`);
}

function stateOf(result: DagTestResult, taskId: string): string | null {
  const ti = result.taskInstances.find((t) => t.taskId === taskId);
  if (!ti) throw new Error(`no task instance ${taskId}`);
  return ti.state;
}

function xcom(result: DagTestResult, taskId: string, key = 'return_value'): JsonValue | undefined {
  return result.xcoms.find((x) => x.taskId === taskId && x.key === key)?.value;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('runDagTest: a linear DAG', () => {
  it('runs tasks in dependency order and passes return values and custom XComs downstream', async () => {
    const dag = new DAG({ dagId: 'etl' });
    const extract = dag.task('extract', () => ({ rows: [1, 2, 3] }));
    const transform = dag.task('transform', async (ctx) => {
      const data = await ctx.ti.xcomPull<{ rows: number[] }>({ taskIds: 'extract' });
      const total = (data?.rows ?? []).reduce((a, b) => a + b, 0);
      await ctx.ti.xcomPush('stats', { count: data?.rows.length ?? 0 });
      return total;
    });
    const load = dag.task('load', async (ctx) => {
      const [total, nothing] = await ctx.ti.xcomPull<number>({ taskIds: ['transform', 'extract'], key: 'return_value' }).then((v) => [v[0], undefined]);
      const stats = await ctx.ti.xcomPull({ taskIds: 'transform', key: 'stats' });
      const missing = await ctx.ti.xcomPull({ taskIds: 'extract', key: 'stats' });
      return { total: total ?? null, stats: stats ?? null, missing: missing === undefined && nothing === undefined };
    });
    chain(extract, transform, load);

    const { result, states } = await run(dag);
    expect(result.state).toBe('success');
    expect(states).toEqual(['extract:running#1', 'extract:success#1', 'transform:running#1', 'transform:success#1', 'load:running#1', 'load:success#1']);
    expect(xcom(result, 'transform')).toBe(6);
    expect(xcom(result, 'transform', 'stats')).toEqual({ count: 3 });
    expect(xcom(result, 'load')).toEqual({ total: 6, stats: { count: 3 }, missing: true });
    expect(result.taskInstances.map((t) => [t.taskId, t.state, t.tryNumber])).toEqual([
      ['extract', 'success', 1],
      ['transform', 'success', 1],
      ['load', 'success', 1],
    ]);
    expect(result.dagId).toBe('etl');
    expect(result.logicalDate).toEqual(LOGICAL_DATE);
    expect(result.runId).toBe('manual__2025-01-15T00:00:00.000Z');
  });

  it('stores no XCom for undefined and a null XCom for null', async () => {
    const dag = new DAG({ dagId: 'd' });
    dag.task('nothing', () => undefined);
    dag.task('null', () => null);
    const { result } = await run(dag);
    expect(result.xcoms.map((x) => x.taskId)).toEqual(['null']);
    expect(xcom(result, 'null')).toBeNull();
  });

  it('gives tasks the run context: ids, dates, data interval, conf, params, try numbers and a logger', async () => {
    let seen: Record<string, unknown> = {};
    const dag = new DAG({ dagId: 'ctx', schedule: { hours: 6 }, startDate: '2025-01-01', params: { n: { type: 'integer', default: 1 } }, defaultArgs: { retries: 2 } });
    dag.task('t', (ctx: TaskContext) => {
      ctx.log.info('hello %s, n=%d', 'world', ctx.params.n);
      ctx.log.warn('careful');
      seen = {
        runId: ctx.runId,
        tiRunId: ctx.ti.runId,
        dagId: ctx.ti.dagId,
        taskId: ctx.ti.taskId,
        tryNumber: ctx.ti.tryNumber,
        maxTries: ctx.ti.maxTries,
        logicalDate: ctx.logicalDate?.toISOString(),
        ds: ctx.ds,
        interval: [ctx.dataInterval?.start.toISOString(), ctx.dataInterval?.end.toISOString()],
        conf: ctx.conf,
        params: ctx.params,
        runType: ctx.dagRun.runType,
        aborted: ctx.signal.aborted,
      };
    });
    const { events } = await run(dag, { conf: { n: 5, extra: 'x' }, runId: 'my_run' });
    expect(seen).toEqual({
      runId: 'my_run',
      tiRunId: 'my_run',
      dagId: 'ctx',
      taskId: 't',
      tryNumber: 1,
      maxTries: 3,
      logicalDate: '2025-01-15T00:00:00.000Z',
      ds: '2025-01-15',
      interval: ['2025-01-14T18:00:00.000Z', '2025-01-15T00:00:00.000Z'],
      conf: { n: 5, extra: 'x' },
      params: { n: 5 },
      runType: 'manual',
      aborted: false,
    });
    const logs = events.filter((e): e is Extract<DagTestEvent, { type: 'log' }> => e.type === 'log');
    expect(logs.map((l) => [l.taskId, l.tryNumber, l.record.level, l.record.message])).toEqual([
      ['t', 1, 'info', 'hello world, n=5'],
      ['t', 1, 'warn', 'careful'],
    ]);
  });

  it('freezes params and conf so one task cannot change what another sees', async () => {
    const errors: string[] = [];
    const dag = new DAG({ dagId: 'd', params: { list: [1] } });
    const a = dag.task('a', (ctx) => {
      for (const change of [() => (ctx.params.list as number[]).push(2), () => ((ctx.conf as Record<string, unknown>).x = 1)]) {
        try {
          change();
        } catch (e) {
          errors.push((e as Error).name);
        }
      }
    });
    const b = dag.task('b', (ctx) => ctx.params.list ?? null);
    a.then(b);
    const { result } = await run(dag, { conf: { y: { z: 1 } } });
    expect(errors).toEqual(['TypeError', 'TypeError']);
    expect(xcom(result, 'b')).toEqual([1]);
  });
});

describe('runDagTest: XCom rules', () => {
  it('fails a task whose return value is not JSON, naming task and key', async () => {
    const dag = new DAG({ dagId: 'd' });
    dag.task('when', () => new Date());
    const { result } = await run(dag);
    const ti = result.taskInstances[0];
    expect(ti?.state).toBe('failed');
    expect(ti?.error?.name).toBe('XComValueError');
    expect(ti?.error?.message).toMatch(/task 'when': XCom 'return_value' is not JSON: .*Date/);
  });

  it('fails a task pushing a non-JSON value, with the path inside the value', async () => {
    const dag = new DAG({ dagId: 'd' });
    dag.task('push', async (ctx) => {
      await ctx.ti.xcomPush('model', { layers: [{ weights: [1, Number.NaN] }] });
    });
    const { result } = await run(dag);
    expect(result.taskInstances[0]?.error).toMatchObject({ name: 'XComValueError' });
    expect(result.taskInstances[0]?.error?.message).toContain("task 'push': XCom 'model'");
    expect(result.taskInstances[0]?.error?.message).toContain('$.layers[0].weights[1]');
  });

  it('refuses an XCom over the size limit, and an empty key', async () => {
    const dag = new DAG({ dagId: 'd' });
    dag.task('big', () => 'x'.repeat(200));
    dag.task('fits', () => 'x'.repeat(50));
    dag.task('nokey', async (ctx) => ctx.ti.xcomPush('', 1));
    const { result } = await run(dag, { xcomSizeLimitBytes: 100 });
    const big = result.taskInstances.find((t) => t.taskId === 'big');
    expect(big?.error?.name).toBe('XComTooLargeError');
    expect(big?.error?.message).toMatch(/task 'big': XCom 'return_value' is 202 bytes of JSON, over the limit of 100 bytes/);
    expect(stateOf(result, 'fits')).toBe('success');
    expect(result.taskInstances.find((t) => t.taskId === 'nokey')?.error?.name).toBe('XComValueError');
  });

  it('fails a task pulling from a task that is not in the DAG, naming it', async () => {
    const dag = new DAG({ dagId: 'd' });
    dag.task('a', () => 1);
    dag.task('b', async (ctx) => ctx.ti.xcomPull({ taskIds: ['a', 'ghost'] }));
    const { result } = await run(dag);
    const b = result.taskInstances.find((t) => t.taskId === 'b');
    expect(b?.state).toBe('failed');
    expect(b?.error?.name).toBe('UnknownTaskError');
    expect(b?.error?.message).toContain("'ghost'");
  });

  it('keeps values pushed to the backend safe from later changes by the task', async () => {
    const xcoms = new MemoryXComBackend();
    const dag = new DAG({ dagId: 'd' });
    dag.task('a', async (ctx) => {
      const value = { n: 1 };
      await ctx.ti.xcomPush('v', value);
      value.n = 2;
    });
    const { result } = await run(dag, { xcoms });
    expect(xcom(result, 'a', 'v')).toEqual({ n: 1 });
    expect(await xcoms.pull({ dagId: 'd', runId: result.runId, taskId: 'a', key: 'v' })).toEqual({ n: 1 });
  });
});

describe('runDagTest: retries', () => {
  it('retries a failed try: try numbers, up_for_retry, and the failed try\'s XComs cleared', async () => {
    let calls = 0;
    const dag = new DAG({ dagId: 'd', defaultArgs: { retries: 2 } });
    const flaky = dag.task('flaky', async (ctx) => {
      calls++;
      if (ctx.ti.tryNumber === 1) {
        await ctx.ti.xcomPush('partial', 'from try 1');
        throw new Error('transient');
      }
      await ctx.ti.xcomPush('final', ctx.ti.tryNumber);
      return 'ok';
    });
    const after = dag.task('after', async (ctx) => ctx.ti.xcomPull({ taskIds: 'flaky', key: 'final' }));
    flaky.then(after);

    const { result, events, states } = await run(dag);
    expect(calls).toBe(2);
    expect(states).toEqual(['flaky:running#1', 'flaky:up_for_retry#1', 'flaky:running#2', 'flaky:success#2', 'after:running#1', 'after:success#1']);
    const retry = events.find((e): e is StateEvent => e.type === 'task-state' && e.state === 'up_for_retry');
    expect(retry?.error?.message).toBe('transient');
    expect(retry?.nextTryInMs).toBe(0);
    expect(result.taskInstances.find((t) => t.taskId === 'flaky')?.tryNumber).toBe(2);
    expect(result.xcoms.filter((x) => x.taskId === 'flaky').map((x) => [x.key, x.tryNumber]).sort()).toEqual([
      ['final', 2],
      ['return_value', 2],
    ]);
    expect(xcom(result, 'after')).toBe(2);
    expect(result.state).toBe('success');
  });

  it('fails after the last retry, and the failure propagates downstream as upstream_failed', async () => {
    const dag = new DAG({ dagId: 'd' });
    const broken = dag.task('broken', () => {
      throw new TypeError('always');
    }, { retries: 2 });
    const next = dag.task('next', () => 1);
    const last = dag.task('last', () => 1);
    chain(broken, next, last);
    const { result, states } = await run(dag);
    expect(states).toEqual([
      'broken:running#1',
      'broken:up_for_retry#1',
      'broken:running#2',
      'broken:up_for_retry#2',
      'broken:running#3',
      'broken:failed#3',
      'next:upstream_failed#0',
      'last:upstream_failed#0',
    ]);
    expect(result.taskInstances[0]?.error).toMatchObject({ name: 'TypeError', message: 'always' });
    expect(result.state).toBe('failed');
  });

  it('waits retryDelay before the next try unless told to skip it', async () => {
    vi.useFakeTimers({ now: new Date('2025-01-20T00:00:00Z') });
    const dag = new DAG({ dagId: 'd' });
    dag.task('flaky', (ctx) => {
      if (ctx.ti.tryNumber === 1) throw new Error('once');
      return ctx.ti.tryNumber;
    }, { retries: 1, retryDelay: { seconds: 10 } });
    const events: DagTestEvent[] = [];
    const done = runDagTest(dag, { logicalDate: LOGICAL_DATE, skipRetryDelay: false, onEvent: (e) => events.push(e) });
    await vi.advanceTimersByTimeAsync(0);
    expect(stateLog(events)).toEqual(['flaky:running#1', 'flaky:up_for_retry#1']);
    expect(events.find((e): e is StateEvent => e.type === 'task-state' && e.state === 'up_for_retry')?.nextTryInMs).toBe(10_000);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(stateLog(events)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const result = await done;
    expect(stateLog(events)).toEqual(['flaky:running#1', 'flaky:up_for_retry#1', 'flaky:running#2', 'flaky:success#2']);
    expect(result.state).toBe('success');
  });

  it('uses the exponential backoff in its waits', async () => {
    vi.useFakeTimers({ now: new Date('2025-01-20T00:00:00Z') });
    const dag = new DAG({ dagId: 'd' });
    dag.task('flaky', (ctx) => {
      if (ctx.ti.tryNumber < 3) throw new Error('again');
    }, { retries: 2, retryDelay: 10, retryExponentialBackoff: true });
    const events: DagTestEvent[] = [];
    const done = runDagTest(dag, { logicalDate: LOGICAL_DATE, onEvent: (e) => events.push(e) });
    await vi.advanceTimersByTimeAsync(0);
    const first = (events.find((e) => e.type === 'task-state' && e.state === 'up_for_retry') as StateEvent).nextTryInMs as number;
    // Airflow: between retryDelay * 2^(try-1) and twice that.
    expect(first).toBeGreaterThanOrEqual(10_000);
    expect(first).toBeLessThan(20_000);
    await vi.advanceTimersByTimeAsync(first);
    const second = (events.filter((e) => e.type === 'task-state' && e.state === 'up_for_retry')[1] as StateEvent).nextTryInMs as number;
    expect(second).toBeGreaterThanOrEqual(20_000);
    expect(second).toBeLessThan(40_000);
    await vi.advanceTimersByTimeAsync(second);
    expect((await done).state).toBe('success');
  });

  it('fails at once, without retries, on ctx.fail() or a FailTaskError', async () => {
    const dag = new DAG({ dagId: 'd', defaultArgs: { retries: 3 } });
    dag.task('viaCtx', (ctx) => ctx.fail('bad input'));
    dag.task('viaError', () => {
      throw new FailTaskError('corrupt file');
    });
    const { result, states } = await run(dag);
    expect(states.filter((s) => s.includes('retry'))).toEqual([]);
    for (const [id, message] of [['viaCtx', 'bad input'], ['viaError', 'corrupt file']] as const) {
      const ti = result.taskInstances.find((t) => t.taskId === id);
      expect(ti).toMatchObject({ state: 'failed', tryNumber: 1 });
      expect(ti?.error).toMatchObject({ name: 'FailTaskError', message });
    }
  });
});

describe('runDagTest: skips and trigger rules', () => {
  it('ctx.skip() and SkipTaskError end a task as skipped, which skips all_success downstream', async () => {
    const dag = new DAG({ dagId: 'd' });
    const a = dag.task('a', (ctx) => ctx.skip('nothing new'));
    const b = dag.task('b', () => 1);
    const c = dag.task('c', () => {
      throw new SkipTaskError('quiet day');
    });
    const d = dag.task('d', () => 1);
    const afterSkips = dag.task('after_skips', () => 'ran', { triggerRule: 'none_failed' });
    a.then(b);
    c.then(d);
    afterSkips.after(a, c);
    const { result, events } = await run(dag);
    expect(stateOf(result, 'a')).toBe('skipped');
    expect(stateOf(result, 'b')).toBe('skipped');
    expect(stateOf(result, 'c')).toBe('skipped');
    expect(stateOf(result, 'd')).toBe('skipped');
    expect(stateOf(result, 'after_skips')).toBe('success');
    const reasons = events.filter((e): e is StateEvent => e.type === 'task-state' && e.state === 'skipped' && e.tryNumber === 1).map((e) => e.reason);
    expect(reasons).toEqual(['nothing new', 'quiet day']);
    expect(result.state).toBe('success');
  });

  it('runs an all_done cleanup after a failure; the run state follows the leaves', async () => {
    const dag = new DAG({ dagId: 'd' });
    const extract = dag.task('extract', () => {
      throw new Error('source down');
    });
    const load = dag.task('load', () => 1);
    const cleanup = dag.task('cleanup', () => 'cleaned', { triggerRule: 'all_done' });
    chain(extract, load, cleanup);
    const { result } = await run(dag);
    expect([stateOf(result, 'extract'), stateOf(result, 'load'), stateOf(result, 'cleanup')]).toEqual(['failed', 'upstream_failed', 'success']);
    expect(result.state).toBe('success');

    const withAlert = new DAG({ dagId: 'd2' });
    const work = withAlert.task('work', () => {
      throw new Error('x');
    });
    work.then(withAlert.task('cleanup', () => 1, { triggerRule: 'all_done' }));
    work.then(withAlert.task('report', () => 1));
    const second = await run(withAlert);
    expect(stateOf(second.result, 'cleanup')).toBe('success');
    expect(stateOf(second.result, 'report')).toBe('upstream_failed');
    expect(second.result.state).toBe('failed');
  });

  it('applies one_success, one_failed, all_failed and none_failed_min_one_success in a real run', async () => {
    const dag = new DAG({ dagId: 'd' });
    const good = dag.task('good', () => 1);
    const bad = dag.task('bad', () => {
      throw new Error('no');
    });
    const skipped = dag.task('skipped', (ctx) => ctx.skip());
    dag.task('any_success', () => 1, { triggerRule: 'one_success' }).after(good, bad);
    dag.task('alert', () => 1, { triggerRule: 'one_failed' }).after(good, bad);
    dag.task('all_failed', () => 1, { triggerRule: 'all_failed' }).after(good, bad);
    dag.task('nf_min_one', () => 1, { triggerRule: 'none_failed_min_one_success' }).after(good, skipped);
    dag.task('nf_all_skipped', () => 1, { triggerRule: 'none_failed_min_one_success' }).after(skipped);
    dag.task('none_skipped', () => 1, { triggerRule: 'none_skipped' }).after(good, skipped);
    dag.task('always', () => 1, { triggerRule: 'always' }).after(bad, skipped);
    const { result } = await run(dag);
    expect(Object.fromEntries(result.taskInstances.map((t) => [t.taskId, t.state]))).toEqual({
      good: 'success',
      bad: 'failed',
      skipped: 'skipped',
      any_success: 'success',
      alert: 'success',
      all_failed: 'skipped',
      nf_min_one: 'success',
      nf_all_skipped: 'skipped',
      none_skipped: 'skipped',
      always: 'success',
    });
  });

  it('runs one_success as soon as one upstream succeeds, while another still runs', async () => {
    let release: () => void = () => undefined;
    const slowDone = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const dag = new DAG({ dagId: 'd' });
    const fast = dag.task('fast', () => order.push('fast'));
    const slow = dag.task('slow', async () => {
      await slowDone;
      order.push('slow');
    });
    dag.task('first', () => {
      order.push('first');
      release();
    }, { triggerRule: 'one_success' }).after(fast, slow);
    const { result } = await run(dag);
    expect(order).toEqual(['fast', 'first', 'slow']);
    expect(result.state).toBe('success');
  });

  it('marks all_success upstream_failed as soon as one upstream fails, while another still runs', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const dag = new DAG({ dagId: 'd' });
    const fails = dag.task('fails', () => {
      throw new Error('x');
    });
    const slow = dag.task('slow', async () => gate);
    dag.task('join', () => 1).after(fails, slow);
    const events: DagTestEvent[] = [];
    const done = runDagTest(dag, { logicalDate: LOGICAL_DATE, onEvent: (e) => {
      events.push(e);
      if (e.type === 'task-state' && e.taskId === 'join') release();
    } });
    const result = await done;
    const log = stateLog(events);
    expect(log.indexOf('join:upstream_failed#0')).toBeLessThan(log.indexOf('slow:success#1'));
    expect(result.state).toBe('failed');
  });
});

describe('runDagTest: timeouts, params, selection, concurrency, stopping', () => {
  it('fails an async task that outlives its executionTimeout, aborts its signal, and refuses its late XComs', async () => {
    vi.useFakeTimers();
    let lateError: unknown = null;
    let abortReason: unknown = null;
    let lateDone: () => void = () => undefined;
    const late = new Promise<void>((r) => (lateDone = r));
    const dag = new DAG({ dagId: 'd' });
    dag.task('slow', async (ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      abortReason = ctx.signal.reason;
      try {
        await ctx.ti.xcomPush('late', 1);
      } catch (e) {
        lateError = e;
      }
      lateDone();
    }, { executionTimeout: { seconds: 30 } });
    const done = runDagTest(dag, { logicalDate: LOGICAL_DATE });
    await vi.advanceTimersByTimeAsync(29_999);
    await vi.advanceTimersByTimeAsync(1);
    const result = await done;
    await late;
    expect(result.taskInstances[0]?.state).toBe('failed');
    expect(result.taskInstances[0]?.error?.name).toBe('TaskTimeoutError');
    expect(abortReason).toBeInstanceOf(TaskTimeoutError);
    expect((abortReason as TaskTimeoutError).timeoutMs).toBe(30_000);
    expect(lateError).toBeInstanceOf(TryEndedError);
    expect(result.xcoms).toEqual([]);
  });

  it('rejects a conf that breaks the params before running anything', async () => {
    let ran = false;
    const dag = new DAG({ dagId: 'd', params: { epochs: { type: 'integer', minimum: 1, default: 5 }, name: { type: 'string' } } });
    dag.task('t', () => {
      ran = true;
    });
    const error = await runDagTest(dag, { conf: { epochs: 0 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParamValidationError);
    expect((error as ParamValidationError).problems.map((p) => p.param)).toEqual(['epochs', 'name']);
    expect(ran).toBe(false);
  });

  it('runs only the selected tasks, treating unselected upstream as succeeded, and follows them for the run state', async () => {
    const ran: string[] = [];
    const dag = new DAG({ dagId: 'd' });
    const a = dag.task('a', () => ran.push('a'));
    const b = dag.task('b', async (ctx) => {
      ran.push('b');
      return (await ctx.ti.xcomPull({ taskIds: 'a' })) ?? 'no xcom from a';
    });
    const c = dag.task('c', () => ran.push('c'));
    chain(a, b, c);
    const { result } = await run(dag, { taskIds: ['b'] });
    expect(ran).toEqual(['b']);
    expect(result.taskInstances.map((t) => [t.taskId, t.state])).toEqual([
      ['a', null],
      ['b', 'success'],
      ['c', null],
    ]);
    expect(xcom(result, 'b')).toBe('no xcom from a');
    expect(result.state).toBe('success');

    const failing = new DAG({ dagId: 'f' });
    chain(failing.task('a', () => 1), failing.task('b', () => {
      throw new Error('x');
    }), failing.task('c', () => 1));
    expect((await run(failing, { taskIds: ['b'] })).result.state).toBe('failed');
    expect((await run(failing, { taskIds: ['a', 'b'] })).result.state).toBe('failed');
  });

  it('refuses unknown task ids and bad options', async () => {
    const dag = new DAG({ dagId: 'd' });
    dag.task('a', () => 1);
    await expect(runDagTest(dag, { taskIds: ['nope'] })).rejects.toBeInstanceOf(UnknownTaskError);
    await expect(runDagTest(dag, { taskIds: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(runDagTest(dag, { concurrency: 0 })).rejects.toMatchObject({ field: 'concurrency' });
    await expect(runDagTest(dag, { xcomSizeLimitBytes: -1 })).rejects.toMatchObject({ field: 'xcomSizeLimitBytes' });
    await expect(runDagTest(dag, { logicalDate: new Date('x') })).rejects.toMatchObject({ field: 'logicalDate' });
  });

  it('runs independent async tasks at the same time', async () => {
    let started = 0;
    let bothStarted: () => void = () => undefined;
    const barrier = new Promise<void>((r) => (bothStarted = r));
    const dag = new DAG({ dagId: 'd' });
    for (const id of ['left', 'right']) {
      dag.task(id, async () => {
        if (++started === 2) bothStarted();
        // Each waits for the other to have started: this only ends if both run at once.
        await barrier;
        return id;
      });
    }
    const { result } = await run(dag);
    expect(result.state).toBe('success');
  });

  it('keeps to the concurrency limit', async () => {
    let inFlight = 0;
    let most = 0;
    const dag = new DAG({ dagId: 'd', maxActiveTasks: 2 });
    for (let i = 0; i < 6; i++) {
      dag.task(`t${i}`, async () => {
        most = Math.max(most, ++inFlight);
        await new Promise<void>((r) => setImmediate(r));
        inFlight--;
      });
    }
    await run(dag);
    expect(most).toBe(2);
    most = 0;
    await run(dag, { concurrency: 1 });
    expect(most).toBe(1);
  });

  it('stops when its signal aborts: running tries end, nothing new starts, the run fails', async () => {
    const controller = new AbortController();
    const dag = new DAG({ dagId: 'd' });
    const first = dag.task('first', async (ctx) => {
      controller.abort(new Error('user pressed ctrl-c'));
      await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve())));
      throw new Error('stopped');
    }, { retries: 3 });
    first.then(dag.task('second', () => 1));
    const { result, states } = await run(dag, { signal: controller.signal });
    expect(states).toEqual(['first:running#1', 'first:failed#1', 'second:upstream_failed#0']);
    expect(result.state).toBe('failed');
  });

  it('refuses a cyclic DAG', async () => {
    const dag = new DAG({ dagId: 'd' });
    const a = dag.task('a', () => 1);
    const b = dag.task('b', () => 1);
    chain(a, b, a);
    await expect(runDagTest(dag)).rejects.toMatchObject({ name: 'DagCycleError' });
  });
});
