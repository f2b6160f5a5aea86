import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorEvent, TryKey } from '@updraft/engine';
import { createSqliteStore, type MetadataStore } from '@updraft/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countingStore } from '../../../test-support/counting-store.js';
import { recordExecutorEvent, recordExecutorEvents } from '../src/scheduler/try-recorder.js';

let dir: string;
let store: MetadataStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'updraft-recorder-'));
  store = createSqliteStore({ path: join(dir, 'updraft.db') });
  await store.migrate();
  await store.upsertDag({ dagId: 'd', fileloc: '/d.ts', isPausedUponCreation: false });
  await store.createDagRun({ dagId: 'd', runId: 'r', runType: 'manual', state: 'running', runAfter: new Date('2025-01-01T00:00:00Z') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const t0 = new Date('2025-01-01T00:00:00Z');
const at = (s: number): Date => new Date(t0.getTime() + s * 1000);
const key = (taskId: string, tryNumber = 1): TryKey => ({ dagId: 'd', runId: 'r', taskId, tryNumber });
const started = (k: TryKey, s: number, pid = 100): ExecutorEvent => ({ type: 'started', key: k, pid, hostname: 'h', at: at(s) });
const success = (k: TryKey, from: number, to: number): ExecutorEvent => ({
  type: 'finished',
  key: k,
  outcome: { state: 'success', returnValue: undefined },
  startedAt: at(from),
  endedAt: at(to),
  durationMs: (to - from) * 1000,
});
const get = (taskId: string) => store.getTaskInstance({ dagId: 'd', runId: 'r', taskId });

describe('recordExecutorEvents', () => {
  it("folds a try's start and end in one batch into one transition from queued, with the start's pid and times, and its history", async () => {
    await store.createTaskInstances([{ dagId: 'd', runId: 'r', taskId: 'a', state: 'queued', tryNumber: 1, maxTries: 1 }]);
    await recordExecutorEvents(store, [started(key('a'), 1, 4242), success(key('a'), 1, 3)], () => Promise.resolve(1));
    expect(await get('a')).toMatchObject({ state: 'success', pid: 4242, hostname: 'h', startDate: at(1), endDate: at(3), duration: 2 });
    const history = await store.listTaskInstanceHistory({ dagId: 'd', runId: 'r', taskId: 'a' });
    expect(history.map((h) => [h.tryNumber, h.state, h.pid])).toEqual([[1, 'success', 4242]]);
  });

  it('records a start alone as running, keeps the last heartbeat, and retries a lost try that has tries left', async () => {
    await store.createTaskInstances([
      { dagId: 'd', runId: 'r', taskId: 'b', state: 'queued', tryNumber: 1, maxTries: 2 },
      { dagId: 'd', runId: 'r', taskId: 'c', state: 'queued', tryNumber: 1, maxTries: 2 },
    ]);
    await recordExecutorEvents(
      store,
      [started(key('b'), 1), { type: 'heartbeat', key: key('b'), at: at(2) }, { type: 'heartbeat', key: key('b'), at: at(5) }, started(key('c'), 1)],
      () => Promise.resolve(2),
    );
    expect(await get('b')).toMatchObject({ state: 'running', startDate: at(1), lastHeartbeatAt: at(5) });
    await recordExecutorEvents(store, [{ type: 'lost', key: key('c'), at: at(9), started: true, pid: 100, exitCode: null, signal: 'SIGKILL' }], () => Promise.resolve(2));
    expect(await get('c')).toMatchObject({ state: 'up_for_retry', startDate: at(1), endDate: at(9), duration: 8 });
  });

  it('writes no end that its worker already recorded, and still writes the others of the batch', async () => {
    await store.createTaskInstances([
      { dagId: 'd', runId: 'r', taskId: 'done', state: 'success', tryNumber: 1, maxTries: 1 },
      { dagId: 'd', runId: 'r', taskId: 'mine', state: 'running', tryNumber: 1, maxTries: 1 },
    ]);
    const counted = countingStore(store);
    const done = success(key('done'), 0, 1) as Extract<ExecutorEvent, { type: 'finished' }>;
    await recordExecutorEvents(counted.store, [{ ...done, recorded: true }], () => Promise.resolve(1));
    expect(counted.calls).toEqual([]);
    await recordExecutorEvents(
      counted.store,
      [
        { type: 'lost', key: key('done'), at: at(2), started: true, pid: null, exitCode: null, signal: null, recorded: true },
        success(key('mine'), 0, 4),
      ],
      () => Promise.resolve(1),
    );
    expect(counted.calls).toEqual(['transitionTaskInstances']);
    expect(await get('mine')).toMatchObject({ state: 'success', endDate: at(4) });
  });

  it('changes nothing for an older try, or a task instance cleared meanwhile', async () => {
    await store.createTaskInstances([
      { dagId: 'd', runId: 'r', taskId: 'old', state: 'running', tryNumber: 2, maxTries: 3 },
      { dagId: 'd', runId: 'r', taskId: 'cleared', state: null, tryNumber: 1, maxTries: 1 },
    ]);
    await recordExecutorEvents(store, [success(key('old', 1), 0, 1), started(key('cleared'), 0), success(key('cleared'), 0, 1)], () => Promise.resolve(3));
    expect(await get('old')).toMatchObject({ state: 'running', tryNumber: 2 });
    expect((await get('cleared'))?.state).toBeNull();
    expect(await store.listTaskInstanceHistory({ dagId: 'd', runId: 'r', taskId: 'old' })).toEqual([]);
  });
});

describe('recordExecutorEvent', () => {
  it("records a finished try's end and history without reading it, and reads a lost try's start from the store", async () => {
    await store.createTaskInstances([
      { dagId: 'd', runId: 'r', taskId: 'a', state: 'queued', tryNumber: 1, maxTries: 1 },
      { dagId: 'd', runId: 'r', taskId: 'b', state: 'queued', tryNumber: 1, maxTries: 2 },
    ]);
    const counted = countingStore(store);
    await recordExecutorEvent(counted.store, started(key('a'), 1, 4242), () => Promise.resolve(1));
    counted.calls.length = 0;
    expect(await recordExecutorEvent(counted.store, success(key('a'), 1, 3), () => Promise.resolve(1))).toEqual({ applied: true });
    expect(counted.calls).toEqual(['transitionTaskInstances']);
    expect(await get('a')).toMatchObject({ state: 'success', pid: 4242, startDate: at(1), endDate: at(3), duration: 2 });
    expect((await store.listTaskInstanceHistory({ dagId: 'd', runId: 'r', taskId: 'a' })).map((h) => h.state)).toEqual(['success']);

    await recordExecutorEvent(store, started(key('b'), 2), () => Promise.resolve(2));
    counted.calls.length = 0;
    await recordExecutorEvent(counted.store, { type: 'lost', key: key('b'), at: at(7), started: true, pid: 100, exitCode: null, signal: 'SIGKILL' }, () => Promise.resolve(2));
    expect(counted.calls).toEqual(['getTaskInstance', 'transitionTaskInstances']);
    expect(await get('b')).toMatchObject({ state: 'up_for_retry', startDate: at(2), endDate: at(7), duration: 5 });
  });
});
