import { expect, it } from 'vitest';
import { StoreInputError, type MetadataStore, type TaskInstance, type TaskInstanceKey } from '../../src/index.js';
import { at, seedRun, tasks, useStore, type StoreSuiteTarget } from './harness.js';

/** Claims until a claim comes back empty, as a scheduler loop would. */
async function claimAll(store: MetadataStore, limit: number): Promise<TaskInstance[]> {
  const claimed: TaskInstance[] = [];
  for (;;) {
    const batch = await store.claimScheduledTaskInstances({ limit });
    if (batch.length === 0) return claimed;
    claimed.push(...batch);
  }
}

export function concurrencyTests(target: StoreSuiteTarget): void {
  const t = useStore(target);
  const key: TaskInstanceKey = { dagId: 'd', runId: 'r', taskId: 'train' };

  it('lets exactly one of many racing transitions from the same state apply, across stores', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([{ ...key, state: 'queued', tryNumber: 1 }]);
    const peer = t.handle.peer();
    const racers = Array.from({ length: 8 }, (_, i) =>
      (i % 2 ? peer : t.store).transitionTaskInstance(key, { from: ['queued'], to: 'running', patch: { hostname: `host-${i}` } }),
    );
    const results = await Promise.all(racers);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await t.store.getTaskInstance(key)).toMatchObject({ state: 'running', hostname: `host-${winner}` });
  });

  it('settles a finishing runner racing the zombie reaper: one outcome, never both', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([{ ...key, state: 'running', tryNumber: 1 }]);
    const peer = t.handle.peer();
    const [runner, reaper] = await Promise.all([
      t.store.transitionTaskInstance(key, { from: ['running'], to: 'success', tryNumber: 1, patch: { endDate: at(1) } }),
      peer.transitionTaskInstance(key, { from: ['running'], to: 'up_for_retry', tryNumber: 1, patch: { endDate: at(2) } }),
    ]);
    expect(runner !== reaper).toBe(true);
    const ti = await t.store.getTaskInstance(key);
    expect(ti).toMatchObject(runner ? { state: 'success', endDate: at(1) } : { state: 'up_for_retry', endDate: at(2) });
  });

  it('never hands the same task instance to two concurrent claimers', async () => {
    for (const runId of ['r1', 'r2', 'r3']) {
      await seedRun(t.store, 'd', runId);
      await t.store.createTaskInstances(tasks('d', runId, 50, { state: 'scheduled' }));
    }
    const peer = t.handle.peer();
    const [mine, theirs] = await Promise.all([claimAll(t.store, 7), claimAll(peer, 7)]);
    const ids = [...mine, ...theirs].map((ti) => ti.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(150);
    expect([...mine, ...theirs].every((ti) => ti.state === 'queued')).toBe(true);
    expect((await t.store.listTaskInstances({ states: ['queued'] })).total).toBe(150);
    expect(await t.store.claimScheduledTaskInstances({ limit: 10 })).toEqual([]);
  });

  it('claims only scheduled tasks of running runs of unpaused DAGs, by priority then run date', async () => {
    // Run ids sort the other way round from run dates: the date decides.
    await seedRun(t.store, 'd', 'a_late', { runAfter: at(10) });
    await seedRun(t.store, 'd', 'z_early', { runAfter: at(5) });
    await seedRun(t.store, 'paused', 'r', { paused: true });
    await seedRun(t.store, 'e', 'r');
    await t.store.upsertDag({ dagId: 'q', fileloc: '/q.ts', isPausedUponCreation: false });
    await t.store.createDagRun({ dagId: 'q', runId: 'r', runType: 'manual', runAfter: at(0) });
    await t.store.createTaskInstances([
      { dagId: 'd', runId: 'a_late', taskId: 'a', state: 'scheduled', priorityWeight: 1 },
      { dagId: 'd', runId: 'z_early', taskId: 'b', state: 'scheduled', priorityWeight: 1 },
      { dagId: 'd', runId: 'a_late', taskId: 'urgent', state: 'scheduled', priorityWeight: 9 },
      { dagId: 'd', runId: 'z_early', taskId: 'waiting', state: null },
      { dagId: 'paused', runId: 'r', taskId: 'a', state: 'scheduled' },
      { dagId: 'q', runId: 'r', taskId: 'a', state: 'scheduled' },
      { dagId: 'e', runId: 'r', taskId: 'a', state: 'scheduled' },
    ]);
    t.clock = at(30);
    const first = await t.store.claimScheduledTaskInstances({ limit: 2, dagIds: ['d'], queuedAt: at(31) });
    expect(first.map((ti) => `${ti.runId}.${ti.taskId}`)).toEqual(['a_late.urgent', 'z_early.b']);
    expect(first.every((ti) => ti.state === 'queued' && ti.queuedDttm?.getTime() === at(31).getTime())).toBe(true);
    const rest = await t.store.claimScheduledTaskInstances({ limit: 10 });
    expect(rest.map((ti) => `${ti.dagId}.${ti.runId}.${ti.taskId}`).sort()).toEqual(['d.a_late.a', 'e.r.a']);
    expect(rest[0]?.queuedDttm).toEqual(at(30));
    expect(await t.store.claimScheduledTaskInstances({ limit: 10, dagIds: [] })).toEqual([]);
    await expect(t.store.claimScheduledTaskInstances({ limit: 0 })).rejects.toBeInstanceOf(StoreInputError);
    await t.store.setDagPaused('paused', false);
    expect((await t.store.claimScheduledTaskInstances({ limit: 10 })).map((ti) => ti.dagId)).toEqual(['paused']);
  });

  it('claims from a list of DAG ids of any length, with or without an owner', async () => {
    for (const d of ['a', 'b', 'c', 'd', 'e']) {
      await seedRun(t.store, d, 'r');
      await t.store.createTaskInstances(tasks(d, 'r', 2, { state: 'scheduled' }));
    }
    const dagsOf = (tis: { dagId: string }[]) => [...new Set(tis.map((ti) => ti.dagId))].sort();
    expect(dagsOf(await t.store.claimScheduledTaskInstances({ limit: 10, dagIds: ['b', 'nope', 'd'] }))).toEqual(['b', 'd']);
    const owned = await t.store.claimScheduledTaskInstances({ limit: 10, dagIds: ['a', 'b', 'c', 'd', 'e'], externalExecutorId: 'me' });
    expect(dagsOf(owned)).toEqual(['a', 'c', 'e']);
    expect(owned.every((ti) => ti.externalExecutorId === 'me')).toBe(true);
    expect(await t.store.claimScheduledTaskInstances({ limit: 10, dagIds: ['a'] })).toEqual([]);
    await expect(t.store.claimScheduledTaskInstances({ limit: 1, dagIds: [3 as unknown as string] })).rejects.toMatchObject({ field: 'dagIds[0]' });
  });

  it('writes the claimer as externalExecutorId of what it claims, and leaves it alone when not given', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances(tasks('d', 'r', 3, { state: 'scheduled' }));
    const mine = await t.store.claimScheduledTaskInstances({ limit: 2, externalExecutorId: 'LocalExecutor:7' });
    expect(mine.map((ti) => ti.externalExecutorId)).toEqual(['LocalExecutor:7', 'LocalExecutor:7']);
    const rest = await t.store.claimScheduledTaskInstances({ limit: 2 });
    expect(rest.map((ti) => [ti.state, ti.externalExecutorId])).toEqual([['queued', null]]);
    expect((await t.store.getTaskInstance({ dagId: 'd', runId: 'r', taskId: mine[0]?.taskId ?? '' }))?.externalExecutorId).toBe('LocalExecutor:7');
  });

  it.skipIf(!target.parallelTransactions)('migrates once when two stores migrate a fresh database at once', async () => {
    const fresh = await target.newStore();
    try {
      const second = fresh.peer();
      const [a, b] = await Promise.all([fresh.store.migrate(), second.migrate()]);
      const applied = [a.applied, b.applied].sort((x, y) => y.length - x.length);
      expect(applied[0]?.length).toBeGreaterThan(0);
      expect(applied[1]).toEqual([]);
      await fresh.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
      expect(await second.getDag('d')).not.toBeNull();
    } finally {
      await fresh.dispose();
    }
  });
}
