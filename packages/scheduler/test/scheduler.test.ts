import { ParamValidationError } from '@updraft/core';
import type { MetadataStore } from '@updraft/store';
import { afterEach, describe, expect, it } from 'vitest';
import { SchedulerAlreadyRunningError } from '../src/scheduler/errors.js';
import { resolveSchedulerOptions, Scheduler } from '../src/scheduler/scheduler.js';
import { triggerDagRun } from '../src/scheduler/runs.js';
import { SerializedDagCache } from '../src/scheduler/serialized.js';
import { createHarness, type Harness } from './harness.js';
import { ScriptedExecutor } from './scripted-executor.js';
import { until } from '../../../test-support/cli-process.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dailyDag = (opts: string): string => `import { DAG } from '@updraft/core';
export const dag = new DAG({ dagId: 'daily', schedule: '@daily', startDate: '2025-01-01T00:00:00Z', ${opts} });
dag.task('t', () => 1);
`;

async function runs(h: Harness, dagId: string): Promise<{ runId: string; state: string; logicalDate: string | null }[]> {
  const page = await h.store.listDagRuns({ dagIds: [dagId], orderBy: 'logicalDate' });
  return page.items.map((r) => ({ runId: r.runId, state: r.state, logicalDate: r.logicalDate?.toISOString() ?? null }));
}

async function tis(h: Harness, dagId: string, runId: string): Promise<Record<string, [string | null, number]>> {
  const page = await h.store.listTaskInstances({ dagIds: [dagId], runIds: [runId] });
  return Object.fromEntries(page.items.map((t) => [t.taskId, [t.state, t.tryNumber]]));
}

describe('scheduled runs', () => {
  it('creates no run while the DAG is paused, as new DAGs are', async () => {
    h = await createHarness();
    h.writeDag('daily.ts', dailyDag('catchup: true'));
    await h.processor.processOnce();
    expect((await h.store.getDag('daily'))?.isPaused).toBe(true);
    await h.settle();
    expect(await runs(h, 'daily')).toEqual([]);
  });

  it('catches up three days with the right logical dates, and runs them', async () => {
    h = await createHarness({ now: new Date('2025-01-03T12:00:00Z') });
    h.writeDag('daily.ts', dailyDag('catchup: true'));
    await h.processor.processOnce();
    await h.store.setDagPaused('daily', false);
    await h.settle();
    expect(await runs(h, 'daily')).toEqual([
      { runId: 'scheduled__2025-01-01T00:00:00+00:00', state: 'success', logicalDate: '2025-01-01T00:00:00.000Z' },
      { runId: 'scheduled__2025-01-02T00:00:00+00:00', state: 'success', logicalDate: '2025-01-02T00:00:00.000Z' },
      { runId: 'scheduled__2025-01-03T00:00:00+00:00', state: 'success', logicalDate: '2025-01-03T00:00:00.000Z' },
    ]);
    expect((await h.store.getDag('daily'))?.nextDagrun?.toISOString()).toBe('2025-01-04T00:00:00.000Z');
    // The next day comes: exactly one more run.
    h.clock.advance(24 * 3600_000);
    await h.settle();
    expect((await runs(h, 'daily')).map((r) => r.logicalDate)).toContain('2025-01-04T00:00:00.000Z');
    expect(await runs(h, 'daily')).toHaveLength(4);
  });

  it('without catchup runs only the latest interval', async () => {
    h = await createHarness({ now: new Date('2025-01-03T12:00:00Z') });
    h.writeDag('daily.ts', dailyDag('catchup: false'));
    await h.processor.processOnce();
    await h.store.setDagPaused('daily', false);
    await h.settle();
    expect(await runs(h, 'daily')).toEqual([{ runId: 'scheduled__2025-01-03T00:00:00+00:00', state: 'success', logicalDate: '2025-01-03T00:00:00.000Z' }]);
  });

  it('honours maxActiveRuns: catch-up runs start one at a time', async () => {
    h = await createHarness({ now: new Date('2025-01-03T12:00:00Z') });
    h.writeDag('daily.ts', dailyDag('catchup: true, maxActiveRuns: 1'));
    await h.processor.processOnce();
    await h.store.setDagPaused('daily', false);
    await h.scheduler.runOnce();
    const active = await h.store.countActiveRuns('daily');
    expect(active.queued + active.running).toBe(1);
    await h.settle();
    expect((await runs(h, 'daily')).map((r) => r.state)).toEqual(['success', 'success', 'success']);
  });

  it('checks maxDagRunsPerLoop: a positive integer, 20 by default', () => {
    const base = { store: {} as MetadataStore, executor: new ScriptedExecutor(1) };
    expect(resolveSchedulerOptions(base).maxDagRunsPerLoop).toBe(20);
    for (const bad of [0, 2.5, -1, Number.NaN]) expect(() => resolveSchedulerOptions({ ...base, maxDagRunsPerLoop: bad })).toThrow(/maxDagRunsPerLoop must be a positive/);
  });

  it('starts at most maxDagRunsPerLoop queued runs in a pass, and the rest in the next', async () => {
    h = await createHarness({ scheduler: { maxDagRunsPerLoop: 3 } });
    h.writeDag('burst.ts', `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'burst', maxActiveRuns: 10 });\ndag.task('t', () => undefined);\n`);
    await h.processor.processOnce();
    await h.store.setDagPaused('burst', false);
    const dag = (await new SerializedDagCache(h.store).get('burst'))!;
    for (let i = 0; i < 5; i++) await triggerDagRun(h.store, dag, { runId: `r${i}`, logicalDate: null, now: h.clock.now() });
    const queued = async () => (await h!.store.listDagRuns({ dagIds: ['burst'], states: ['queued'] })).items.map((r) => r.runId).sort();
    await h.scheduler.runOnce();
    // The oldest first: runs queued since earlier start first.
    expect(await queued()).toEqual(['r3', 'r4']);
    await h.scheduler.runOnce();
    expect(await queued()).toEqual([]);
    await h.settle();
    expect((await runs(h, 'burst')).map((r) => r.state)).toEqual(['success', 'success', 'success', 'success', 'success']);
  });

  it('stops at endDate', async () => {
    h = await createHarness({ now: new Date('2025-01-05T12:00:00Z') });
    h.writeDag('daily.ts', dailyDag("catchup: true, endDate: '2025-01-02T00:00:00Z'"));
    await h.processor.processOnce();
    await h.store.setDagPaused('daily', false);
    await h.settle();
    expect((await runs(h, 'daily')).map((r) => r.logicalDate)).toEqual(['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z']);
  });
});

describe('manual runs, retries and trigger rules through the scheduler', () => {
  it('runs a triggered DAG, passing XComs through the store', async () => {
    h = await createHarness();
    h.writeDag(
      'x.ts',
      `import { DAG, chain } from '@updraft/core';
