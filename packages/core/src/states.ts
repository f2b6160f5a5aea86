/**
 * Task instance and DAG run states, with Airflow's names and meanings, so that users, the REST API and scripts
 * written for Airflow read them the same way.
 */

/** The states of one task instance. The comment on each value says who sets it. */
export const TaskInstanceState = {
  /** Scheduler: dependencies are met and the task may be queued. */
  SCHEDULED: 'scheduled',
  /** Scheduler: handed to an executor, waiting for a slot or a worker. */
  QUEUED: 'queued',
  /** Task runner: the try has started. */
  RUNNING: 'running',
  /** Task runner: the try returned. */
  SUCCESS: 'success',
  /** Task runner (or scheduler for a dead runner) when no retries are left. */
  FAILED: 'failed',
  /** Task runner (or scheduler for a dead runner) when the try failed and retries are left. */
  UP_FOR_RETRY: 'up_for_retry',
  /** Reserved for sensors in reschedule mode. */
  UP_FOR_RESCHEDULE: 'up_for_reschedule',
  /** Scheduler: an upstream failed and the trigger rule cannot be met any more. */
  UPSTREAM_FAILED: 'upstream_failed',
  /** Task runner (the task skipped itself) or scheduler (trigger rule says skip). */
  SKIPPED: 'skipped',
  /** Scheduler: the task is no longer in the DAG. */
  REMOVED: 'removed',
  /** Reserved for deferrable tasks. */
  DEFERRED: 'deferred',
  /** User action: cleared while running; the runner stops and the task runs again. */
  RESTARTING: 'restarting',
} as const;
/** One of {@link TaskInstanceState}'s values. */
export type TaskInstanceState = (typeof TaskInstanceState)[keyof typeof TaskInstanceState];

/** The states of a DAG run. */
export const DagRunState = {
  /** Scheduler or API: created, waiting for a slot under `maxActiveRuns`. */
  QUEUED: 'queued',
  /** Scheduler: tasks are being scheduled. */
  RUNNING: 'running',
  /** Scheduler: every leaf task finished in success or skipped. */
  SUCCESS: 'success',
  /** Scheduler: a leaf task failed or upstream_failed, or the run timed out. */
  FAILED: 'failed',
} as const;
/** One of {@link DagRunState}'s values. */
export type DagRunState = (typeof DagRunState)[keyof typeof DagRunState];

/** Task instance states in which nothing more will happen unless a user clears the task. */
export const FINISHED_TI_STATES: ReadonlySet<TaskInstanceState> = new Set([
  TaskInstanceState.SUCCESS,
  TaskInstanceState.FAILED,
  TaskInstanceState.SKIPPED,
  TaskInstanceState.UPSTREAM_FAILED,
  TaskInstanceState.REMOVED,
]);

/** Task instance states that still have work ahead. */
export const UNFINISHED_TI_STATES: ReadonlySet<TaskInstanceState> = new Set(
  Object.values(TaskInstanceState).filter((s) => !FINISHED_TI_STATES.has(s)),
);

/** DAG run states that are final. */
export const FINISHED_DAG_RUN_STATES: ReadonlySet<DagRunState> = new Set([DagRunState.SUCCESS, DagRunState.FAILED]);

/** DAG run states that are not final. */
export const UNFINISHED_DAG_RUN_STATES: ReadonlySet<DagRunState> = new Set([DagRunState.QUEUED, DagRunState.RUNNING]);

/** How a DAG run came to be, as Airflow's `run_type`. */
export const DagRunType = {
  /** Created by the scheduler from the DAG's schedule. */
  SCHEDULED: 'scheduled',
  /** Created by a user (UI, API, CLI trigger). */
  MANUAL: 'manual',
  /** Created by `dags test` or backfill. */
  BACKFILL: 'backfill',
  /** Created because an asset the DAG waits for was updated. */
  ASSET_TRIGGERED: 'asset_triggered',
} as const;
/** One of {@link DagRunType}'s values. */
export type DagRunType = (typeof DagRunType)[keyof typeof DagRunType];

/** True when `value` is a known task instance state. */
export function isTaskInstanceState(value: unknown): value is TaskInstanceState {
  return typeof value === 'string' && (Object.values(TaskInstanceState) as string[]).includes(value);
}
