/**
 * Plain records the store speaks. Field names are the camelCase of Airflow's column names (`fileloc`,
 * `queuedDttm`, `lastHeartbeatAt` ...); times are `Date`; JSON columns are parsed values.
 */
import type { DagRunState, JobState, TaskInstanceState } from './states.js';

/** A JSON value as stored in JSON columns (conf, XCom values, serialized DAGs). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Sort direction of a listing. */
export type SortDirection = 'asc' | 'desc';

/** One page of a listing and the number of rows matching the filters, over all pages. */
export interface Paged<T> {
  /** The rows of this page. */
  items: T[];
  /** How many rows match the filters, ignoring `limit` and `offset`. */
  total: number;
}

/**
 * Pagination and order shared by listings. Rows with a null sort value come last in ascending order
 * and first in descending order, on both databases; ties are broken by the primary key.
 */
export interface ListOptions<F extends string> {
  /** Maximum rows to return; default: all. */
  limit?: number;
  /** Rows to skip; default 0. */
  offset?: number;
  /** Field to order by; the default is given by each listing. */
  orderBy?: F;
  /** Direction; default `asc`. */
  direction?: SortDirection;
}

/** How a DAG run came to be (Airflow's `DagRunType`), from the authoring package. */
export { DagRunType } from '@updraft/core';
import type { DagRunType } from '@updraft/core';

// ---------------------------------------------------------------------------------------------------- DAGs

/** A DAG as the DAG processor last saw it (Airflow's `dag` table, with its tags). */
export interface Dag {
  dagId: string;
  /** Absolute path of the file that defines the DAG. */
  fileloc: string;
  description: string | null;
  /** Comma-separated owners, as Airflow shows them. */
  owners: string | null;
  tags: string[];
  isPaused: boolean;
  /** True when the DAG's file or the DAG itself disappeared at the last parse. */
  isStale: boolean;
  /** True when the DAG's file has import errors (set by `replaceImportErrors`). */
  hasImportErrors: boolean;
  /** Human-readable schedule, e.g. `@daily` or `1 day`. */
  timetableSummary: string | null;
  maxActiveRuns: number | null;
  maxActiveTasks: number | null;
  lastParsedTime: Date | null;
  /** Seconds the last parse of the file took. */
  lastParseDuration: number | null;
  /** Logical date of the next scheduled run. */
  nextDagrun: Date | null;
  nextDagrunDataIntervalStart: Date | null;
  nextDagrunDataIntervalEnd: Date | null;
  /** Earliest time the next scheduled run may be created. */
  nextDagrunCreateAfter: Date | null;
}

/** Where the scheduler plans the DAG's next scheduled run. */
export interface DagNextRun {
  nextDagrun: Date | null;
  nextDagrunDataIntervalStart: Date | null;
  nextDagrunDataIntervalEnd: Date | null;
  nextDagrunCreateAfter: Date | null;
}

/**
 * What the DAG processor writes for one DAG. Every field is written (a missing optional field becomes null),
 * except `isPaused`, set from `isPausedUponCreation` only when the DAG is new, and the next-run fields,
 * written only when `nextRun` is given. The DAG becomes non-stale.
 */
export interface DagUpsert {
  dagId: string;
  fileloc: string;
  description?: string | null;
  owners?: string | null;
  /** Replaces the DAG's tags; default none. */
  tags?: readonly string[];
  timetableSummary?: string | null;
  maxActiveRuns?: number | null;
  maxActiveTasks?: number | null;
  lastParsedTime?: Date | null;
  lastParseDuration?: number | null;
  /** Paused state of a DAG seen for the first time; default true (Airflow's default). */
  isPausedUponCreation?: boolean;
  /** Next-run fields to write; default: leave them as they are. */
  nextRun?: DagNextRun;
}

/** Sortable DAG fields. */
export type DagOrderField = 'dagId' | 'lastParsedTime' | 'nextDagrun' | 'fileloc';

/** Filters of `listDags`; default order `dagId`. */
export interface DagQuery extends ListOptions<DagOrderField> {
  /** SQL LIKE pattern on the DAG id (`%` and `_` wildcards), case-insensitive. */
  dagIdPattern?: string;
  /** Keep DAGs with any (or all, see `tagsMatchMode`) of these tags. */
  tags?: readonly string[];
  /** `any` (default) or `all` of `tags`. */
  tagsMatchMode?: 'any' | 'all';
  /** Keep only paused (true) or unpaused (false) DAGs; default both. */
  paused?: boolean;
  /** Leave out stale DAGs; default true. */
  excludeStale?: boolean;
}

