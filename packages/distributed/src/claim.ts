import { TaskInstanceState } from '@updraft/core';
import type { TaskWorkload } from '@updraft/engine';
import type { MetadataStore, TaskInstance } from '@updraft/store';

/** What a worker does with a job, from what the store says of its try. */
export type JobDecision =
  /** The try is this worker's to run: the store now says it runs here. */
  | { kind: 'run'; takeover: boolean }
  /** The try runs elsewhere and is alive: look again later. */
  | { kind: 'watch' }
  /** The try ended (or was never this one to run): nothing to do. */
  | { kind: 'ended'; ti: TaskInstance | null };

const RUNNABLE: readonly (TaskInstanceState | null)[] = [TaskInstanceState.QUEUED, TaskInstanceState.SCHEDULED];

/**
 * Decides, and claims in the store, whether this worker runs a job's try. A queued try is claimed with a
 * compare-and-set (queued to running, for this try number), so of two workers holding the same job only one
 * runs it. A try already running is taken over only when its heartbeat is older than `takeoverAfterMs` (its
 * worker died), and is watched otherwise.
 */
export async function claimTry(store: MetadataStore, w: TaskWorkload, o: { hostname: string; takeoverAfterMs: number; now: Date }): Promise<JobDecision> {
  const key = { dagId: w.dagId, runId: w.runId, taskId: w.taskId };
  const patch = { hostname: o.hostname, pid: process.pid, lastHeartbeatAt: o.now, startDate: o.now, endDate: null, duration: null };
  // Almost every job finds its try queued: the compare-and-set comes first, and the try is read only when it fails.
  if (await store.transitionTaskInstance(key, { from: RUNNABLE, to: TaskInstanceState.RUNNING, tryNumber: w.tryNumber, patch })) {
    return { kind: 'run', takeover: false };
  }
  const ti = await store.getTaskInstance(key);
  if (!ti || ti.tryNumber !== w.tryNumber) return { kind: 'ended', ti };
  // Another writer changed the row between the two calls and left it runnable: claim again.
  if (RUNNABLE.includes(ti.state)) return claimTry(store, w, o);
  if (ti.state !== TaskInstanceState.RUNNING) return { kind: 'ended', ti };
  const lastSign = ti.lastHeartbeatAt ?? ti.startDate ?? ti.updatedAt;
  if (o.now.getTime() - lastSign.getTime() < o.takeoverAfterMs) return { kind: 'watch' };
  const taken = await store.transitionTaskInstance(key, {
    from: [TaskInstanceState.RUNNING],
    to: TaskInstanceState.RUNNING,
    tryNumber: w.tryNumber,
    patch: { hostname: o.hostname, pid: process.pid, lastHeartbeatAt: o.now },
  });
  return taken ? { kind: 'run', takeover: true } : claimTry(store, w, o);
}
