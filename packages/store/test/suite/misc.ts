import { describe, expect, it } from 'vitest';
import { StoreError, StoreInputError } from '../../src/index.js';
import { at, T0, useStore, type StoreSuiteTarget } from './harness.js';

export function misc(target: StoreSuiteTarget): void {
  const t = useStore(target);

  describe('audit log', () => {
    it('adds events with ids in order and the store clock by default', async () => {
      t.clock = at(1);
      const first = await t.store.addEvent({ event: 'trigger', owner: 'ana', dagId: 'd', runId: 'r', extra: '{"conf":{}}' });
      const second = await t.store.addEvent({ event: 'clear', dttm: at(0), dagId: 'd', taskId: 't', mapIndex: -1, tryNumber: 2, logicalDate: at(-60) });
      expect(second.id).toBeGreaterThan(first.id);
      expect(first).toMatchObject({ dttm: at(1), event: 'trigger', owner: 'ana', taskId: null, logicalDate: null, extra: '{"conf":{}}' });
      expect(second).toMatchObject({ dttm: at(0), mapIndex: -1, tryNumber: 2, logicalDate: at(-60) });
      await expect(t.store.addEvent({ event: '' })).rejects.toMatchObject({ field: 'event.event' });
    });

    it('filters, pages and orders events', async () => {
      const spec = [
        ['login', 'ana', null, 3],
        ['pause', 'bob', 'd', 1],
        ['trigger', 'ana', 'd', 2],
        ['trigger', 'bob', 'e', 4],
        ['login', 'bob', null, 0],
      ] as const;
      for (const [event, owner, dagId, minute] of spec) await t.store.addEvent({ event, owner, dagId, dttm: at(minute) });
      const events = async (q: Parameters<typeof t.store.listEvents>[0]) =>
        (await t.store.listEvents(q)).items.map((e) => `${e.event}:${e.owner}`);
      expect(await events({ owner: 'ana' })).toEqual(['login:ana', 'trigger:ana']);
      expect(await events({ dagId: 'd', orderBy: 'dttm', direction: 'desc' })).toEqual(['trigger:ana', 'pause:bob']);
      expect(await events({ events: ['login', 'pause'], orderBy: 'dttm' })).toEqual(['login:bob', 'pause:bob', 'login:ana']);
      expect(await events({ excludedEvents: ['login'] })).toEqual(['pause:bob', 'trigger:ana', 'trigger:bob']);
      expect(await events({ after: at(1), before: at(3) })).toEqual(['login:ana', 'pause:bob', 'trigger:ana']);
      expect(await events({ orderBy: 'dagId' })).toEqual(['pause:bob', 'trigger:ana', 'trigger:bob', 'login:ana', 'login:bob']);
      const page = await t.store.listEvents({ orderBy: 'dttm', limit: 2, offset: 1 });
      expect(page.total).toBe(5);
      expect(page.items.map((e) => e.dttm)).toEqual([at(1), at(2)]);
    });
  });

  describe('jobs', () => {
    it('starts, heartbeats and ends jobs, and finds the latest per type', async () => {
      const old = await t.store.startJob({ jobType: 'SchedulerJob', hostname: 'h1', pid: 11, unixname: 'u', executorClass: 'LocalExecutor' });
      expect(old).toMatchObject({ state: 'running', startDate: T0, latestHeartbeat: T0, endDate: null, hostname: 'h1', pid: 11 });
      const current = await t.store.startJob({ jobType: 'SchedulerJob', hostname: 'h2', pid: 22, at: at(1) });
      await t.store.startJob({ jobType: 'DagProcessorJob', at: at(9) });
      expect(await t.store.heartbeatJob(old.id, at(5))).toBe(true);
      expect((await t.store.latestJob('SchedulerJob'))?.id).toBe(old.id);
      expect(await t.store.endJob(old.id, 'success', at(6))).toBe(true);
      expect(await t.store.heartbeatJob(old.id, at(7))).toBe(false);
      expect(await t.store.endJob(old.id, 'failed')).toBe(false);
      expect(await t.store.latestJob('SchedulerJob')).toMatchObject({ id: old.id, state: 'success', endDate: at(6), latestHeartbeat: at(5) });
      expect((await t.store.latestJob('SchedulerJob', { onlyRunning: true }))?.id).toBe(current.id);
      expect(await t.store.latestJob('WorkerJob')).toBeNull();
      expect(await t.store.heartbeatJob(99_999)).toBe(false);
      await expect(t.store.endJob(current.id, 'running' as never)).rejects.toBeInstanceOf(StoreInputError);
    });
  });

  describe('migrations', () => {
    it('are idempotent: a second run applies nothing and keeps the data', async () => {
      await t.store.upsertDag({ dagId: 'kept', fileloc: '/k.ts' });
      expect(await t.store.migrate()).toEqual({ applied: [] });
      expect(await t.store.getDag('kept')).not.toBeNull();
    });

    it('apply every numbered migration, in order, on a fresh database', async () => {
      const fresh = await target.newStore();
      try {
        const { applied } = await fresh.store.migrate();
        expect(applied.length).toBeGreaterThan(0);
        expect(applied).toEqual([...applied].sort());
        expect(applied.every((name) => /^\d{4}_[a-z0-9_]+$/.test(name))).toBe(true);
        expect(await fresh.store.migrate()).toEqual({ applied: [] });
      } finally {
        await fresh.dispose();
      }
    });
  });

  describe('errors', () => {
    it('wraps driver failures in StoreError with the cause kept', async () => {
      const fresh = await target.newStore();
      try {
        // Not migrated: the table is missing.
        const error = await fresh.store.getDag('d').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).message).toMatch(/^getDag failed: /);
        expect((error as StoreError).cause).toBeInstanceOf(Error);
      } finally {
        await fresh.dispose();
      }
    });

    it('round-trips times to the millisecond', async () => {
      const odd = new Date('2031-12-31T23:59:59.999Z');
      await t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts', lastParsedTime: odd });
      expect((await t.store.getDag('d'))?.lastParsedTime?.toISOString()).toBe(odd.toISOString());
      await expect(t.store.upsertDag({ dagId: 'd', fileloc: '/d.ts', lastParsedTime: new Date('+012000-01-01') })).rejects.toMatchObject({
        field: 'dag.lastParsedTime',
      });
    });
  });
}
