import type { JobState, TaskInstanceState } from './states.js';
import type {
  ActiveDags,
  ActiveRunCounts,
  AuditEvent,
  AuditEventInput,
  AuditEventQuery,
  ClaimOptions,
  Dag,
  DagNextRun,
  DagQuery,
  DagRun,
  DagRunCreate,
  DagRunQuery,
  DagRunStateUpdate,
  DagUpsert,
  ImportErrorQuery,
  Job,
  JobStart,
  JsonValue,
  MigrationResult,
  Paged,
  ParseImportError,
  ParseImportErrorInput,
  SerializedDag,
  SerializedDagHash,
  SerializedDagPut,
  SetXComOptions,
  TaskInstance,
  TaskInstanceCreate,
  TaskInstanceHistory,
  TaskInstanceKey,
  TaskInstanceQuery,
  TaskInstanceSummary,
  TaskInstanceSummaryQuery,
  TaskInstanceTransition,
  TaskInstanceTransitionItem,
  XCom,
  XComKey,
  XComQuery,
  ZombieQuery,
} from './types.js';

/**
 * Updraft's metadata store. Every method is atomic on its own; the contract exposes no connection or
 * transaction, so methods that must be safe with two schedulers on one database (claims, transitions)
 * do their compare-and-set inside. Errors are `StoreError`s (see errors.ts); a driver error is its `cause`.
 * Getters return null for a missing row; single-row updates return whether a row changed.
 */
export interface MetadataStore {
  /** `sqlite` or `postgres`. */
  readonly dialect: 'sqlite' | 'postgres';

  /**
   * Applies pending migrations and says which. Idempotent. On PostgreSQL concurrent calls (any process)
   * serialize on an advisory lock; on SQLite the migration is one BEGIN IMMEDIATE transaction. Call it
   * before other use of the store.
   */
  migrate(): Promise<MigrationResult>;
  /** Closes the database handle or pool. The store is unusable afterwards. */
  close(): Promise<void>;

  // DAGs
  /** Inserts or updates a DAG as parsed (see `DagUpsert` for what is written) and returns it. */
  upsertDag(dag: DagUpsert): Promise<Dag>;
  /** A DAG with its tags, or null. */
  getDag(dagId: string): Promise<Dag | null>;
  /** DAGs matching the query (non-stale by default), one page, ordered by id unless asked otherwise. */
  listDags(query?: DagQuery): Promise<Paged<Dag>>;
  /** Pauses or unpauses a DAG; false when there is no such DAG. */
  setDagPaused(dagId: string, paused: boolean): Promise<boolean>;
  /** Writes where the scheduler plans the DAG's next scheduled run. */
  setDagNextRun(dagId: string, next: DagNextRun): Promise<boolean>;
  /** Marks non-stale DAGs that are not active stale; returns their ids. */
  markStaleDags(active: ActiveDags): Promise<string[]>;
  /** Deletes a DAG with its serialized form, runs, task instances and XComs. */
  deleteDag(dagId: string): Promise<boolean>;

  // Serialized DAGs
  /** Stores a DAG's serialized form unless its hash is unchanged; returns whether it wrote. */
  putSerializedDag(input: SerializedDagPut): Promise<boolean>;
  /** A DAG's serialized form, or null. */
  getSerializedDag(dagId: string): Promise<SerializedDag | null>;
  /**
   * The hashes of the serialized DAGs (of the given DAGs, default all), ordered by DAG id: a reader that caches
   * serialized DAGs learns which changed without reading their structure.
   */
  listSerializedDagHashes(dagIds?: readonly string[]): Promise<SerializedDagHash[]>;

  // Import errors
  /**
   * Replaces the import errors of one file (an empty list clears them) and sets `hasImportErrors`
   * of the DAGs defined in that file accordingly.
   */
  replaceImportErrors(filename: string, errors: readonly ParseImportErrorInput[]): Promise<void>;
  /** Import errors, optionally of one file, one page. */
  listImportErrors(query?: ImportErrorQuery): Promise<Paged<ParseImportError>>;

  // DAG runs
  /** Creates a run. Throws `DagRunExistsError` on a duplicate run id or logical date, `NotFoundError` for an unknown DAG. */
  createDagRun(input: DagRunCreate): Promise<DagRun>;
  /** A run, or null. */
  getDagRun(dagId: string, runId: string): Promise<DagRun | null>;
  /** Runs matching the query, one page. */
  listDagRuns(query?: DagRunQuery): Promise<Paged<DagRun>>;
  /** Compare-and-set of a run's state (see `DagRunStateUpdate.from`); returns whether it applied. */
  updateDagRunState(dagId: string, runId: string, update: DagRunStateUpdate): Promise<boolean>;
  /** Deletes a run with its task instances, their history and XComs. */
  deleteDagRun(dagId: string, runId: string): Promise<boolean>;
  /** How many runs of the DAG are queued and running (what `maxActiveRuns` limits). */
  countActiveRuns(dagId: string): Promise<ActiveRunCounts>;
  /** The latest run (by `runAfter`, then id) of each DAG, or of the given DAGs. */
  latestDagRuns(dagIds?: readonly string[]): Promise<DagRun[]>;

