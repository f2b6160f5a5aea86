/**
 * State names of DAG runs, task instances and jobs, spelled as Airflow spells them so that REST clients,
 * the UI and users' habits carry over.
 */

import {
  DagRunState,
  FINISHED_DAG_RUN_STATES,
  FINISHED_TI_STATES,
  isTaskInstanceState,
  TaskInstanceState,
  UNFINISHED_DAG_RUN_STATES,
  UNFINISHED_TI_STATES,
} from '@updraft/core';

// The states are the authoring package's: one definition for the scheduler, the store, the API and the UI.
export { DagRunState, isTaskInstanceState, TaskInstanceState };

/** States of a scheduler, DAG processor or worker job row (Airflow's `JobState`). */
export const JobState = {
  /** Set when the job starts; it heartbeats while it lives. */
  RUNNING: 'running',
  /** Set when the job stopped cleanly. */
  SUCCESS: 'success',
  /** Set when the job stopped on an error, or by another job that found it dead. */
  FAILED: 'failed',
} as const;

/** A job state name. */
export type JobState = (typeof JobState)[keyof typeof JobState];

/** DAG run states after which nothing more happens to the run. */
export const DAG_RUN_FINISHED_STATES: ReadonlySet<DagRunState> = FINISHED_DAG_RUN_STATES;

/** DAG run states of a run that still has work to do (what `maxActiveRuns` counts). */
export const DAG_RUN_UNFINISHED_STATES: ReadonlySet<DagRunState> = UNFINISHED_DAG_RUN_STATES;

/** Task instance states after which the scheduler does not touch the task instance again (Airflow's `State.finished`). */
export const TASK_INSTANCE_FINISHED_STATES: ReadonlySet<TaskInstanceState> = FINISHED_TI_STATES;

/** Task instance states that still need the scheduler, including `null` (no state yet), as Airflow's `State.unfinished`. */
export const TASK_INSTANCE_UNFINISHED_STATES: ReadonlySet<TaskInstanceState | null> = new Set([null, ...UNFINISHED_TI_STATES]);

const dagRunStates: ReadonlySet<string> = new Set<string>(Object.values(DagRunState));
const jobStates: ReadonlySet<string> = new Set(Object.values(JobState));

/** Whether `value` is a DAG run state name. */
export function isDagRunState(value: unknown): value is DagRunState {
  return typeof value === 'string' && dagRunStates.has(value);
}

/** Whether `value` is a job state name. */
export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && jobStates.has(value);
}
