import { TASK_INSTANCE_FINISHED_STATES, type MetadataStore, type TaskInstance, type TaskInstanceKey, type TaskInstanceState } from '@updraft/store';

/** The key of a task instance record. */
export function keyOf(ti: TaskInstance): TaskInstanceKey {
  return { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex };
}

/**
 * Sets a task instance's state as a user asked (mark success/failed/skipped). Compare-and-set from the state
 * it was read in, so a concurrent move by the scheduler or a runner wins instead of being overwritten; returns
 * whether it applied.
 */
export async function setTaskInstanceState(store: MetadataStore, ti: TaskInstance, state: TaskInstanceState, now: Date): Promise<boolean> {
  if (ti.state === state) return false;
  const finishing = TASK_INSTANCE_FINISHED_STATES.has(state);
  return store.transitionTaskInstance(keyOf(ti), {
    from: [ti.state],
    tryNumber: ti.tryNumber,
    to: state,
    patch: finishing ? { endDate: ti.endDate ?? now, ...(ti.startDate === null && { startDate: now }) } : {},
  });
}

/**
 * Clears a task instance as Airflow's `clear_task_instances`: its current try goes to the history, a running
 * one becomes `restarting` (the scheduler retries it without charging a try), any other gets no state, and
 * `maxTries` grows so the task gets its retries again. Compare-and-set; returns whether it applied.
 */
export async function clearTaskInstance(store: MetadataStore, ti: TaskInstance, retries: number): Promise<boolean> {
  if (ti.state === null) return false;
  if (ti.tryNumber > 0) await store.recordTaskInstanceTry(keyOf(ti));
  return store.transitionTaskInstance(keyOf(ti), {
    from: [ti.state],
    tryNumber: ti.tryNumber,
    to: ti.state === 'running' ? 'restarting' : null,
    patch: { maxTries: ti.tryNumber + retries, externalExecutorId: null },
  });
}
