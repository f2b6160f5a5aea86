import { expect, it } from 'vitest';
import { NotFoundError, StoreInputError } from '../../src/index.js';
import { at, seedRun, useStore, type StoreSuiteTarget } from './harness.js';

export function dagTests(target: StoreSuiteTarget): void {
  const t = useStore(target);

  it('inserts a DAG paused by default, then updates it without touching its paused state', async () => {
    const created = await t.store.upsertDag({
      dagId: 'ml',
      fileloc: '/dags/ml.ts',
      description: 'train',
      owners: 'ana',
      tags: ['ml', 'daily', 'ml'],
      timetableSummary: '@daily',
      maxActiveRuns: 2,
      lastParsedTime: at(1),
      lastParseDuration: 0.25,
    });
    expect(created).toMatchObject({ dagId: 'ml', isPaused: true, isStale: false, hasImportErrors: false, maxActiveRuns: 2 });
    expect(created.tags).toEqual(['daily', 'ml']);
    expect(created.lastParsedTime).toEqual(at(1));

    await t.store.setDagPaused('ml', false);
    const updated = await t.store.upsertDag({ dagId: 'ml', fileloc: '/dags/ml2.ts', tags: ['nightly'], isPausedUponCreation: true });
    expect(updated).toMatchObject({ fileloc: '/dags/ml2.ts', isPaused: false, description: null, maxActiveRuns: null });
    expect(updated.tags).toEqual(['nightly']);
    expect(await t.store.getDag('ml')).toEqual(updated);
  });

  it('writes next-run fields only when given, by upsert or setDagNextRun', async () => {
    const next = { nextDagrun: at(60), nextDagrunDataIntervalStart: at(0), nextDagrunDataIntervalEnd: at(60), nextDagrunCreateAfter: at(60) };
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts', nextRun: next });
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    expect(await t.store.getDag('d')).toMatchObject(next);
    const cleared = { nextDagrun: null, nextDagrunDataIntervalStart: null, nextDagrunDataIntervalEnd: null, nextDagrunCreateAfter: at(5) };
    expect(await t.store.setDagNextRun('d', cleared)).toBe(true);
    expect(await t.store.getDag('d')).toMatchObject(cleared);
    expect(await t.store.setDagNextRun('missing', cleared)).toBe(false);
  });

  it('returns null or false for DAGs that do not exist', async () => {
    expect(await t.store.getDag('nope')).toBeNull();
    expect(await t.store.setDagPaused('nope', true)).toBe(false);
    expect(await t.store.deleteDag('nope')).toBe(false);
  });

  it('filters DAGs by id pattern, tags (any or all) and paused state', async () => {
    await t.store.upsertDag({ dagId: 'Train_Iris', fileloc: '/a.ts', tags: ['ml', 'iris'], isPausedUponCreation: false });
    await t.store.upsertDag({ dagId: 'train_wine', fileloc: '/b.ts', tags: ['ml'] });
    await t.store.upsertDag({ dagId: 'report', fileloc: '/c.ts', tags: ['iris'] });
    const ids = async (q: Parameters<typeof t.store.listDags>[0]) => (await t.store.listDags(q)).items.map((d) => d.dagId);
    expect(await ids({ dagIdPattern: 'train%' })).toEqual(['Train_Iris', 'train_wine']);
    expect(await ids({ dagIdPattern: '%_wine' })).toEqual(['train_wine']);
    // Text sorts by code point on both databases: upper case first.
    expect(await ids({ tags: ['iris'] })).toEqual(['Train_Iris', 'report']);
    expect(await ids({ tags: ['ml', 'iris'] })).toEqual(['Train_Iris', 'report', 'train_wine']);
    expect(await ids({ tags: ['ml', 'iris'], tagsMatchMode: 'all' })).toEqual(['Train_Iris']);
    expect(await ids({ paused: false })).toEqual(['Train_Iris']);
    expect(await ids({ paused: true, tags: ['ml'] })).toEqual(['train_wine']);
    expect((await t.store.listDags({ tags: ['ml'] })).total).toBe(2);
  });

  it('pages and orders DAGs, NULLs last ascending and first descending', async () => {
    const parsed = [5, null, 1, 3, null, 2, 4];
    for (const [i, minute] of parsed.entries()) {
      await t.store.upsertDag({ dagId: `d${i}`, fileloc: `/d${i}.ts`, lastParsedTime: minute === null ? null : at(minute) });
    }
    const pageOf = async (offset: number, direction: 'asc' | 'desc') =>
      t.store.listDags({ orderBy: 'lastParsedTime', direction, limit: 3, offset });
    const asc = [];
    for (const offset of [0, 3, 6]) {
      const p = await pageOf(offset, 'asc');
      expect(p.total).toBe(7);
      asc.push(...p.items.map((d) => d.dagId));
    }
    expect(asc).toEqual(['d2', 'd5', 'd3', 'd6', 'd0', 'd1', 'd4']);
    const desc = (await t.store.listDags({ orderBy: 'lastParsedTime', direction: 'desc' })).items.map((d) => d.dagId);
    expect(desc).toEqual(['d4', 'd1', 'd0', 'd6', 'd3', 'd5', 'd2']);
    expect((await t.store.listDags({ limit: 2, offset: 6 })).items.map((d) => d.dagId)).toEqual(['d6']);
    expect((await t.store.listDags({ offset: 5 })).items).toHaveLength(2);
    expect((await t.store.listDags({ limit: 0 })).items).toEqual([]);
  });

  it('rejects bad listing input naming the field', async () => {
    await expect(t.store.listDags({ limit: -1 })).rejects.toMatchObject({ name: 'StoreInputError', field: 'limit' });
    await expect(t.store.listDags({ offset: 1.5 })).rejects.toBeInstanceOf(StoreInputError);
    await expect(t.store.listDags({ orderBy: 'owner' as 'dagId' })).rejects.toMatchObject({ field: 'orderBy' });
  });

  it('marks DAGs stale by file and by id, hides them from listings, and revives them on upsert', async () => {
    for (const [id, file] of [['a', '/1.ts'], ['b', '/1.ts'], ['c', '/2.ts'], ['d', '/3.ts']] as const) {
      await t.store.upsertDag({ dagId: id, fileloc: file });
    }
    expect(await t.store.markStaleDags({ activeFiles: ['/1.ts', '/2.ts'], activeDagIds: ['a', 'c', 'd'] })).toEqual(['b', 'd']);
    expect(await t.store.markStaleDags({ activeFiles: ['/1.ts', '/2.ts'] })).toEqual([]);
    expect((await t.store.listDags()).items.map((d) => d.dagId)).toEqual(['a', 'c']);
    expect((await t.store.listDags({ excludeStale: false })).total).toBe(4);
    expect((await t.store.getDag('d'))?.isStale).toBe(true);
    await t.store.upsertDag({ dagId: 'd', fileloc: '/3.ts' });
    expect((await t.store.getDag('d'))?.isStale).toBe(false);
    expect(await t.store.markStaleDags({ activeDagIds: [] })).toEqual(['a', 'c', 'd']);
    expect(await t.store.markStaleDags({})).toEqual([]);
  });

  it('deletes a DAG with its serialized form, runs, task instances and XComs', async () => {
    await seedRun(t.store, 'gone');
    await t.store.putSerializedDag({ dagId: 'gone', data: { tasks: [] }, dagHash: 'h1' });
    await t.store.createTaskInstances([{ dagId: 'gone', runId: 'run_1', taskId: 't' }]);
    await t.store.setXcom({ dagId: 'gone', runId: 'run_1', taskId: 't', key: 'k' }, 1);
    await seedRun(t.store, 'kept');
    expect(await t.store.deleteDag('gone')).toBe(true);
    expect(await t.store.getSerializedDag('gone')).toBeNull();
    expect(await t.store.getDagRun('gone', 'run_1')).toBeNull();
    expect((await t.store.listTaskInstances({ dagIds: ['gone'] })).total).toBe(0);
    expect((await t.store.listXcoms({ dagId: 'gone' })).total).toBe(0);
    expect(await t.store.getDagRun('kept', 'run_1')).not.toBeNull();
  });

  it('writes a serialized DAG only when its hash changes, and round-trips its JSON', async () => {
    await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    const data = { dag_id: 'd', tasks: [{ task_id: 'é', retries: 2, args: { z: null, a: [1.5, true, 'x'] } }] };
    expect(await t.store.putSerializedDag({ dagId: 'd', data, dagHash: 'h1', lastUpdated: at(1) })).toBe(true);
    expect(await t.store.putSerializedDag({ dagId: 'd', data: { other: 1 }, dagHash: 'h1', lastUpdated: at(2) })).toBe(false);
    const stored = await t.store.getSerializedDag('d');
    expect(stored).toEqual({ dagId: 'd', data, dagHash: 'h1', lastUpdated: at(1) });
    expect(Object.keys(stored?.data as object)).toEqual(['dag_id', 'tasks']);
    expect(await t.store.putSerializedDag({ dagId: 'd', data: [1], dagHash: 'h2' })).toBe(true);
    expect(await t.store.getSerializedDag('d')).toMatchObject({ data: [1], dagHash: 'h2' });
    expect(await t.store.getSerializedDag('nope')).toBeNull();
    await expect(t.store.putSerializedDag({ dagId: 'nope', data: 1, dagHash: 'h' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists serialized DAG hashes without their structure, of all DAGs or the given ones', async () => {
    for (const id of ['c', 'a', 'b']) await t.store.upsertDag({ dagId: id, fileloc: `/${id}.ts` });
    await t.store.putSerializedDag({ dagId: 'c', data: { n: 3 }, dagHash: 'hc' });
    await t.store.putSerializedDag({ dagId: 'a', data: { n: 1 }, dagHash: 'ha' });
    expect(await t.store.listSerializedDagHashes()).toEqual([
      { dagId: 'a', dagHash: 'ha' },
      { dagId: 'c', dagHash: 'hc' },
    ]);
    await t.store.putSerializedDag({ dagId: 'a', data: { n: 2 }, dagHash: 'ha2' });
    expect(await t.store.listSerializedDagHashes(['a', 'b'])).toEqual([{ dagId: 'a', dagHash: 'ha2' }]);
    expect(await t.store.listSerializedDagHashes([])).toEqual([]);
    await expect(t.store.listSerializedDagHashes([''])).rejects.toMatchObject({ field: 'dagIds[0]' });
  });

  it('replaces the import errors of one file and flags the DAGs of that file', async () => {
    await t.store.upsertDag({ dagId: 'a', fileloc: '/bad.ts' });
    await t.store.upsertDag({ dagId: 'b', fileloc: '/good.ts' });
    await t.store.replaceImportErrors('/bad.ts', [{ stackTrace: 'SyntaxError 1' }, { stackTrace: 'SyntaxError 2', timestamp: at(3) }]);
    await t.store.replaceImportErrors('/other.ts', [{ stackTrace: 'TypeError' }]);
    expect((await t.store.getDag('a'))?.hasImportErrors).toBe(true);
    expect((await t.store.getDag('b'))?.hasImportErrors).toBe(false);
    const bad = await t.store.listImportErrors({ filename: '/bad.ts' });
    expect(bad.items.map((e) => [e.stackTrace, e.timestamp])).toEqual([
      ['SyntaxError 1', at(0)],
      ['SyntaxError 2', at(3)],
    ]);
    await t.store.replaceImportErrors('/bad.ts', [{ stackTrace: 'SyntaxError 3' }]);
    expect((await t.store.listImportErrors({ filename: '/bad.ts' })).items.map((e) => e.stackTrace)).toEqual(['SyntaxError 3']);
    await t.store.replaceImportErrors('/bad.ts', []);
    expect((await t.store.getDag('a'))?.hasImportErrors).toBe(false);
    const all = await t.store.listImportErrors({ orderBy: 'filename', direction: 'desc', limit: 1 });
    expect(all).toMatchObject({ total: 1, items: [{ filename: '/other.ts' }] });
  });
}
