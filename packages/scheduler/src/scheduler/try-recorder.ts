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
  switch (e.type) {
    case 'started':
      return { applied: await store.transitionTaskInstance(key, startItem(e, at).transition) };
    case 'heartbeat': {
      const alive = await store.heartbeatTaskInstance(key, e.key.tryNumber, at(e.at));
      return { applied: alive, keepRunning: alive };
    }
    case 'log':
      return { applied: true };
    case 'finished':
    case 'lost': {
      // The end and its history copy together: one statement on PostgreSQL.
      const [applied = false] = await store.transitionTaskInstances([await endItem(store, e, null, maxTriesOf, at)]);
      return { applied };
    }
  }
}

type Started = Extract<ExecutorEvent, { type: 'started' }>;
type Ending = Extract<ExecutorEvent, { type: 'finished' | 'lost' }>;

/** A try's start: from queued (or scheduled) to running, with its runner's pid, host and time. */
function startItem(s: Started, at: (t: Date) => Date): TaskInstanceTransitionItem {
  return {
    key: keyOf(s.key),
    transition: {
      from: [TaskInstanceState.QUEUED, TaskInstanceState.SCHEDULED],
      to: TaskInstanceState.RUNNING,
      tryNumber: s.key.tryNumber,
      patch: { startDate: at(s.at), endDate: null, duration: null, pid: s.pid, hostname: s.hostname, lastHeartbeatAt: at(s.at) },
    },
  };
}

/**
 * A try's end, with its history copy, and its start when `s` is given (the two in one transition). A finished try's
 * start comes from its duration; only a lost one's is read from the store when its start is not given.
 */
async function endItem(store: MetadataStore, e: Ending, s: Started | null, maxTriesOf: (k: TryKey) => Promise<number>, at: (t: Date) => Date): Promise<TaskInstanceTransitionItem> {
  const key = keyOf(e.key);
  const tryNumber = e.key.tryNumber;
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
  return {
    key,
    transition: {
      // With its start in the same batch, the try may still be queued in the store.
      from: s ? [TaskInstanceState.RUNNING, TaskInstanceState.QUEUED, TaskInstanceState.SCHEDULED] : [TaskInstanceState.RUNNING, TaskInstanceState.QUEUED],
      to,
      tryNumber,
      patch: {
        ...(s ? { pid: s.pid, hostname: s.hostname, lastHeartbeatAt: at(s.at) } : {}),
        ...(startedAt ? { startDate: startedAt } : {}),
        endDate: endedAt,
        duration: startedAt ? (endedAt.getTime() - startedAt.getTime()) / 1000 : null,
      },
    },
    recordTry: true,
  };
}

/** Where a try's events of one batch lead, once folded together. */
interface Folded {
  key: TryKey;
  started: Started | null;
  ending: Ending | null;
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
    if (f.ending) {
      items.push(await endItem(store, f.ending, f.started, maxTriesOf, at));
      continue;
    }
    if (f.started) items.push(startItem(f.started, at));
    if (f.heartbeat) heartbeats.push(f);
  }
  if (items.length > 0) await store.transitionTaskInstances(items);
  for (const f of heartbeats) await store.heartbeatTaskInstance(keyOf(f.key), f.key.tryNumber, at(f.heartbeat as Date));
}