export const dag = new DAG({ dagId: 'x', params: { n: { type: 'integer', default: 2 } } });
const a = dag.task('a', (ctx) => (ctx.params.n as number) * 10);
const b = dag.task('b', async (ctx) => { await ctx.ti.xcomPush('seen', await ctx.ti.xcomPull({ taskIds: 'a' })); });
chain(a, b);
`,
    );
    await h.processor.processOnce();
    await h.store.setDagPaused('x', false);
    const dag = await new SerializedDagCache(h.store).get('x');
    const run = await triggerDagRun(h.store, dag!, { conf: { n: 4 }, runId: 'manual_1', now: h.clock.now() });
    await h.settle();
    expect((await h.store.getDagRun('x', run.runId))?.state).toBe('success');
    expect(await tis(h, 'x', 'manual_1')).toEqual({ a: ['success', 1], b: ['success', 1] });
    expect((await h.store.getXcom({ dagId: 'x', runId: 'manual_1', taskId: 'b', key: 'seen' }))?.value).toBe(40);
    await expect(triggerDagRun(h.store, dag!, { conf: { n: 'four' } })).rejects.toBeInstanceOf(ParamValidationError);
  });

  it("keeps a DAG within maxActiveTasks across its runs, queueing the rest as places free up", async () => {
    h = await createHarness();
    h.writeDag(
      'narrow.ts',
      `import { DAG } from '@updraft/core';
