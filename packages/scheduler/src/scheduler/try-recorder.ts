import { TaskInstanceState } from '@updraft/core';
import type { ExecutorEvent, TryKey } from '@updraft/engine';
import type { MetadataStore, TaskInstanceKey, TaskInstanceTransitionItem } from '@updraft/store';

const keyOf = (k: TryKey): TaskInstanceKey => ({ dagId: k.dagId, runId: k.runId, taskId: k.taskId });

/** What recording an event did. */
export interface RecordResult {
  /** False when the store's state did not allow it (an old try, a task cleared meanwhile). */
  applied: boolean;
  /** For a heartbeat: false when the try should stop (the task instance no longer runs this try). */
  keepRunning?: boolean;
}

/**
 * Writes what an executor reports about a try into the metadata store, as compare-and-set transitions guarded by
 * the try number, so a late event of an old try, or of a try whose task was cleared or marked meanwhile, changes
 * nothing. Used by the scheduler for its own executor, and by distributed workers.
 */
export async function recordExecutorEvent(
  store: MetadataStore,
  e: ExecutorEvent,
  maxTriesOf: (k: TryKey) => Promise<number>,
  /** The recorder's clock: times are written as it reads them (durations come from the executor). Default: the event's times. */
  clock?: () => Date,
): Promise<RecordResult> {
  const key = keyOf(e.key);
  const at = (t: Date): Date => (clock ? clock() : t);
  const tryNumber = e.key.tryNumber;
  switch (e.type) {
    case 'started': {
      const applied = await store.transitionTaskInstance(key, {
        from: [TaskInstanceState.QUEUED, TaskInstanceState.SCHEDULED],
        to: TaskInstanceState.RUNNING,
        tryNumber,
        patch: { startDate: at(e.at), endDate: null, duration: null, pid: e.pid, hostname: e.hostname, lastHeartbeatAt: at(e.at) },
      });
      return { applied };
    }
    case 'heartbeat': {
      const alive = await store.heartbeatTaskInstance(key, tryNumber, at(e.at));
      return { applied: alive, keepRunning: alive };
    }
    case 'log':
      return { applied: true };
    case 'finished': {
      const o = e.outcome;
      let to: TaskInstanceState;
      if (o.state === 'success') to = TaskInstanceState.SUCCESS;
      else if (o.state === 'skipped') to = TaskInstanceState.SKIPPED;
      else to = o.retryable && tryNumber < (await maxTriesOf(e.key)) ? TaskInstanceState.UP_FOR_RETRY : TaskInstanceState.FAILED;
      const endedAt = at(e.endedAt);
      return finish(store, key, tryNumber, to, new Date(endedAt.getTime() - e.durationMs), endedAt);
    }
    case 'lost': {
      const to = tryNumber < (await maxTriesOf(e.key)) ? TaskInstanceState.UP_FOR_RETRY : TaskInstanceState.FAILED;
      return finish(store, key, tryNumber, to, null, at(e.at));
    }
  }
}

async function finish(store: MetadataStore, key: TaskInstanceKey, tryNumber: number, to: TaskInstanceState, startedAt: Date | null, endedAt: Date): Promise<RecordResult> {
  // Only a lost try's start must be read: a finished one's comes with the event.
  const start = startedAt ?? (await store.getTaskInstance(key))?.startDate ?? null;
  // The end and its history copy together: one statement on PostgreSQL.
  const [applied = false] = await store.transitionTaskInstances([
    {
      key,
      transition: {
        from: [TaskInstanceState.RUNNING, TaskInstanceState.QUEUED],
        to,
        tryNumber,
        patch: { ...(start ? { startDate: start } : {}), endDate: endedAt, duration: start ? (endedAt.getTime() - start.getTime()) / 1000 : null },
      },
      recordTry: true,
    },
  ]);
  return { applied };
}

/** Where a try's events of one batch lead, once folded together. */
interface Folded {
  key: TryKey;
  started: Extract<ExecutorEvent, { type: 'started' }> | null;
  ending: Extract<ExecutorEvent, { type: 'finished' | 'lost' }> | null;
  heartbeat: Date | null;
}

