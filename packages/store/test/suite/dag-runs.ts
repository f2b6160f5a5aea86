import { expect, it } from 'vitest';
import { DagRunExistsError, NotFoundError, StoreInputError, type DagRunCreate } from '../../src/index.js';
import { at, seedRun, useStore, type StoreSuiteTarget } from './harness.js';

export function dagRunTests(target: StoreSuiteTarget): void {
  const t = useStore(target);
  const run = (runId: string, extra: Partial<DagRunCreate> = {}): DagRunCreate => ({
    dagId: 'd',
    runId,
    runType: 'scheduled',
    runAfter: at(0),
    ...extra,
  });

  it('creates a queued run with defaults and reads it back', async () => {
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    t.clock = at(7);
    const created = await t.store.createDagRun(run('r1', { logicalDate: at(0), dataIntervalStart: at(-60), dataIntervalEnd: at(0) }));
    expect(created).toMatchObject({
      dagId: 'd',
      runId: 'r1',
      state: 'queued',
      queuedAt: at(7),
      startDate: null,
      duration: null,
      conf: {},
      logicalDate: at(0),
      dataIntervalStart: at(-60),
      updatedAt: at(7),
    });
    expect(await t.store.getDagRun('d', 'r1')).toEqual(created);
    expect(await t.store.getDagRun('d', 'nope')).toBeNull();
  });

  it('round-trips conf JSON with nesting, unicode and key order', async () => {
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    const conf = { z: 1, a: { deep: [null, true, -0.5, 'ünï'] }, empty: {}, list: [] };
    const created = await t.store.createDagRun(run('r', { conf, triggeredBy: 'cli', note: 'why' }));
    const read = await t.store.getDagRun('d', 'r');
    expect(read?.conf).toEqual(conf);
    expect(Object.keys(read?.conf ?? {})).toEqual(['z', 'a', 'empty', 'list']);
    expect(created).toMatchObject({ triggeredBy: 'cli', note: 'why' });
    await expect(t.store.createDagRun(run('bad', { conf: [] as never }))).rejects.toMatchObject({ field: 'dagRun.conf' });
    await expect(t.store.createDagRun(run('bad', { conf: { x: Number.NaN } }))).rejects.toMatchObject({ field: 'dagRun.conf.x' });
  });

  it('rejects a duplicate run id or logical date with DagRunExistsError, allowing many null logical dates', async () => {
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    await t.store.upsertDag({ dagId: 'e', fileloc: '/e.ts' });
    await t.store.createDagRun(run('r1', { logicalDate: at(0) }));
    const byRunId = await t.store.createDagRun(run('r1', { logicalDate: at(1) })).catch((e: unknown) => e);
    expect(byRunId).toBeInstanceOf(DagRunExistsError);
    expect(byRunId).toMatchObject({ dagId: 'd', runId: 'r1', conflict: 'runId' });
    const byDate = await t.store.createDagRun(run('r2', { logicalDate: at(0) })).catch((e: unknown) => e);
    expect(byDate).toMatchObject({ name: 'DagRunExistsError', conflict: 'logicalDate', logicalDate: at(0) });
    await t.store.createDagRun(run('m1', { logicalDate: null }));
    await t.store.createDagRun(run('m2'));
    await t.store.createDagRun({ ...run('r1', { logicalDate: at(0) }), dagId: 'e' });
    expect((await t.store.listDagRuns()).total).toBe(4);
  });

  it('refuses a run of an unknown DAG and bad input', async () => {
    await expect(t.store.createDagRun(run('r'))).rejects.toBeInstanceOf(NotFoundError);
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    await expect(t.store.createDagRun(run('r', { runType: 'cron' as never }))).rejects.toMatchObject({ field: 'dagRun.runType' });
    await expect(t.store.createDagRun(run('r', { state: 'done' as never }))).rejects.toMatchObject({ field: 'dagRun.state' });
    await expect(t.store.createDagRun(run('', {}))).rejects.toBeInstanceOf(StoreInputError);
    await expect(t.store.createDagRun(run('r', { runAfter: new Date(Number.NaN) }))).rejects.toMatchObject({ field: 'dagRun.runAfter' });
  });

  it('updates state compare-and-set, with start and end dates and duration', async () => {
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    await t.store.createDagRun(run('r'));
    expect(await t.store.updateDagRunState('d', 'r', { state: 'success', from: ['running'] })).toBe(false);
    expect(await t.store.updateDagRunState('d', 'r', { state: 'running', from: ['queued'], startDate: at(1) })).toBe(true);
    expect(await t.store.updateDagRunState('d', 'r', { state: 'running', from: ['queued'] })).toBe(false);
    expect(await t.store.updateDagRunState('d', 'r', { state: 'failed', endDate: at(3), lastSchedulingDecision: at(3), note: 'n' })).toBe(true);
    expect(await t.store.getDagRun('d', 'r')).toMatchObject({
      state: 'failed',
      startDate: at(1),
      endDate: at(3),
      duration: 120,
      lastSchedulingDecision: at(3),
      note: 'n',
    });
    expect(await t.store.updateDagRunState('d', 'r', { state: 'queued', startDate: null, endDate: null })).toBe(true);
    expect(await t.store.getDagRun('d', 'r')).toMatchObject({ state: 'queued', startDate: null, endDate: null, duration: null });
    expect(await t.store.updateDagRunState('d', 'nope', { state: 'running' })).toBe(false);
    expect(await t.store.updateDagRunState('d', 'r', { state: 'running', from: [] })).toBe(false);
  });

  it('filters, pages and orders runs', async () => {
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    await t.store.upsertDag({ dagId: 'e', fileloc: '/e.ts' });
    await t.store.createDagRun(run('s1', { runAfter: at(10), logicalDate: at(10) }));
    await t.store.createDagRun(run('m1', { runType: 'manual', runAfter: at(5) }));
    await t.store.createDagRun(run('s2', { runAfter: at(20), logicalDate: at(20), state: 'running' }));
    await t.store.createDagRun({ ...run('s1', { runAfter: at(15) }), dagId: 'e', state: 'success' });
    const ids = async (q: Parameters<typeof t.store.listDagRuns>[0]) =>
      (await t.store.listDagRuns(q)).items.map((r) => `${r.dagId}/${r.runId}`);
    expect(await ids({})).toEqual(['d/s1', 'd/m1', 'd/s2', 'e/s1']);
    expect(await ids({ dagIds: ['d'], orderBy: 'runAfter', direction: 'desc' })).toEqual(['d/s2', 'd/s1', 'd/m1']);
    expect(await ids({ orderBy: 'logicalDate' })).toEqual(['d/s1', 'd/s2', 'd/m1', 'e/s1']);
    expect(await ids({ states: ['running', 'success'] })).toEqual(['d/s2', 'e/s1']);
    expect(await ids({ runTypes: ['manual'] })).toEqual(['d/m1']);
    expect(await ids({ runAfterGte: at(10), runAfterLte: at(15) })).toEqual(['d/s1', 'e/s1']);
    expect(await ids({ logicalDateGte: at(11) })).toEqual(['d/s2']);
    expect(await ids({ dagIds: [] })).toEqual([]);
    const page = await t.store.listDagRuns({ orderBy: 'runAfter', limit: 2, offset: 1 });
    expect(page.total).toBe(4);
    expect(page.items.map((r) => r.runId)).toEqual(['s1', 's1']);
  });

  it('deletes a run with its task instances and XComs', async () => {
    await seedRun(t.store, 'd', 'r1');
    await seedRun(t.store, 'd', 'r2');
    await t.store.createTaskInstances([{ dagId: 'd', runId: 'r1', taskId: 'a' }, { dagId: 'd', runId: 'r2', taskId: 'a' }]);
    await t.store.setXcom({ dagId: 'd', runId: 'r1', taskId: 'a', key: 'k' }, 'v');
    expect(await t.store.deleteDagRun('d', 'r1')).toBe(true);
    expect(await t.store.deleteDagRun('d', 'r1')).toBe(false);
    expect((await t.store.listTaskInstances({ dagIds: ['d'] })).items.map((ti) => ti.runId)).toEqual(['r2']);
    expect(await t.store.getXcom({ dagId: 'd', runId: 'r1', taskId: 'a', key: 'k' })).toBeNull();
  });

  it('counts active runs per state and finds the latest run of each DAG', async () => {
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    await t.store.upsertDag({ dagId: 'e', fileloc: '/e.ts' });
    await t.store.upsertDag({ dagId: 'none', fileloc: '/n.ts' });
    await t.store.createDagRun(run('q1', { runAfter: at(1) }));
    await t.store.createDagRun(run('q2', { runAfter: at(3) }));
    await t.store.createDagRun(run('r1', { runAfter: at(3), state: 'running' }));
    await t.store.createDagRun(run('ok', { runAfter: at(2), state: 'success' }));
    await t.store.createDagRun({ ...run('e1', { runAfter: at(9) }), dagId: 'e' });
    expect(await t.store.countActiveRuns('d')).toEqual({ queued: 2, running: 1 });
    expect(await t.store.countActiveRuns('none')).toEqual({ queued: 0, running: 0 });
    // Same runAfter: the later-created run (higher id) wins.
    expect((await t.store.latestDagRuns()).map((r) => `${r.dagId}/${r.runId}`)).toEqual(['d/r1', 'e/e1']);
    expect((await t.store.latestDagRuns(['e', 'none'])).map((r) => r.runId)).toEqual(['e1']);
    expect(await t.store.latestDagRuns([])).toEqual([]);
  });
}