export const dag = new DAG({ dagId: 'narrow', maxActiveTasks: 2 });
const seen = globalThis as { narrowActive?: number; narrowMost?: number };
for (let i = 0; i < 5; i++) dag.task('t' + i, async () => {
  seen.narrowActive = (seen.narrowActive ?? 0) + 1;
  seen.narrowMost = Math.max(seen.narrowMost ?? 0, seen.narrowActive);
  await new Promise((resolve) => setTimeout(resolve, 5));
  seen.narrowActive -= 1;
});
`,
    );
    await h.processor.processOnce();
    await h.store.setDagPaused('narrow', false);
    const dag = await new SerializedDagCache(h.store).get('narrow');
    await triggerDagRun(h.store, dag!, { runId: 'r1', now: h.clock.now() });
    await triggerDagRun(h.store, dag!, { runId: 'r2', now: h.clock.now(), logicalDate: null });
    await h.scheduler.runOnce();
    const states = [...Object.values(await tis(h, 'narrow', 'r1')), ...Object.values(await tis(h, 'narrow', 'r2'))].map(([state]) => state);
    // Ten task instances over two runs, two places: the claim took two, the others wait scheduled (or not yet).
    expect(states.filter((x) => x === 'queued' || x === 'running' || x === 'success')).toHaveLength(2);
    await h.settle();
    expect((await h.store.getDagRun('narrow', 'r1'))?.state).toBe('success');
    expect((await h.store.getDagRun('narrow', 'r2'))?.state).toBe('success');
    expect((globalThis as { narrowMost?: number }).narrowMost).toBe(2);
  });

  it('gives back what a DAG claimed beyond its room, so that the next pass can give those places to another DAG', async () => {
    h = await createHarness();
    const fanOut = (dagId: string, limit: number): string =>
      `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: '${dagId}', maxActiveTasks: ${limit} });\nfor (let i = 0; i < 3; i++) dag.task('t' + i, () => i);\n`;
    // Same run times: the claim's order puts a_tight's task instances before b_roomy's.
    h.writeDag('a.ts', fanOut('a_tight', 1));
    h.writeDag('b.ts', fanOut('b_roomy', 5));
    await h.processor.processOnce();
    for (const id of ['a_tight', 'b_roomy']) {
      await h.store.setDagPaused(id, false);
      await triggerDagRun(h.store, (await new SerializedDagCache(h.store).get(id))!, { runId: 'r', now: h.clock.now() });
    }
    await h.scheduler.runOnce();
    const waiting = (states: Record<string, [string | null, number]>): number => Object.values(states).filter(([x]) => x === 'scheduled').length;
    expect(waiting(await tis(h, 'a_tight', 'r'))).toBe(2);
    expect(waiting(await tis(h, 'b_roomy', 'r'))).toBe(0);
    // What went back is scheduled as it was, with no trace of the claim.
    const back = (await h.store.listTaskInstances({ dagIds: ['a_tight'], states: ['scheduled'] })).items;
    expect(back.every((ti) => ti.queuedDttm === null && ti.externalExecutorId === null && ti.tryNumber === 1)).toBe(true);
    await h.settle();
    expect((await h.store.getDagRun('a_tight', 'r'))?.state).toBe('success');
    expect((await h.store.getDagRun('b_roomy', 'r'))?.state).toBe('success');
  });

  it('retries a failed task after retryDelay, and not before', async () => {
    h = await createHarness();
    h.writeDag(
      'flaky.ts',
      `import { DAG } from '@updraft/core';