/** Which DAGs are still alive after a parse; `markStaleDags` marks the others stale. */
export interface ActiveDags {
  /** Files that were parsed; a DAG whose `fileloc` is not among them is stale. */
  activeFiles?: readonly string[];
  /** DAG ids that were found; a DAG not among them is stale. */
  activeDagIds?: readonly string[];
}

/** A DAG's serialized structure, as written by the DAG processor and read by the scheduler. */
export interface SerializedDag {
  dagId: string;
  data: JsonValue;
  /** Caller-computed hash of `data`; an unchanged hash means an unchanged DAG. */
  dagHash: string;
  lastUpdated: Date;
}

/** Input of `putSerializedDag`. */
export interface SerializedDagPut {
  dagId: string;
  data: JsonValue;
  dagHash: string;
  /** Default: the store's clock. */
  lastUpdated?: Date;
}

/** An error raised while importing a DAG file (Airflow's `ParseImportError`). */
export interface ParseImportError {
  id: number;
  filename: string;
  stackTrace: string;
  timestamp: Date;
}

/** One import error of a file, for `replaceImportErrors`. */
export interface ParseImportErrorInput {
  stackTrace: string;
  /** Default: the store's clock. */
  timestamp?: Date;
}

/** Sortable import error fields. */
export type ImportErrorOrderField = 'id' | 'filename' | 'timestamp';

/** Filters of `listImportErrors`; default order `id`. */
export interface ImportErrorQuery extends ListOptions<ImportErrorOrderField> {
  filename?: string;
}

// ------------------------------------------------------------------------------------------------ DAG runs

/** One run of a DAG (Airflow's `dag_run`). */
export interface DagRun {
  /** Surrogate key, increasing with creation. */
  id: number;
  dagId: string;
  runId: string;
  /** Null for runs that have no logical date (Airflow 3 manual runs may have none). */
  logicalDate: Date | null;
  /** When the run was due; the scheduler orders runs by it. */
  runAfter: Date;
  dataIntervalStart: Date | null;
  dataIntervalEnd: Date | null;
  runType: DagRunType;
  state: DagRunState;
  queuedAt: Date | null;
  startDate: Date | null;
  endDate: Date | null;
  /** Seconds between start and end, when both are known. */
  duration: number | null;
  lastSchedulingDecision: Date | null;
  conf: JsonObject;
  note: string | null;
  /** What created the run: `timetable`, `cli`, `rest_api`, `ui`, `test` ... */
  triggeredBy: string | null;
  updatedAt: Date;
}

/** Input of `createDagRun`. */
export interface DagRunCreate {
  dagId: string;
  runId: string;
  runType: DagRunType;
  /** Default `queued`. */
  state?: DagRunState;
  /** Default null. Unique per DAG when not null. */
  logicalDate?: Date | null;
  runAfter: Date;
  dataIntervalStart?: Date | null;
  dataIntervalEnd?: Date | null;
  /** Default `{}`. */
  conf?: JsonObject;
  note?: string | null;
  triggeredBy?: string | null;
  /** Default: the store's clock when the state is `queued`, else null. */
  queuedAt?: Date | null;
  startDate?: Date | null;
}

/** A compare-and-set state change of a DAG run. */
export interface DagRunStateUpdate {
  state: DagRunState;
  /** Apply only when the current state is one of these; default: any state. */
  from?: readonly DagRunState[];
  /** Written when given (null clears). */
  startDate?: Date | null;
  /** Written when given (null clears). */
  endDate?: Date | null;
  /** Written when given. */
  lastSchedulingDecision?: Date | null;
  /** Written when given. */
  note?: string | null;
}

/** Sortable DAG run fields. */
export type DagRunOrderField = 'id' | 'runId' | 'runAfter' | 'logicalDate' | 'startDate' | 'endDate' | 'state';

/** Filters of `listDagRuns`; default order `id`. */
export interface DagRunQuery extends ListOptions<DagRunOrderField> {
  dagIds?: readonly string[];
  states?: readonly DagRunState[];
  runTypes?: readonly DagRunType[];
  /** Inclusive bounds. */
  runAfterGte?: Date;
  runAfterLte?: Date;
  logicalDateGte?: Date;
  logicalDateLte?: Date;
  startDateGte?: Date;
  startDateLte?: Date;
  endDateGte?: Date;
  endDateLte?: Date;
}

/** Unfinished runs of a DAG, per state. */
export interface ActiveRunCounts {
  queued: number;
  running: number;
}

// ----------------------------------------------------------------------------------------- task instances

/** Identifies a task instance: a task in a DAG run, and its map index (-1 when not mapped). */
export interface TaskInstanceKey {
  dagId: string;
  runId: string;
  taskId: string;
  /** Default -1. */
  mapIndex?: number;
}

