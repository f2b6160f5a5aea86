/**
 * `@updraft/store`: Updraft's metadata store. One `MetadataStore` contract, an embedded SQLite adapter
 * and a shared PostgreSQL adapter, numbered migrations.
 */
export type { MetadataStore } from './store.js';
export { createSqliteStore, resolveSqliteStoreOptions } from './sqlite.js';
export type { SqliteStoreOptions, ResolvedSqliteStoreOptions } from './sqlite.js';
export { createPostgresStore, resolvePostgresStoreOptions } from './postgres.js';
export type { PostgresStoreOptions, ResolvedPostgresStoreOptions } from './postgres.js';
export { openStore, resolveStoreUrl } from './open.js';
export type { OpenStoreOptions } from './open.js';
export { DEFAULT_XCOM_SIZE_LIMIT_BYTES } from './options.js';
export type { CommonStoreOptions } from './options.js';
export { DagRunExistsError, NotFoundError, StoreError, StoreInputError, XComTooLargeError } from './errors.js';
export {
  DAG_RUN_FINISHED_STATES,
  DAG_RUN_UNFINISHED_STATES,
  DagRunState,
  isDagRunState,
  isJobState,
  isTaskInstanceState,
  JobState,
  TASK_INSTANCE_FINISHED_STATES,
  TASK_INSTANCE_UNFINISHED_STATES,
  TaskInstanceState,
} from './states.js';
export { DagRunType } from './types.js';
export type {
  ActiveDags,
  ActiveRunCounts,
  AuditEvent,
  AuditEventInput,
  AuditEventOrderField,
  AuditEventQuery,
  ClaimOptions,
  Dag,
  DagNextRun,
  DagOrderField,
  DagQuery,
  DagRun,
  DagRunCreate,
  DagRunOrderField,
  DagRunQuery,
  DagRunStateUpdate,
  DagUpsert,
  ImportErrorOrderField,
  ImportErrorQuery,
  Job,
  JobStart,
  JsonObject,
  JsonValue,
  ListOptions,
  MigrationResult,
  Paged,
  ParseImportError,
  ParseImportErrorInput,
  SerializedDag,
  SerializedDagHash,
  SerializedDagPut,
  SetXComOptions,
  SortDirection,
  TaskInstance,
  TaskInstanceCreate,
  TaskInstanceHistory,
  TaskInstanceKey,
  TaskInstanceOrderField,
  TaskInstancePatch,
  TaskInstanceQuery,
  TaskInstanceSummary,
  TaskInstanceSummaryQuery,
  TaskInstanceTransition,
  TaskInstanceTransitionItem,
  XCom,
  XComKey,
  XComOrderField,
  XComQuery,
  ZombieQuery,
} from './types.js';
