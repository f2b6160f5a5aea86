import type { SerializedDag } from '@updraft/core';
import { TASK_INSTANCE_UNFINISHED_STATES, type DagRun, type MetadataStore, type TaskInstance } from '@updraft/store';
import { clearTaskInstance, setTaskInstanceState } from './task-states.js';

/** Every task instance of a run (the store pages nothing when no limit is given). */
export async function taskInstancesOf(store: MetadataStore, run: Pick<DagRun, 'dagId' | 'runId'>): Promise<TaskInstance[]> {
  return (await store.listTaskInstances({ dagIds: [run.dagId], runIds: [run.runId] })).items;
}

/**
 * Marks a run as a user asked, as Airflow's `set_dag_run_state_to_*`: success marks every task instance
 * success; failed marks its running ones failed and the other unfinished ones skipped; queued only
 * moves the run (the scheduler picks it up again).
 */
export async function markDagRun(store: MetadataStore, run: DagRun, state: 'queued' | 'success' | 'failed', now: Date): Promise<void> {
  if (state !== 'queued') {
    for (const ti of await taskInstancesOf(store, run)) {
      if (state === 'success') await setTaskInstanceState(store, ti, 'success', now);
      else if (TASK_INSTANCE_UNFINISHED_STATES.has(ti.state)) await setTaskInstanceState(store, ti, ti.state === 'running' ? 'failed' : 'skipped', now);
    }
  }
  await store.updateDagRunState(run.dagId, run.runId, {
    state,
    ...(state === 'queued' ? { endDate: null } : { endDate: now, ...(run.startDate === null && { startDate: now }) }),
  });
}

/** The retries a task has, from the serialized DAG (0 when the task is no longer in it). */
export function retriesOf(serialized: SerializedDag | null, taskId: string): number {
  return serialized?.tasks.find((t) => t.taskId === taskId)?.retries ?? 0;
}

/** Clears task instances and, when `resetRuns`, puts their runs back to queued so the scheduler runs them again. */
export async function clearAndRequeue(
  store: MetadataStore,
  serialized: SerializedDag | null,
  tis: readonly TaskInstance[],
  resetRuns: boolean,
): Promise<void> {
  for (const ti of tis) await clearTaskInstance(store, ti, retriesOf(serialized, ti.taskId));
  if (!resetRuns) return;
  const runs = new Map<string, { dagId: string; runId: string }>();
  for (const ti of tis) runs.set(`${ti.dagId}\0${ti.runId}`, { dagId: ti.dagId, runId: ti.runId });
  for (const r of runs.values()) await store.updateDagRunState(r.dagId, r.runId, { state: 'queued', startDate: null, endDate: null });
}