export const dag = new DAG({ dagId: 'flaky', defaultArgs: { retries: 1, retryDelay: { minutes: 10 } } });
dag.task('t', async (ctx) => { if (ctx.ti.tryNumber === 1) throw new Error('first try fails'); return ctx.ti.tryNumber; });
`,
    );
    await h.processor.processOnce();
    await h.store.setDagPaused('flaky', false);
    const dag = await new SerializedDagCache(h.store).get('flaky');
    await triggerDagRun(h.store, dag!, { runId: 'r', now: h.clock.now() });
    await h.settle();
    expect(await tis(h, 'flaky', 'r')).toEqual({ t: ['up_for_retry', 1] });
    h.clock.advance(9 * 60_000);
    await h.settle();
    expect(await tis(h, 'flaky', 'r')).toEqual({ t: ['up_for_retry', 1] });
    h.clock.advance(61_000);
    await h.settle();
    expect(await tis(h, 'flaky', 'r')).toEqual({ t: ['success', 2] });
    expect((await h.store.getDagRun('flaky', 'r'))?.state).toBe('success');
    const history = await h.store.listTaskInstanceHistory({ dagId: 'flaky', runId: 'r', taskId: 't' });
    expect(history.map((t) => [t.tryNumber, t.state])).toEqual([
      [1, 'up_for_retry'],
      [2, 'success'],
    ]);
  });

  it('applies trigger rules: a failure marks downstream upstream_failed, an all_done cleanup still runs, leaves decide the run', async () => {
    h = await createHarness();
    h.writeDag(
      'rules.ts',
      `import { DAG, chain } from '@updraft/core';
export const dag = new DAG({ dagId: 'rules' });
const bad = dag.task('bad', () => { throw new Error('no'); });
const after = dag.task('after', () => 1);
const cleanup = dag.task('cleanup', () => 'cleaned', { triggerRule: 'all_done' });
const skipper = dag.task('skipper', (ctx) => ctx.skip('nothing to do'));
const skippedDown = dag.task('skipped_down', () => 1);
chain(bad, after, cleanup);
skipper.then(skippedDown);
`,
    );
    await h.processor.processOnce();
    await h.store.setDagPaused('rules', false);
    const dag = await new SerializedDagCache(h.store).get('rules');
    await triggerDagRun(h.store, dag!, { runId: 'r', now: h.clock.now() });
    await h.settle();
    expect(await tis(h, 'rules', 'r')).toEqual({
      bad: ['failed', 1],
      after: ['upstream_failed', 0],
      cleanup: ['success', 1],
      skipper: ['skipped', 1],
      skipped_down: ['skipped', 0],
    });
    // The leaves are cleanup (success) and skipped_down (skipped): Airflow calls such a run a success.
    expect((await h.store.getDagRun('rules', 'r'))?.state).toBe('success');
  });

  it('fails the run when a leaf fails', async () => {
    h = await createHarness();
    h.writeDag('f.ts', `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'f' });\ndag.task('t', (ctx) => ctx.fail('broken input'), { retries: 3 });\n`);
    await h.processor.processOnce();
    await h.store.setDagPaused('f', false);
    await triggerDagRun(h.store, (await new SerializedDagCache(h.store).get('f'))!, { runId: 'r', now: h.clock.now() });
    await h.settle();
    // ctx.fail skips the three retries.
    expect(await tis(h, 'f', 'r')).toEqual({ t: ['failed', 1] });
    expect((await h.store.getDagRun('f', 'r'))?.state).toBe('failed');
  });

  it('fails a run past its dagrunTimeout and skips what was left', async () => {
    h = await createHarness();
    h.writeDag(
      'slow.ts',
      `import { DAG, chain } from '@updraft/core';
