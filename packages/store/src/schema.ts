/**
 * Kysely's view of the tables (internal). Times are written as `Date` on PostgreSQL and ISO-8601 text on
 * SQLite and read back as either; booleans are 0/1 on SQLite; JSON columns travel as JSON text on both
 * (the PostgreSQL pool returns `json` unparsed, see postgres.ts).
 */
import type { ColumnType, Generated } from 'kysely';

type Time = ColumnType<Date | string, Date | string, Date | string>;
type NullableTime = ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
type Bool = ColumnType<boolean | number, boolean | number | undefined, boolean | number>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface DagTable {
  dag_id: string;
  fileloc: string;
  description: Nullable<string>;
  owners: Nullable<string>;
  is_paused: Bool;
  is_stale: Bool;
  has_import_errors: Bool;
  timetable_summary: Nullable<string>;
  max_active_runs: Nullable<number>;
  max_active_tasks: Nullable<number>;
  last_parsed_time: NullableTime;
  last_parse_duration: Nullable<number>;
  next_dagrun: NullableTime;
  next_dagrun_data_interval_start: NullableTime;
  next_dagrun_data_interval_end: NullableTime;
  next_dagrun_create_after: NullableTime;
}

export interface DagTagTable {
  dag_id: string;
  name: string;
}

export interface SerializedDagTable {
  dag_id: string;
  data: string;
  dag_hash: string;
  last_updated: Time;
}

export interface ImportErrorTable {
  id: Generated<number>;
  filename: string;
  stack_trace: string;
  timestamp: Time;
}

export interface DagRunTable {
  id: Generated<number>;
  dag_id: string;
  run_id: string;
  logical_date: NullableTime;
  run_after: Time;
  data_interval_start: NullableTime;
  data_interval_end: NullableTime;
  run_type: string;
  state: string;
  queued_at: NullableTime;
  start_date: NullableTime;
  end_date: NullableTime;
  last_scheduling_decision: NullableTime;
  conf: string;
  note: Nullable<string>;
  triggered_by: Nullable<string>;
  updated_at: Time;
}

/** Columns a task instance shares with its history rows. */
interface TryColumns {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: Nullable<string>;
  try_number: number;
  max_tries: number;
  start_date: NullableTime;
  end_date: NullableTime;
  duration: Nullable<number>;
  hostname: Nullable<string>;
  unixname: Nullable<string>;
  pid: Nullable<number>;
  queued_dttm: NullableTime;
  scheduled_dttm: NullableTime;
  operator: Nullable<string>;
  pool: string;
  pool_slots: number;
  queue: string;
  priority_weight: number;
  external_executor_id: Nullable<string>;
  updated_at: Time;
}

export interface TaskInstanceTable extends TryColumns {
  id: string;
  last_heartbeat_at: NullableTime;
  note: Nullable<string>;
  /** Its run's `run_after`, copied when the task instance is created: the claim's order (migration 0003). */
  run_after: NullableTime;
}

export interface TaskInstanceHistoryTable extends TryColumns {
  id: Generated<number>;
  task_instance_id: string;
}

export interface XComTable {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  key: string;
  value: string;
  timestamp: Time;
}

export interface LogTable {
  id: Generated<number>;
  dttm: Time;
  event: string;
  owner: Nullable<string>;
  dag_id: Nullable<string>;
  task_id: Nullable<string>;
  run_id: Nullable<string>;
  map_index: Nullable<number>;
  try_number: Nullable<number>;
  logical_date: NullableTime;
  extra: Nullable<string>;
}

export interface JobTable {
  id: Generated<number>;
  job_type: string;
  state: string;
  hostname: Nullable<string>;
  unixname: Nullable<string>;
  pid: Nullable<number>;
  executor_class: Nullable<string>;
  start_date: Time;
  end_date: NullableTime;
  latest_heartbeat: Time;
}

export interface Database {
  dag: DagTable;
  dag_tag: DagTagTable;
  serialized_dag: SerializedDagTable;
  import_error: ImportErrorTable;
  dag_run: DagRunTable;
  task_instance: TaskInstanceTable;
  task_instance_history: TaskInstanceHistoryTable;
  xcom: XComTable;
  log: LogTable;
  job: JobTable;
}