/** The current try of a task in a DAG run (Airflow's `task_instance`). */
export interface TaskInstance {
  /** Random UUID, as Airflow 3. */
  id: string;
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  /** Null means "no state yet". */
  state: TaskInstanceState | null;
  /** Number of the current (or last) try; 0 before the first. */
  tryNumber: number;
  maxTries: number;
  startDate: Date | null;
  endDate: Date | null;
  /** Seconds the try ran. */
  duration: number | null;
  hostname: string | null;
  unixname: string | null;
  pid: number | null;
  queuedDttm: Date | null;
  scheduledDttm: Date | null;
  lastHeartbeatAt: Date | null;
  operator: string | null;
  pool: string;
  poolSlots: number;
  queue: string;
  priorityWeight: number;
  /** The executor's id for the try (a queue job id ...). */
  externalExecutorId: string | null;
  note: string | null;
  updatedAt: Date;
}

/** Input of `createTaskInstances`. */
export interface TaskInstanceCreate extends TaskInstanceKey {
  /** Default null (no state yet). */
  state?: TaskInstanceState | null;
  /** Default 0. */
  tryNumber?: number;
  /** Default 0. */
  maxTries?: number;
  operator?: string | null;
  /** Default `default_pool`. */
  pool?: string;
  /** Default 1. */
  poolSlots?: number;
  /** Default `default`. */
  queue?: string;
  /** Default 1. */
  priorityWeight?: number;
  /** Default: the store's clock when the state is `scheduled`, else null. */
  scheduledDttm?: Date | null;
}

/** Task instance fields a transition may write; a field that is absent is left as it is, null clears it. */
export interface TaskInstancePatch {
  tryNumber?: number;
  maxTries?: number;
  startDate?: Date | null;
  endDate?: Date | null;
  duration?: number | null;
  hostname?: string | null;
  unixname?: string | null;
  pid?: number | null;
  queuedDttm?: Date | null;
  scheduledDttm?: Date | null;
  lastHeartbeatAt?: Date | null;
  operator?: string | null;
  pool?: string;
  poolSlots?: number;
  queue?: string;
  priorityWeight?: number;
  externalExecutorId?: string | null;
  note?: string | null;
}

/** A compare-and-set state change of a task instance. */
export interface TaskInstanceTransition {
  /** Apply only when the current state is one of these (null: no state). */
  from: readonly (TaskInstanceState | null)[];
  to: TaskInstanceState | null;
  /** Apply only when the current try number is this one, so a runner of an older try cannot write. */
  tryNumber?: number;
  patch?: TaskInstancePatch;
}

/** One compare-and-set of `transitionTaskInstances`. */
export interface TaskInstanceTransitionItem {
  key: TaskInstanceKey;
  transition: TaskInstanceTransition;
  /**
   * When the transition applies, also copy the task instance's try into its history, as
   * `recordTaskInstanceTry` does. Default false.
   */
  recordTry?: boolean;
}

/** A serialized DAG's id and hash, without its structure. */
export interface SerializedDagHash {
  dagId: string;
  dagHash: string;
}

/** Sortable task instance fields. */
export type TaskInstanceOrderField =
  | 'taskId'
  | 'mapIndex'
  | 'state'
  | 'startDate'
  | 'endDate'
  | 'duration'
  | 'priorityWeight'
  | 'updatedAt';

/** Filters of `listTaskInstances`; default order `dagId, runId, taskId, mapIndex`. */
export interface TaskInstanceQuery extends ListOptions<TaskInstanceOrderField> {
  dagIds?: readonly string[];
  runIds?: readonly string[];
  taskIds?: readonly string[];
  /** Null selects task instances with no state. */
  states?: readonly (TaskInstanceState | null)[];
  mapIndex?: number;
  /**
   * Only task instances written at or after this time (`updatedAt`), so a reader that holds a run's task
   * instances can catch up on what changed since the latest `updatedAt` it saw.
   */
  updatedAtGte?: Date;
}

/**
 * What a planner needs of a task instance: its key, state and try, when its try ended, and when it was written.
 * Read by `listTaskInstanceSummaries`, a fraction of a full row's columns.
 */
export type TaskInstanceSummary = Pick<TaskInstance, 'dagId' | 'runId' | 'taskId' | 'mapIndex' | 'state' | 'tryNumber' | 'endDate' | 'updatedAt'>;

/** Filters of `listTaskInstanceSummaries`: the task instances of these DAGs and runs (both lists must match). */
export interface TaskInstanceSummaryQuery {
  dagIds: readonly string[];
  runIds: readonly string[];
  /** Only task instances written at or after this time (see `TaskInstanceQuery.updatedAtGte`). */
  updatedAtGte?: Date;
}

