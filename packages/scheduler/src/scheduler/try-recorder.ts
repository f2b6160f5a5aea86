import { TaskInstanceState } from '@updraft/core';
import type { ExecutorEvent, TryKey } from '@updraft/engine';
import type { MetadataStore, TaskInstanceKey } from '@updraft/store';

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
  const ti = await store.getTaskInstance(key);
  const start = startedAt ?? ti?.startDate ?? null;
  const applied = await store.transitionTaskInstance(key, {
    from: [TaskInstanceState.RUNNING, TaskInstanceState.QUEUED],
    to,
    tryNumber,
    patch: { ...(start ? { startDate: start } : {}), endDate: endedAt, duration: start ? (endedAt.getTime() - start.getTime()) / 1000 : null },
  });
  if (applied) await store.recordTaskInstanceTry(key);
  return { applied };
}