export const dag = new DAG({ dagId: 'slow', dagrunTimeout: { minutes: 5 }, defaultArgs: { retries: 1, retryDelay: { hours: 1 } } });
chain(dag.task('a', () => { throw new Error('x'); }), dag.task('b', () => 1));
`,
    );
    await h.processor.processOnce();
    await h.store.setDagPaused('slow', false);
    await triggerDagRun(h.store, (await new SerializedDagCache(h.store).get('slow'))!, { runId: 'r', now: h.clock.now() });
    await h.settle();
    expect((await tis(h, 'slow', 'r')).a).toEqual(['up_for_retry', 1]);
    h.clock.advance(6 * 60_000);
    await h.settle();
    expect((await h.store.getDagRun('slow', 'r'))?.state).toBe('failed');
    expect(await tis(h, 'slow', 'r')).toEqual({ a: ['skipped', 1], b: ['skipped', 0] });
  });
});

describe('one scheduler per SQLite database', () => {
  it('refuses a second live scheduler with a clear message', async () => {
    h = await createHarness();
    const second = new Scheduler({ store: h.store, executor: h.executor, now: h.clock.now });
    await expect(second.register()).rejects.toBeInstanceOf(SchedulerAlreadyRunningError);
    await expect(second.register()).rejects.toThrow(/SQLite allows one scheduler/);
  });

  it("takes over a dead scheduler's tries: queued ones are scheduled again, running ones retried", async () => {
    h = await createHarness();
    h.writeDag('d.ts', `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'd', defaultArgs: { retries: 1, retryDelay: 0 } });\ndag.task('q', () => 1);\ndag.task('r', () => 2);\n`);
    await h.processor.processOnce();
    await h.store.setDagPaused('d', false);
    await triggerDagRun(h.store, (await new SerializedDagCache(h.store).get('d'))!, { runId: 'run', now: h.clock.now() });
    // A scheduler that died (its pid no longer exists) after queueing q and starting r.
    await h.store.endJob(h.scheduler.job!.id, 'success');
    const dead = await h.store.startJob({ jobType: 'SchedulerJob', hostname: h.scheduler.options.hostname, pid: 2 ** 22 + 12345 });
    await h.store.updateDagRunState('d', 'run', { state: 'running', from: ['queued'] });
    await h.store.createTaskInstances([
      { dagId: 'd', runId: 'run', taskId: 'q', state: 'queued', tryNumber: 1, maxTries: 2 },
      { dagId: 'd', runId: 'run', taskId: 'r', state: 'queued', tryNumber: 1, maxTries: 2 },
    ]);
    const owner = { externalExecutorId: `LocalExecutor:${dead.id}` };
    await h.store.transitionTaskInstance({ dagId: 'd', runId: 'run', taskId: 'q' }, { from: ['queued'], to: 'queued', patch: owner });
    await h.store.transitionTaskInstance({ dagId: 'd', runId: 'run', taskId: 'r' }, { from: ['queued'], to: 'running', patch: { ...owner, startDate: h.clock.now(), pid: 2 ** 22 + 12346 } });
    const next = new Scheduler({ store: h.store, executor: h.executor, now: h.clock.now });
    await next.register();
    expect(await tis(h, 'd', 'run')).toEqual({ q: ['scheduled', 1], r: ['up_for_retry', 1] });
    h.scheduler = next;
    await h.settle();
    expect(await tis(h, 'd', 'run')).toEqual({ q: ['success', 1], r: ['success', 2] });
    expect((await h.store.getDagRun('d', 'run'))?.state).toBe('success');
  });
});

describe('the scheduling loop', () => {
  it('records endings that come close together in one pass while the executor has tries enough, and each at once when it runs low', async () => {
    const executor = new ScriptedExecutor(8);
    h = await createHarness({ executor });
    h.writeDag('wide.ts', `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'wide' });\nfor (let i = 0; i < 8; i++) dag.task('t' + i, () => undefined);\n`);
    await h.processor.processOnce();
    await h.store.setDagPaused('wide', false);
    await triggerDagRun(h.store, (await new SerializedDagCache(h.store).get('wide'))!, { runId: 'r', logicalDate: null, now: h.clock.now() });
    // Every batch of endings the loop records, by the tasks it names.
    const batches: string[][] = [];
    const transition = h.store.transitionTaskInstances.bind(h.store);
    h.store.transitionTaskInstances = (items) => {
      const ended = items.filter((i) => i.transition.to === 'success').map((i) => i.key.taskId);
      if (ended.length > 0) batches.push(ended);
      return transition(items);
    };
    await h.store.endJob(h.scheduler.job!.id, 'success');
    h.scheduler = new Scheduler({ store: h.store, executor, now: h.clock.now });
    await h.scheduler.start();
    await until('eight tries queued', () => executor.queued.length === 8);
    const recorded = (taskId: string) => batches.findIndex((b) => b.includes(taskId));
    // Eight of eight slots busy: three endings in three turns of the event loop go in one batch (without the pace,
    // each turn would run a pass of its own).
    for (const t of ['t0', 't1', 't2']) {
      executor.succeed(t);
      await new Promise((r) => setImmediate(r));
    }
    await until('t2 recorded', async () => (await h!.store.getTaskInstance({ dagId: 'wide', runId: 'r', taskId: 't2' }))?.state === 'success');
    expect(batches).toEqual([['t0', 't1', 't2']]);
    // From half the slots free on, the executor runs low: each ending is recorded in a pass of its own, at once.
    executor.succeed('t3');
    await new Promise((r) => setImmediate(r));
    executor.succeed('t4');
    await until('t4 recorded', () => recorded('t4') >= 0);
    expect(batches.slice(1)).toEqual([['t3'], ['t4']]);
    for (const t of ['t5', 't6', 't7']) executor.succeed(t);
    await until('the run to succeed', async () => (await h!.store.getDagRun('wide', 'r'))?.state === 'success');
  });


  it('starts the queued runs a pass left (maxDagRunsPerLoop) in the short passes after it, with no try ended and no full pass due', async () => {
    const executor = new ScriptedExecutor(16);
    h = await createHarness({ executor });
    h.writeDag('burst.ts', `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'burst', maxActiveRuns: 10 });\ndag.task('t', () => undefined);\n`);
    await h.processor.processOnce();
    await h.store.setDagPaused('burst', false);
    const dag = (await new SerializedDagCache(h.store).get('burst'))!;
    for (let i = 0; i < 5; i++) await triggerDagRun(h.store, dag, { runId: `r${i}`, logicalDate: null, now: h.clock.now() });
    await h.store.endJob(h.scheduler.job!.id, 'success');
    // The clock stands still: only the first pass is a full one.
    h.scheduler = new Scheduler({ store: h.store, executor, now: h.clock.now, maxDagRunsPerLoop: 2 });
    await h.scheduler.start();
    await until('five tries queued', () => executor.queued.length === 5);
    expect((await h.store.listDagRuns({ dagIds: ['burst'], states: ['running'] })).total).toBe(5);
  });

  it('drives runs to their end through the short passes that executor events wake, without waiting for a full pass', async () => {
    // The clock stands still: after the first (woken) full pass, no full pass is ever due, so only the short passes
    // that each ending wakes can move the tasks on.
    h = await createHarness();
    h.writeDag(
      'loop.ts',
      `import { DAG, chain } from '@updraft/core';