  // Task instances
  /** Creates task instances, skipping those that exist already; returns how many it created. */
  createTaskInstances(inputs: readonly TaskInstanceCreate[]): Promise<number>;
  /** A task instance, or null. */
  getTaskInstance(key: TaskInstanceKey): Promise<TaskInstance | null>;
  /** Task instances matching the query, one page (default: all, by dag, run, task, map index). */
  listTaskInstances(query?: TaskInstanceQuery): Promise<Paged<TaskInstance>>;
  /**
   * The key, state, try and end of the task instances of some runs, unordered and unpaged: what a scheduler plans
   * with, without the cost of whole rows. `updatedAtGte` reads only what was written since.
   */
  listTaskInstanceSummaries(query: TaskInstanceSummaryQuery): Promise<TaskInstanceSummary[]>;
  /**
   * Moves a task instance to `to` only if its state is in `from` (and its try number is `tryNumber`, when
   * given), writing `patch` with it. Of two racing transitions from the same state, exactly one applies.
   */
  transitionTaskInstance(key: TaskInstanceKey, transition: TaskInstanceTransition): Promise<boolean>;
  /**
   * Many `transitionTaskInstance`s (each with its own compare-and-set, and history copy when asked) in one
   * transaction; says for each whether it applied, in order. Input errors are found before anything is written.
   */
  transitionTaskInstances(items: readonly TaskInstanceTransitionItem[]): Promise<boolean[]>;
  /** Records a sign of life of a running try; false when the task instance is no longer running that try. */
  heartbeatTaskInstance(key: TaskInstanceKey, tryNumber: number, at?: Date): Promise<boolean>;
  /** Running task instances whose last heartbeat (or start) is older than `heartbeatBefore`. */
  findZombies(query: ZombieQuery): Promise<TaskInstance[]>;
  /**
   * How many task instances each DAG has in the given states (DAGs with none are absent), e.g. its queued and
   * running ones, for the scheduler's per-DAG `maxActiveTasks`.
   */
  countTaskInstancesPerDag(states: readonly TaskInstanceState[]): Promise<Map<string, number>>;
  /**
   * Atomically moves up to `limit` scheduled task instances of running runs of unpaused DAGs to queued,
   * highest priority first, and returns them. Concurrent claimers never get the same task instance
   * (`FOR UPDATE SKIP LOCKED` on PostgreSQL; one writer at a time on SQLite). Pool and concurrency limits
   * are the caller's to apply through `limit` and `dagIds`. `externalExecutorId`, when given, is written in
   * the same update.
   */
  claimScheduledTaskInstances(options: ClaimOptions): Promise<TaskInstance[]>;
  /** Copies the task instance's current try into its history (replacing an earlier copy of the same try). */
  recordTaskInstanceTry(key: TaskInstanceKey): Promise<void>;
  /** The recorded tries of a task instance, by try number. */
  listTaskInstanceHistory(key: TaskInstanceKey): Promise<TaskInstanceHistory[]>;

  // XComs
  /** Sets an XCom; throws `XComTooLargeError` over the size limit, `StoreInputError` for a non-JSON value. */
  setXcom(key: XComKey, value: JsonValue, options?: SetXComOptions): Promise<void>;
  /** An XCom, or null when never pushed (a pushed JSON null is an XCom whose value is null). */
  getXcom(key: XComKey): Promise<XCom | null>;
  /** XComs matching the query, one page. */
  listXcoms(query?: XComQuery): Promise<Paged<XCom>>;
  /** Deletes the XComs of one task instance (before a new try); returns how many. */
  clearXcoms(key: TaskInstanceKey): Promise<number>;

  // Audit log
  /** Appends a user action to the audit log and returns it with its id. */
  addEvent(event: AuditEventInput): Promise<AuditEvent>;
  /** Audit events matching the query, one page. */
  listEvents(query?: AuditEventQuery): Promise<Paged<AuditEvent>>;

  // Jobs
  /** Registers a running job and returns it, with its id for heartbeats. */
  startJob(input: JobStart): Promise<Job>;
  /** Records a heartbeat of a running job; false when the job is unknown or ended. */
  heartbeatJob(jobId: number, at?: Date): Promise<boolean>;
  /** Ends a running job. */
  endJob(jobId: number, state: Exclude<JobState, 'running'>, at?: Date): Promise<boolean>;
  /** The job of this type with the most recent heartbeat, optionally only among running ones. */
  latestJob(jobType: string, options?: { onlyRunning?: boolean }): Promise<Job | null>;
}
