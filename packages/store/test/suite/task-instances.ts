import { expect, it } from 'vitest';
import { NotFoundError, StoreInputError, type TaskInstanceKey } from '../../src/index.js';
import { at, seedRun, tasks, useStore, type StoreSuiteTarget } from './harness.js';

export function taskInstanceTests(target: StoreSuiteTarget): void {
  const t = useStore(target);
  const key: TaskInstanceKey = { dagId: 'd', runId: 'r', taskId: 'train' };

  it('creates task instances in bulk with defaults, skipping existing ones', async () => {
    await seedRun(t.store, 'd', 'r');
    t.clock = at(2);
    expect(await t.store.createTaskInstances([key, { ...key, taskId: 'eval', state: 'scheduled', priorityWeight: 3, maxTries: 2 }])).toBe(2);
    expect(await t.store.getTaskInstance(key)).toMatchObject({
      ...key,
      mapIndex: -1,
      state: null,
      tryNumber: 0,
      maxTries: 0,
      pool: 'default_pool',
      poolSlots: 1,
      queue: 'default',
      priorityWeight: 1,
      scheduledDttm: null,
      updatedAt: at(2),
    });
    expect(await t.store.getTaskInstance({ ...key, taskId: 'eval' })).toMatchObject({ state: 'scheduled', scheduledDttm: at(2), maxTries: 2 });
    expect(await t.store.createTaskInstances([key, { ...key, mapIndex: 0 }, { ...key, mapIndex: 1 }])).toBe(2);
    expect(await t.store.createTaskInstances([])).toBe(0);
    expect(await t.store.getTaskInstance({ ...key, taskId: 'nope' })).toBeNull();
  });

  it('creates thousands of task instances across insert chunks', async () => {
    await seedRun(t.store, 'd', 'r');
    expect(await t.store.createTaskInstances(tasks('d', 'r', 1203))).toBe(1203);
    expect((await t.store.listTaskInstances({ limit: 1 })).total).toBe(1203);
    const ids = new Set((await t.store.listTaskInstances()).items.map((ti) => ti.id));
    expect(ids.size).toBe(1203);
  });

  it('refuses task instances of an unknown run, and bad states', async () => {
    await expect(t.store.createTaskInstances([key])).rejects.toBeInstanceOf(NotFoundError);
    await seedRun(t.store, 'd', 'r');
    await expect(t.store.createTaskInstances([{ ...key, state: 'done' as never }])).rejects.toMatchObject({ field: 'inputs[0].state' });
    await expect(t.store.createTaskInstances([{ ...key, mapIndex: -2 }])).rejects.toMatchObject({ field: 'inputs[0].mapIndex' });
    expect((await t.store.listTaskInstances()).total).toBe(0);
  });

  it('lists task instances by run, task, state (null included) and map index, with pages', async () => {
    await seedRun(t.store, 'd', 'r');
    await seedRun(t.store, 'd', 'r2');
    await t.store.createTaskInstances([
      { ...key, taskId: 'b', state: 'success' },
      { ...key, taskId: 'a' },
      { ...key, taskId: 'c', state: 'failed', mapIndex: 2 },
      { ...key, taskId: 'c', state: 'failed', mapIndex: 1 },
      { ...key, runId: 'r2', taskId: 'a', state: 'success' },
    ]);
    const ids = async (q: Parameters<typeof t.store.listTaskInstances>[0]) =>
      (await t.store.listTaskInstances(q)).items.map((ti) => `${ti.runId}.${ti.taskId}${ti.mapIndex >= 0 ? `[${ti.mapIndex}]` : ''}`);
    expect(await ids({})).toEqual(['r.a', 'r.b', 'r.c[1]', 'r.c[2]', 'r2.a']);
    expect(await ids({ runIds: ['r'], states: [null, 'success'] })).toEqual(['r.a', 'r.b']);
    expect(await ids({ states: [null] })).toEqual(['r.a']);
    expect(await ids({ taskIds: ['c'], mapIndex: 2 })).toEqual(['r.c[2]']);
    expect(await ids({ orderBy: 'state', direction: 'desc' })).toEqual(['r.a', 'r2.a', 'r.b', 'r.c[2]', 'r.c[1]']);
    expect(await ids({ limit: 2, offset: 3 })).toEqual(['r.c[2]', 'r2.a']);
    expect(await ids({ states: [] })).toEqual([]);
  });

  it('lists the task instances written since a time, for readers catching up on a run', async () => {
    await seedRun(t.store, 'd', 'r');
    t.clock = at(1);
    await t.store.createTaskInstances([{ ...key, taskId: 'a' }, { ...key, taskId: 'b' }, { ...key, taskId: 'c' }]);
    t.clock = at(2);
    await t.store.transitionTaskInstance({ ...key, taskId: 'b' }, { from: [null], to: 'scheduled' });
    t.clock = at(3);
    await t.store.transitionTaskInstance({ ...key, taskId: 'c' }, { from: [null], to: 'skipped' });
    const since = async (d: Date) => (await t.store.listTaskInstances({ dagIds: ['d'], runIds: ['r'], updatedAtGte: d })).items.map((ti) => ti.taskId);
    expect(await since(at(2))).toEqual(['b', 'c']);
    expect(await since(at(3))).toEqual(['c']);
    expect(await since(at(4))).toEqual([]);
    expect(await since(at(0))).toEqual(['a', 'b', 'c']);
    await expect(t.store.listTaskInstances({ updatedAtGte: new Date('x') })).rejects.toMatchObject({ field: 'updatedAtGte' });
  });

  it('reads summaries of the task instances of some runs, all or those written since a time', async () => {
    await seedRun(t.store, 'd', 'r');
    await seedRun(t.store, 'd', 'r2');
    await seedRun(t.store, 'e', 'r');
    t.clock = at(1);
    await t.store.createTaskInstances([
      { ...key, taskId: 'a' },
      { ...key, taskId: 'b' },
      { ...key, runId: 'r2', taskId: 'a' },
      { ...key, dagId: 'e', taskId: 'x' },
    ]);
    t.clock = at(2);
    const end = { startDate: at(1.5), endDate: at(2), duration: 0.5, hostname: 'h' };
    await t.store.transitionTaskInstance({ ...key, taskId: 'b' }, { from: [null], to: 'success', patch: { tryNumber: 3, ...end } });
    const sorted = (rows: { dagId: string; runId: string; taskId: string }[]) => rows.map((r) => `${r.dagId}.${r.runId}.${r.taskId}`).sort();
    const all = await t.store.listTaskInstanceSummaries({ dagIds: ['d'], runIds: ['r', 'r2'] });
    expect(sorted(all)).toEqual(['d.r.a', 'd.r.b', 'd.r2.a']);
    // Only the planner's fields: a summary is not a whole row.
    expect(all.find((s) => s.taskId === 'b')).toEqual({ dagId: 'd', runId: 'r', taskId: 'b', mapIndex: -1, state: 'success', tryNumber: 3, endDate: at(2), updatedAt: at(2) });
    expect(all.find((s) => s.runId === 'r2')).toEqual({ dagId: 'd', runId: 'r2', taskId: 'a', mapIndex: -1, state: null, tryNumber: 0, endDate: null, updatedAt: at(1) });
    expect(sorted(await t.store.listTaskInstanceSummaries({ dagIds: ['d', 'e'], runIds: ['r'] }))).toEqual(['d.r.a', 'd.r.b', 'e.r.x']);
    expect(sorted(await t.store.listTaskInstanceSummaries({ dagIds: ['d', 'e'], runIds: ['r'], updatedAtGte: at(2) }))).toEqual(['d.r.b']);
    expect(await t.store.listTaskInstanceSummaries({ dagIds: ['d'], runIds: ['r'], updatedAtGte: at(3) })).toEqual([]);
    expect(await t.store.listTaskInstanceSummaries({ dagIds: [], runIds: ['r'] })).toEqual([]);
    // Lists of three ids and of five (padded to four and eight) are different shapes; duplicates change nothing.
    expect(sorted(await t.store.listTaskInstanceSummaries({ dagIds: ['d', 'd', 'x', 'y', 'z'], runIds: ['r2', 'q', 'r2'] }))).toEqual(['d.r2.a']);
    await expect(t.store.listTaskInstanceSummaries({ dagIds: [''], runIds: ['r'] })).rejects.toMatchObject({ field: 'dagIds[0]' });
    await expect(t.store.listTaskInstanceSummaries({ dagIds: ['d'], runIds: 'r' as unknown as string[] })).rejects.toBeInstanceOf(StoreInputError);
    await expect(t.store.listTaskInstanceSummaries({ dagIds: ['d'], runIds: ['r'], updatedAtGte: new Date('x') })).rejects.toMatchObject({ field: 'updatedAtGte' });
  });

  it('reads the summaries of more runs than one query binds', async () => {
    const runs = Array.from({ length: 1100 }, (_, i) => `r${i}`);
    for (const r of runs.slice(0, 3)) await seedRun(t.store, 'd', r);
    await seedRun(t.store, 'd', 'r1099');
    await t.store.createTaskInstances(['r0', 'r1', 'r2', 'r1099'].map((runId) => ({ ...key, runId })));
    expect((await t.store.listTaskInstanceSummaries({ dagIds: ['d'], runIds: runs })).map((s) => s.runId).sort()).toEqual(['r0', 'r1', 'r1099', 'r2']);
  });

  it('transitions compare-and-set on state and try number, writing the patch', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([key]);
    t.clock = at(4);
    expect(await t.store.transitionTaskInstance(key, { from: ['scheduled'], to: 'queued' })).toBe(false);
    expect(await t.store.transitionTaskInstance(key, { from: [null], to: 'scheduled', patch: { tryNumber: 1 } })).toBe(true);
    expect(await t.store.transitionTaskInstance(key, { from: ['scheduled'], to: 'running', tryNumber: 2 })).toBe(false);
    const patch = { startDate: at(5), hostname: 'host-a', unixname: 'ana', pid: 4242, externalExecutorId: 'job-1', lastHeartbeatAt: at(5) };
    expect(await t.store.transitionTaskInstance(key, { from: ['scheduled', 'queued'], to: 'running', tryNumber: 1, patch })).toBe(true);
    expect(await t.store.getTaskInstance(key)).toMatchObject({ state: 'running', tryNumber: 1, updatedAt: at(4), ...patch });
    const end = { endDate: at(6.5), duration: 90, pid: null, hostname: 'host-a' };
    expect(await t.store.transitionTaskInstance(key, { from: ['running'], to: 'success', patch: end })).toBe(true);
    expect(await t.store.getTaskInstance(key)).toMatchObject({ state: 'success', startDate: at(5), ...end });
    expect(await t.store.transitionTaskInstance({ ...key, taskId: 'nope' }, { from: [null], to: 'scheduled' })).toBe(false);
    expect(await t.store.transitionTaskInstance(key, { from: [], to: 'scheduled' })).toBe(false);
  });

  it('rejects bad transitions naming the field', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([key]);
    const bad = [
      [{ from: [null], to: 'finished' as never }, 'transition.to'],
      [{ from: ['nope' as never], to: 'queued' }, 'transition.from[0]'],
      [{ from: [null], to: 'queued', patch: { colour: 'red' } as never }, 'patch.colour'],
      [{ from: [null], to: 'queued', patch: { tryNumber: -1 } }, 'patch.tryNumber'],
      [{ from: [null], to: 'queued', patch: { startDate: 'today' as never } }, 'patch.startDate'],
      [{ from: [null], to: 'queued', patch: { pool: null as never } }, 'patch.pool'],
    ] as const;
    for (const [transition, field] of bad) {
      const error = await t.store.transitionTaskInstance(key, transition).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreInputError);
      expect(error).toMatchObject({ field });
    }
    expect((await t.store.getTaskInstance(key))?.state).toBeNull();
  });

  it('accepts heartbeats only for the running try, and finds zombies by their last sign of life', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([
      { ...key, taskId: 'beating', state: 'running', tryNumber: 1 },
      { ...key, taskId: 'silent', state: 'running', tryNumber: 1 },
      { ...key, taskId: 'never', state: 'running', tryNumber: 1 },
      { ...key, taskId: 'done', state: 'success', tryNumber: 1 },
    ]);
    await t.store.transitionTaskInstance({ ...key, taskId: 'never' }, { from: ['running'], to: 'running', patch: { startDate: at(1) } });
    await t.store.transitionTaskInstance({ ...key, taskId: 'silent' }, { from: ['running'], to: 'running', patch: { startDate: at(20) } });
    expect(await t.store.heartbeatTaskInstance({ ...key, taskId: 'beating' }, 1, at(30))).toBe(true);
    expect(await t.store.heartbeatTaskInstance({ ...key, taskId: 'silent' }, 1, at(2))).toBe(true);
    expect(await t.store.heartbeatTaskInstance({ ...key, taskId: 'beating' }, 2, at(40))).toBe(false);
    expect(await t.store.heartbeatTaskInstance({ ...key, taskId: 'done' }, 1, at(40))).toBe(false);
    expect((await t.store.getTaskInstance({ ...key, taskId: 'beating' }))?.lastHeartbeatAt).toEqual(at(30));
    const zombies = await t.store.findZombies({ heartbeatBefore: at(10) });
    expect(zombies.map((z) => z.taskId)).toEqual(['never', 'silent']);
    expect((await t.store.findZombies({ heartbeatBefore: at(10), limit: 1 })).map((z) => z.taskId)).toEqual(['never']);
    expect(await t.store.findZombies({ heartbeatBefore: at(0) })).toEqual([]);
  });

  it('counts the task instances of each DAG in the given states, across its runs', async () => {
    await seedRun(t.store, 'd', 'r');
    await seedRun(t.store, 'd', 'r2');
    await seedRun(t.store, 'e', 'r');
    await t.store.createTaskInstances([
      { ...key, taskId: 'q', state: 'queued' },
      { ...key, taskId: 'run', state: 'running' },
      { ...key, taskId: 's', state: 'scheduled' },
      { ...key, runId: 'r2', taskId: 'run', state: 'running' },
      { ...key, dagId: 'e', taskId: 'done', state: 'success' },
      { ...key, dagId: 'e', taskId: 'q', state: 'queued' },
    ]);
    expect(await t.store.countTaskInstancesPerDag(['queued', 'running'])).toEqual(new Map([['d', 3], ['e', 1]]));
    expect(await t.store.countTaskInstancesPerDag(['success'])).toEqual(new Map([['e', 1]]));
    expect(await t.store.countTaskInstancesPerDag([])).toEqual(new Map());
    await expect(t.store.countTaskInstancesPerDag(['nope' as 'queued'])).rejects.toThrow(/states\[0\]/);
  });

  it('applies a batch of transitions, each compare-and-set on its own, recording tries when asked', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([
      { ...key, taskId: 'a', state: 'queued', tryNumber: 1 },
      { ...key, taskId: 'b', state: 'running', tryNumber: 2 },
      { ...key, taskId: 'c', state: 'success', tryNumber: 1 },
    ]);
    t.clock = at(3);
    const applied = await t.store.transitionTaskInstances([
      { key: { ...key, taskId: 'a' }, transition: { from: ['queued'], to: 'success', tryNumber: 1, patch: { startDate: at(1), endDate: at(2), duration: 60, pid: 7 } }, recordTry: true },
      // An older try's report does not apply, nor is its try recorded.
      { key: { ...key, taskId: 'b' }, transition: { from: ['running'], to: 'failed', tryNumber: 1 }, recordTry: true },
      { key: { ...key, taskId: 'c' }, transition: { from: ['queued', 'running'], to: 'failed' } },
      { key: { ...key, taskId: 'b' }, transition: { from: ['running'], to: 'up_for_retry', tryNumber: 2, patch: { endDate: at(2) } } },
      { key: { ...key, taskId: 'missing' }, transition: { from: [null], to: 'scheduled' } },
      { key: { ...key, taskId: 'a' }, transition: { from: [], to: 'scheduled' } },
    ]);
    expect(applied).toEqual([true, false, false, true, false, false]);
    expect(await t.store.getTaskInstance({ ...key, taskId: 'a' })).toMatchObject({ state: 'success', pid: 7, endDate: at(2), updatedAt: at(3) });
    expect(await t.store.getTaskInstance({ ...key, taskId: 'b' })).toMatchObject({ state: 'up_for_retry', tryNumber: 2 });
    expect((await t.store.getTaskInstance({ ...key, taskId: 'c' }))?.state).toBe('success');
    expect((await t.store.listTaskInstanceHistory({ ...key, taskId: 'a' })).map((h) => [h.tryNumber, h.state, h.pid, h.duration])).toEqual([[1, 'success', 7, 60]]);
    expect(await t.store.listTaskInstanceHistory({ ...key, taskId: 'b' })).toEqual([]);
    expect(await t.store.transitionTaskInstances([])).toEqual([]);
  });

  it("records one try's end with its history in a call of its own, and rewrites that history row when the try is recorded again", async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([{ ...key, taskId: 'a', state: 'running', tryNumber: 1 }]);
    const end = (from: 'running' | 'up_for_retry', to: 'up_for_retry' | 'failed', tryNumber = 1) => ({
      key: { ...key, taskId: 'a' },
      transition: { from: [from], to, tryNumber, patch: { startDate: at(1), endDate: at(2), duration: 60, pid: 9 } },
      recordTry: true,
    });
    expect(await t.store.transitionTaskInstances([end('running', 'up_for_retry', 2)])).toEqual([false]);
    expect(await t.store.listTaskInstanceHistory({ ...key, taskId: 'a' })).toEqual([]);
    expect(await t.store.transitionTaskInstances([end('running', 'up_for_retry')])).toEqual([true]);
    expect((await t.store.listTaskInstanceHistory({ ...key, taskId: 'a' })).map((h) => [h.tryNumber, h.state, h.pid, h.endDate])).toEqual([[1, 'up_for_retry', 9, at(2)]]);
    expect(await t.store.transitionTaskInstances([end('up_for_retry', 'failed')])).toEqual([true]);
    expect((await t.store.listTaskInstanceHistory({ ...key, taskId: 'a' })).map((h) => [h.tryNumber, h.state])).toEqual([[1, 'failed']]);
    expect((await t.store.getTaskInstance({ ...key, taskId: 'a' }))?.state).toBe('failed');
  });

  it('applies transitions alike but for the task together, each still compare-and-set, and keeps a task named twice in order', async () => {
    await seedRun(t.store, 'd', 'r');
    await seedRun(t.store, 'd', 'r2');
    await t.store.createTaskInstances([
      ...['a', 'b', 'c', 'd'].map((taskId) => ({ ...key, taskId })),
      { ...key, taskId: 'done', state: 'success' as const, tryNumber: 1 },
      { ...key, runId: 'r2', taskId: 'a' },
    ]);
    const ready = (taskId: string, runId = 'r') => ({
      key: { ...key, runId, taskId },
      transition: { from: [null], to: 'scheduled' as const, patch: { tryNumber: 1, scheduledDttm: at(1) } },
    });
    const applied = await t.store.transitionTaskInstances([
      ready('a'),
      ready('done'),
      ready('b'),
      ready('missing'),
      ready('a', 'r2'),
      // Named twice: the first applies, the second finds it scheduled already.
      ready('c'),
      ready('c'),
      { key: { ...key, taskId: 'c' }, transition: { from: ['scheduled'], to: 'queued' } },
    ]);
    expect(applied).toEqual([true, false, true, false, true, true, false, true]);
    const states = new Map((await t.store.listTaskInstances({ dagIds: ['d'] })).items.map((ti) => [`${ti.runId}/${ti.taskId}`, [ti.state, ti.tryNumber]]));
    expect(Object.fromEntries(states)).toEqual({
      'r/a': ['scheduled', 1],
      'r/b': ['scheduled', 1],
      'r/c': ['queued', 1],
      'r/d': [null, 0],
      'r/done': ['success', 1],
      'r2/a': ['scheduled', 1],
    });
  });

  it('writes nothing of a batch with a bad transition, and names it', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([{ ...key, state: 'queued', tryNumber: 1 }]);
    const error = await t.store
      .transitionTaskInstances([
        { key, transition: { from: ['queued'], to: 'running' } },
        { key, transition: { from: ['running'], to: 'finished' as never } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreInputError);
    expect(error).toMatchObject({ field: 'items[1].transition.to' });
    expect((await t.store.getTaskInstance(key))?.state).toBe('queued');
  });

  it('records finished tries into the history, one row per try', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.createTaskInstances([{ ...key, state: 'running', tryNumber: 1, maxTries: 1 }]);
    const fail = { endDate: at(2), startDate: at(1), duration: 60, hostname: 'h1', pid: 10 };
    await t.store.transitionTaskInstance(key, { from: ['running'], to: 'up_for_retry', patch: fail });
    await t.store.recordTaskInstanceTry(key);
    await t.store.recordTaskInstanceTry(key);
    await t.store.transitionTaskInstance(key, { from: ['up_for_retry'], to: 'running', patch: { tryNumber: 2, hostname: 'h2' } });
    await t.store.transitionTaskInstance(key, { from: ['running'], to: 'success', patch: { endDate: at(5) } });
    await t.store.recordTaskInstanceTry(key);
    const ti = await t.store.getTaskInstance(key);
    const history = await t.store.listTaskInstanceHistory(key);
    expect(history.map((h) => [h.tryNumber, h.state, h.hostname])).toEqual([
      [1, 'up_for_retry', 'h1'],
      [2, 'success', 'h2'],
    ]);
    expect(history[0]).toMatchObject({ ...fail, taskInstanceId: ti?.id, maxTries: 1, mapIndex: -1, pool: 'default_pool' });
    await expect(t.store.recordTaskInstanceTry({ ...key, taskId: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.store.listTaskInstanceHistory({ ...key, taskId: 'nope' })).toEqual([]);
  });
}