export const dag = new DAG({ dagId: 'loop' });
const a = dag.task('a', () => 1);
const fan = [1, 2, 3].map((i) => dag.task('fan_' + i, async (ctx) => (await ctx.ti.xcomPull({ taskIds: 'a' })) + i));
chain(a, fan);
const last = dag.task('last', async (ctx) => (await ctx.ti.xcomPull({ taskIds: ['fan_1', 'fan_2', 'fan_3'] })).join(','));
for (const f of fan) f.then(last);
`,
    );
    await h.processor.processOnce();
    await h.store.setDagPaused('loop', false);
    const dag = (await new SerializedDagCache(h.store).get('loop'))!;
    for (const runId of ['one', 'two']) await triggerDagRun(h.store, dag, { runId, logicalDate: null, now: h.clock.now() });
    // The harness registered a scheduler for runOnce(); this one loops in its place.
    await h.store.endJob(h.scheduler.job!.id, 'success');
    h.scheduler = new Scheduler({ store: h.store, executor: h.executor, now: h.clock.now });
    await h.scheduler.start();
    const deadline = Date.now() + 30_000;
    while ((await h.store.listDagRuns({ dagIds: ['loop'], states: ['success'] })).total < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const runId of ['one', 'two']) {
      expect((await h.store.getDagRun('loop', runId))?.state).toBe('success');
      expect((await h.store.getXcom({ dagId: 'loop', runId, taskId: 'last', key: 'return_value' }))?.value).toBe('2,3,4');
      const history = await h.store.listTaskInstanceHistory({ dagId: 'loop', runId, taskId: 'last' });
      expect(history.map((t) => [t.tryNumber, t.state])).toEqual([[1, 'success']]);
    }
  });
});

