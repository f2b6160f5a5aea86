/**
 * State names of DAG runs, task instances and jobs, spelled as Airflow spells them so that REST clients,
 * the UI and users' habits carry over. Self-contained on purpose: they may move to `@updraft/core` later.
 */

/** The states a DAG run moves through: queued -> running -> success | failed. */
export const DagRunState = {
  /** Set when a run is created (by the scheduler from the timetable, or by a trigger), before it may start. */
  QUEUED: 'queued',
  /** Set by the scheduler when the run starts, within the DAG's `maxActiveRuns`. */
  RUNNING: 'running',
  /** Set by the scheduler when every leaf task instance finished and none failed (or by a user marking it). */
  SUCCESS: 'success',
  /** Set by the scheduler when a leaf task instance failed or was upstream_failed (or by a user marking it). */
  FAILED: 'failed',
} as const;

/** A DAG run state name. */
export type DagRunState = (typeof DagRunState)[keyof typeof DagRunState];

/**
 * The states of one task instance. A task instance with no state yet (just created, not evaluated) has
 * `state: null`, as Airflow's `None`.
 */
export const TaskInstanceState = {
  /** Set by the scheduler when the task's upstream dependencies and trigger rule are met. */
  SCHEDULED: 'scheduled',
  /** Set by the scheduler when it claims the task instance and hands it to an executor. */
  QUEUED: 'queued',
  /** Set by the task runner when a try starts; it then heartbeats until the try ends. */
  RUNNING: 'running',
  /** Set by the task runner when the callable returned. */
  SUCCESS: 'success',
  /** Set by the task runner when a try failed with no retry left; by the scheduler for a dead runner (zombie). */
  FAILED: 'failed',
  /** Set by the task runner (or the scheduler, for a zombie) when a try failed and retries remain. */
  UP_FOR_RETRY: 'up_for_retry',
  /** Set by the task runner when a sensor in reschedule mode asks to be run again later. */
  UP_FOR_RESCHEDULE: 'up_for_reschedule',
  /** Set by the scheduler when the trigger rule can no longer be met because an upstream task failed. */
  UPSTREAM_FAILED: 'upstream_failed',
  /** Set by the scheduler (trigger rules, branching) or by the task runner when the task asked to be skipped. */
  SKIPPED: 'skipped',
  /** Set by the scheduler when the task no longer exists in the DAG's current version. */
  REMOVED: 'removed',
  /** Set by the task runner when the task defers itself to a trigger (reserved: there is no triggerer yet). */
  DEFERRED: 'deferred',
  /** Set by the API when a user clears a running task instance; the scheduler then retries it without charging a try. */
  RESTARTING: 'restarting',
} as const;

/** A task instance state name. */
export type TaskInstanceState = (typeof TaskInstanceState)[keyof typeof TaskInstanceState];

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
export const DAG_RUN_FINISHED_STATES: ReadonlySet<DagRunState> = new Set([DagRunState.SUCCESS, DagRunState.FAILED]);

/** DAG run states of a run that still has work to do (what `maxActiveRuns` counts). */
export const DAG_RUN_UNFINISHED_STATES: ReadonlySet<DagRunState> = new Set([DagRunState.QUEUED, DagRunState.RUNNING]);

/** Task instance states after which the scheduler does not touch the task instance again (Airflow's `State.finished`). */
export const TASK_INSTANCE_FINISHED_STATES: ReadonlySet<TaskInstanceState> = new Set([
  TaskInstanceState.SUCCESS,
  TaskInstanceState.FAILED,
  TaskInstanceState.SKIPPED,
  TaskInstanceState.UPSTREAM_FAILED,
  TaskInstanceState.REMOVED,
]);

/** Task instance states that still need the scheduler, including `null` (no state yet), as Airflow's `State.unfinished`. */
export const TASK_INSTANCE_UNFINISHED_STATES: ReadonlySet<TaskInstanceState | null> = new Set([
  null,
  TaskInstanceState.SCHEDULED,
  TaskInstanceState.QUEUED,
  TaskInstanceState.RUNNING,
  TaskInstanceState.RESTARTING,
  TaskInstanceState.UP_FOR_RETRY,
  TaskInstanceState.UP_FOR_RESCHEDULE,
  TaskInstanceState.DEFERRED,
]);

const dagRunStates: ReadonlySet<string> = new Set(Object.values(DagRunState));
const taskInstanceStates: ReadonlySet<string> = new Set(Object.values(TaskInstanceState));
const jobStates: ReadonlySet<string> = new Set(Object.values(JobState));

/** Whether `value` is a DAG run state name. */
export function isDagRunState(value: unknown): value is DagRunState {
  return typeof value === 'string' && dagRunStates.has(value);
}

/** Whether `value` is a task instance state name (`null`, "no state", is not one). */
export function isTaskInstanceState(value: unknown): value is TaskInstanceState {
  return typeof value === 'string' && taskInstanceStates.has(value);
}

/** Whether `value` is a job state name. */
export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && jobStates.has(value);
}