/** Options of `claimScheduledTaskInstances`. */
export interface ClaimOptions {
  /** Maximum task instances to claim (a positive integer). */
  limit: number;
  /** Claim only task instances of these DAGs; default all. */
  dagIds?: readonly string[];
  /** Written as `queuedDttm`; default: the store's clock. */
  queuedAt?: Date;
  /** Written as `externalExecutorId` of every claimed task instance (who queued it); default: left as it is. */
  externalExecutorId?: string;
}

/** Options of `findZombies`. */
export interface ZombieQuery {
  /** Running task instances whose last sign of life is older than this are zombies. */
  heartbeatBefore: Date;
  /** Default: all. */
  limit?: number;
}

/** One finished try of a task instance (Airflow 3's `task_instance_history`). */
export interface TaskInstanceHistory {
  id: number;
  taskInstanceId: string;
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  state: TaskInstanceState | null;
  startDate: Date | null;
  endDate: Date | null;
  duration: number | null;
  hostname: string | null;
  unixname: string | null;
  pid: number | null;
  queuedDttm: Date | null;
  scheduledDttm: Date | null;
  maxTries: number;
  operator: string | null;
  pool: string;
  poolSlots: number;
  queue: string;
  priorityWeight: number;
  externalExecutorId: string | null;
  updatedAt: Date;
}

// ------------------------------------------------------------------------------------------------- XComs

/** Identifies one XCom: a key pushed by a task instance. */
export interface XComKey extends TaskInstanceKey {
  key: string;
}

/** One XCom value. */
export interface XCom extends XComKey {
  mapIndex: number;
  value: JsonValue;
  timestamp: Date;
}

/** Options of `setXcom`. */
export interface SetXComOptions {
  /** Maximum size of the JSON-encoded value in UTF-8 bytes; default: the store's `xcomSizeLimitBytes`. */
  sizeLimitBytes?: number;
}

/** Sortable XCom fields. */
export type XComOrderField = 'taskId' | 'key' | 'timestamp' | 'mapIndex';

/** Filters of `listXcoms`; default order `dagId, runId, taskId, mapIndex, key`. */
export interface XComQuery extends ListOptions<XComOrderField> {
  dagId?: string;
  runId?: string;
  taskIds?: readonly string[];
  keys?: readonly string[];
  mapIndex?: number;
}

// --------------------------------------------------------------------------------------------- audit log

/** One user action in the audit log (Airflow's `log` table). */
export interface AuditEvent {
  id: number;
  /** When it happened. */
  dttm: Date;
  /** What happened: `trigger`, `pause`, `clear`, `login` ... */
  event: string;
  /** Who did it. */
  owner: string | null;
  dagId: string | null;
  taskId: string | null;
  runId: string | null;
  mapIndex: number | null;
  tryNumber: number | null;
  logicalDate: Date | null;
  /** Free text, often JSON of the request. */
  extra: string | null;
}

/** Input of `addEvent`. */
export interface AuditEventInput {
  event: string;
  /** Default: the store's clock. */
  dttm?: Date;
  owner?: string | null;
  dagId?: string | null;
  taskId?: string | null;
  runId?: string | null;
  mapIndex?: number | null;
  tryNumber?: number | null;
  logicalDate?: Date | null;
  extra?: string | null;
}

/** Sortable audit event fields. */
export type AuditEventOrderField = 'id' | 'dttm' | 'event' | 'owner' | 'dagId';

/** Filters of `listEvents`; default order `id`. */
export interface AuditEventQuery extends ListOptions<AuditEventOrderField> {
  dagId?: string;
  taskId?: string;
  runId?: string;
  owner?: string;
  /** Keep only these events. */
  events?: readonly string[];
  /** Leave out these events. */
  excludedEvents?: readonly string[];
  /** Inclusive bounds on `dttm`. */
  after?: Date;
  before?: Date;
}

// --------------------------------------------------------------------------------------------------- jobs

/** A long-lived process that heartbeats: scheduler, DAG processor, worker (Airflow's `job`). */
export interface Job {
  id: number;
  /** `SchedulerJob`, `DagProcessorJob`, `WorkerJob` ... */
  jobType: string;
  state: JobState;
  hostname: string | null;
  unixname: string | null;
  pid: number | null;
  executorClass: string | null;
  startDate: Date;
  endDate: Date | null;
  latestHeartbeat: Date;
}

/** Input of `startJob`. */
export interface JobStart {
  jobType: string;
  hostname?: string | null;
  unixname?: string | null;
  pid?: number | null;
  executorClass?: string | null;
  /** Start and first heartbeat; default: the store's clock. */
  at?: Date;
}

/** What `migrate` did. */
export interface MigrationResult {
  /** Names of the migrations applied by this call, in order; empty when the schema was up to date. */
  applied: string[];
}
