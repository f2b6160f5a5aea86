import type { TaskWorkload } from '@updraft/engine';
import type { MetadataStore } from '@updraft/store';
import { afterEach, expect, it } from 'vitest';
import { countingStore } from '../../../test-support/counting-store.js';
import { claimTry } from '../src/index.js';
import { describeWithServices, freshSchema } from './support/services.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function seeded(state: 'queued' | 'running' | 'success', tryNumber = 1, lastHeartbeatAt: Date | null = null): Promise<{ store: MetadataStore; peer: MetadataStore; w: TaskWorkload }> {
  const db = await freshSchema();
  closers.push(() => db.dispose());
  const store = db.open();
  await store.upsertDag({ dagId: 'd', fileloc: '/dags/d.ts' });
  await store.createDagRun({ dagId: 'd', runId: 'r', runType: 'manual', state: 'running', logicalDate: null, runAfter: new Date(), conf: {} } as never);
  await store.createTaskInstances([{ dagId: 'd', runId: 'r', taskId: 't', state, tryNumber, maxTries: 1 }]);
  if (lastHeartbeatAt) await store.transitionTaskInstance({ dagId: 'd', runId: 'r', taskId: 't' }, { from: [state], to: state, patch: { lastHeartbeatAt } });
  const w = { dagId: 'd', runId: 'r', taskId: 't', tryNumber: 1 } as TaskWorkload;
  return { store, peer: db.open(), w };
}

describeWithServices('claiming a job’s try in the store', () => {
  it('gives a queued try to exactly one of two workers claiming it at once', async () => {
    const { store, peer, w } = await seeded('queued');
    const now = new Date();
    const [x, y] = await Promise.all([
      claimTry(store, w, { hostname: 'x', takeoverAfterMs: 5000, now }),
      claimTry(peer, w, { hostname: 'y', takeoverAfterMs: 5000, now }),
    ]);
    expect([x.kind, y.kind].sort()).toEqual(['run', 'watch']);
    const ti = await store.getTaskInstance(w);
    expect(ti?.state).toBe('running');
    expect(ti?.hostname).toBe(x.kind === 'run' ? 'x' : 'y');
  });

  it('claims a queued try with one write, reading the try only when the write finds it not queued', async () => {
    const queued = await seeded('queued');
    const counted = countingStore(queued.store);
    expect(await claimTry(counted.store, queued.w, { hostname: 'x', takeoverAfterMs: 5000, now: new Date() })).toEqual({ kind: 'run', takeover: false });
    expect(counted.calls).toEqual(['transitionTaskInstance']);
    expect(await queued.store.getTaskInstance(queued.w)).toMatchObject({ state: 'running', hostname: 'x', pid: process.pid });
    const done = await seeded('success');
    const read = countingStore(done.store);
    expect(await claimTry(read.store, done.w, { hostname: 'x', takeoverAfterMs: 5000, now: new Date() })).toMatchObject({ kind: 'ended' });
    expect(read.calls).toEqual(['transitionTaskInstance', 'getTaskInstance']);
  });

  it('watches a running try that heartbeats, and takes over one that stopped', async () => {
    const now = new Date();
    const alive = await seeded('running', 1, new Date(now.getTime() - 1000));
    expect(await claimTry(alive.store, alive.w, { hostname: 'x', takeoverAfterMs: 5000, now })).toEqual({ kind: 'watch' });
    const dead = await seeded('running', 1, new Date(now.getTime() - 6000));
    expect(await claimTry(dead.store, dead.w, { hostname: 'x', takeoverAfterMs: 5000, now })).toEqual({ kind: 'run', takeover: true });
    const ti = await dead.store.getTaskInstance(dead.w);
    expect(ti?.hostname).toBe('x');
    expect(ti?.lastHeartbeatAt?.getTime()).toBe(now.getTime());
  });

  it('leaves alone a try that ended, or that a newer try replaced', async () => {
    const done = await seeded('success');
    expect(await claimTry(done.store, done.w, { hostname: 'x', takeoverAfterMs: 5000, now: new Date() })).toMatchObject({ kind: 'ended', ti: { state: 'success' } });
    const newer = await seeded('queued', 2);
    expect(await claimTry(newer.store, newer.w, { hostname: 'x', takeoverAfterMs: 5000, now: new Date() })).toMatchObject({ kind: 'ended', ti: { tryNumber: 2 } });
    expect((await newer.store.getTaskInstance(newer.w))?.state).toBe('queued');
  });
});