/**
 * Records a batch of executor events with as few writes as the events allow, with the same compare-and-set
 * guards as {@link recordExecutorEvent}: a try's `started` and its ending in one batch become one transition
 * (from queued or running straight to the end, with the start's pid, host and time), only the last heartbeat of
 * a try is written, and every transition with its history copy goes in one transaction. Events of different
 * tries stay in their order. An end marked `recorded` (its worker wrote it) is not written again.
 */
export async function recordExecutorEvents(
  store: MetadataStore,
  events: readonly ExecutorEvent[],
  maxTriesOf: (k: TryKey) => Promise<number>,
  clock?: () => Date,
): Promise<void> {
  const at = (t: Date): Date => (clock ? clock() : t);
  const tries = new Map<string, Folded>();
  for (const e of events) {
    if (e.type === 'log') continue;
    const id = JSON.stringify([e.key.dagId, e.key.runId, e.key.taskId, e.key.tryNumber]);
    let f = tries.get(id);
    if (!f) tries.set(id, (f = { key: e.key, started: null, ending: null, heartbeat: null }));
    if (e.type === 'started') f.started = e;
    else if (e.type === 'heartbeat') f.heartbeat = e.at;
    // An end its executor's worker already wrote changes nothing when written again (see EndRecording).
    else if (e.recorded !== true) f.ending = e;
  }
  const items: TaskInstanceTransitionItem[] = [];
  const heartbeats: Folded[] = [];
  for (const f of tries.values()) {
    const key = keyOf(f.key);
    const tryNumber = f.key.tryNumber;
    const s = f.started;
    const startPatch = s ? { pid: s.pid, hostname: s.hostname, lastHeartbeatAt: at(s.at) } : {};
    if (!f.ending) {
      if (s) {
        items.push({
          key,
          transition: {
            from: [TaskInstanceState.QUEUED, TaskInstanceState.SCHEDULED],
            to: TaskInstanceState.RUNNING,
            tryNumber,
            patch: { startDate: at(s.at), endDate: null, duration: null, ...startPatch },
          },
        });
      }
      if (f.heartbeat) heartbeats.push(f);
      continue;
    }
    const e = f.ending;
    let to: TaskInstanceState;
    let startedAt: Date | null;
    const endedAt = at(e.type === 'finished' ? e.endedAt : e.at);
    if (e.type === 'finished') {
      const o = e.outcome;
      if (o.state === 'success') to = TaskInstanceState.SUCCESS;
      else if (o.state === 'skipped') to = TaskInstanceState.SKIPPED;
      else to = o.retryable && tryNumber < (await maxTriesOf(e.key)) ? TaskInstanceState.UP_FOR_RETRY : TaskInstanceState.FAILED;
      startedAt = new Date(endedAt.getTime() - e.durationMs);
    } else {
      to = tryNumber < (await maxTriesOf(e.key)) ? TaskInstanceState.UP_FOR_RETRY : TaskInstanceState.FAILED;
      // A lost try's start is the one recorded when it started, in this batch or before it.
      startedAt = s ? at(s.at) : ((await store.getTaskInstance(key))?.startDate ?? null);
    }
    items.push({
      key,
      transition: {
        // With its start in the same batch, the try may still be queued in the store.
        from: s ? [TaskInstanceState.RUNNING, TaskInstanceState.QUEUED, TaskInstanceState.SCHEDULED] : [TaskInstanceState.RUNNING, TaskInstanceState.QUEUED],
        to,
        tryNumber,
        patch: {
          ...startPatch,
          ...(startedAt ? { startDate: startedAt } : {}),
          endDate: endedAt,
          duration: startedAt ? (endedAt.getTime() - startedAt.getTime()) / 1000 : null,
        },
      },
      recordTry: true,
    });
  }
  if (items.length > 0) await store.transitionTaskInstances(items);
  for (const f of heartbeats) await store.heartbeatTaskInstance(keyOf(f.key), f.key.tryNumber, at(f.heartbeat as Date));
}
