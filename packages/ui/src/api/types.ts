/**
 * The shapes of Airflow 3's REST API v2 (`airflow-rest-api-v2.yaml`) that the UI reads, with Airflow's names,
 * plus Updraft's private `/auth` and `/ui` routes. Fields the UI never reads are left out; nothing is renamed.
 */

/** A task instance state; null is Airflow's "no status". */
export type TaskInstanceState =
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'success'
  | 'failed'
  | 'up_for_retry'
  | 'up_for_reschedule'
  | 'upstream_failed'
  | 'skipped'
  | 'removed'
  | 'deferred'
  | 'restarting';

/** A DAG run state. */
export type DagRunState = 'queued' | 'running' | 'success' | 'failed';

/** A user's role: viewers read, ops also trigger, clear, pause and mark; admins also manage users. */
export type Role = 'viewer' | 'op' | 'admin';

/** `DagTagResponse`. */
export interface DagTagResponse {
  name: string;
  dag_id: string;
}

/** `DAGResponse`. */
export interface DAGResponse {
  dag_id: string;
  dag_display_name: string;
  is_paused: boolean;
  is_stale: boolean;
  description: string | null;
  fileloc: string;
  timetable_summary: string | null;
  timetable_description: string | null;
  tags: DagTagResponse[];
  owners: string[];
  max_active_runs: number | null;
  has_import_errors: boolean;
  next_dagrun_logical_date: string | null;
  next_dagrun_run_after: string | null;
  last_parsed_time: string | null;
}

/** `DAGCollectionResponse`. */
export interface DAGCollectionResponse {
  dags: DAGResponse[];
  total_entries: number;
}

/** One entry of `DAGDetailsResponse.params`: Airflow 3's serialized `Param`. */
export interface SerializedParam {
  value: unknown;
  description: string | null;
  /** The param's JSON Schema (without `default` and `description`, which are `value` and `description`). */
  schema: Record<string, unknown>;
}

/** `DAGDetailsResponse`. */
export interface DAGDetailsResponse extends DAGResponse {
  catchup: boolean;
  doc_md: string | null;
  start_date: string | null;
  end_date: string | null;
  params: Record<string, SerializedParam> | null;
  timezone: string | null;
  active_runs_count: number;
  dag_run_timeout: string | null;
}

/** `TimeDelta`. */
export interface TimeDelta {
  __type: 'TimeDelta';
  days: number;
  seconds: number;
  microseconds: number;
}

/** `TaskResponse`. */
export interface TaskResponse {
  task_id: string;
  task_display_name: string;
  owner: string | null;
  trigger_rule: string | null;
  retries: number | null;
  retry_delay: TimeDelta | null;
  execution_timeout: TimeDelta | null;
  downstream_task_ids: string[];
  doc_md: string | null;
  operator_name: string | null;
}

/** `TaskCollectionResponse`. */
export interface TaskCollectionResponse {
  tasks: TaskResponse[];
  total_entries: number;
}

/** `DAGRunResponse`. */
export interface DAGRunResponse {
  dag_run_id: string;
  dag_id: string;
  logical_date: string | null;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
  run_after: string;
  run_type: string;
  state: DagRunState;
  triggered_by: string | null;
  conf: Record<string, unknown> | null;
  note: string | null;
}

/** `DAGRunCollectionResponse`. */
export interface DAGRunCollectionResponse {
  dag_runs: DAGRunResponse[];
  total_entries: number;
}

/** `TaskInstanceResponse`. */
export interface TaskInstanceResponse {
  id: string;
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  map_index: number;
  logical_date: string | null;
  run_after: string;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  state: TaskInstanceState | null;
  try_number: number;
  max_tries: number;
  hostname: string | null;
  pool: string;
  queue: string | null;
  operator: string | null;
  queued_when: string | null;
  scheduled_when: string | null;
  pid: number | null;
  note: string | null;
}

/** `TaskInstanceCollectionResponse`. */
export interface TaskInstanceCollectionResponse {
  task_instances: TaskInstanceResponse[];
  total_entries: number;
}

/** `TaskInstanceHistoryResponse`: one try. */
export interface TaskInstanceHistoryResponse {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  map_index: number;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  state: TaskInstanceState | null;
  try_number: number;
  max_tries: number;
  hostname: string | null;
  queued_when: string | null;
  scheduled_when: string | null;
}

/** `TaskInstanceHistoryCollectionResponse`. */
export interface TaskInstanceHistoryCollectionResponse {
  task_instances: TaskInstanceHistoryResponse[];
  total_entries: number;
}

/** `XComResponse`: an entry without its value, as listings answer. */
export interface XComResponse {
  key: string;
  timestamp: string;
  logical_date: string | null;
  map_index: number;
  task_id: string;
  dag_id: string;
  run_id: string;
}

/** `XComResponseNative`: one entry with its JSON value. */
export interface XComResponseNative extends XComResponse {
  value: unknown;
}

/** `XComCollectionResponse`. */
export interface XComCollectionResponse {
  xcom_entries: XComResponse[];
  total_entries: number;
}

/** `StructuredLogMessage`: one log line. */
export interface StructuredLogMessage {
  event: string;
  timestamp?: string;
  level?: string;
}

/** `TaskInstancesLogResponse`. */
export interface TaskInstancesLogResponse {
  content: StructuredLogMessage[];
  continuation_token: string | null;
}

/** `ImportErrorResponse`. */
export interface ImportErrorResponse {
  import_error_id: number;
  timestamp: string;
  filename: string;
  stack_trace: string;
}

/** `ImportErrorCollectionResponse`. */
export interface ImportErrorCollectionResponse {
  import_errors: ImportErrorResponse[];
  total_entries: number;
}

/** `DAGSourceResponse`. */
export interface DAGSourceResponse {
  dag_id: string;
  content: string | null;
  version_number: number | null;
}

/** `ClearTaskInstancesBody` (the fields the UI sends). */
export interface ClearTaskInstancesBody {
  dry_run: boolean;
  dag_run_id?: string | null;
  task_ids?: string[] | null;
  only_failed: boolean;
  reset_dag_runs?: boolean;
  include_upstream?: boolean;
  include_downstream?: boolean;
}

/** `TriggerDAGRunPostBody` (the fields the UI sends). */
export interface TriggerDAGRunPostBody {
  dag_run_id?: string | null;
  logical_date?: string | null;
  conf?: Record<string, unknown>;
  note?: string | null;
}

/** `POST /auth/login`: the browser session. */
export interface LoginResponse {
  username: string;
  role: Role;
  csrf_token: string;
  expires_in: number;
}

/** `GET /auth/me`. */
export interface CurrentUser {
  username: string;
  role: Role;
}

/** `GET /ui/outputs`: the names of the folders pipelines write to. */
export interface OutputFoldersResponse {
  folders: string[];
}

/** `GET /ui/dags/{dag_id}/xcomValues`: one XCom's values across runs, latest pushed first. */
export interface XComValuesResponse {
  values: { dag_run_id: string; timestamp: string; value: unknown }[];
  total_entries: number;
}

/** `DAGTagCollectionResponse`. */
export interface DAGTagCollectionResponse {
  tags: string[];
  total_entries: number;
}

/** `GET /ui/dags/recent_dag_runs`: each DAG's latest runs, newest first. */
export interface RecentDagRunsResponse {
  dags: { dag_id: string; latest_dag_runs: DAGRunResponse[] }[];
}

/** `GET /ui/dags/{dag_id}/dagRuns/{dag_run_id}/report`: the file a run's task returned the path of, with its text. */
export interface RunReportResponse {
  dag_id: string;
  dag_run_id: string;
  /** The task whose `return_value` named the file. */
  task_id: string;
  /** The output folder's name and the path inside it. */
  folder: string;
  path: string;
  /** The whole file, under `/ui/outputs`. */
  url: string;
  /** `text/markdown; charset=utf-8`, `text/html; ...`, `text/plain; ...`. */
  media_type: string;
  size: number;
  modified_at: string;
  /** The file may no longer be this run's: a later run wrote the same path, or it changed after its task returned. */
  rewritten: boolean;
  /** The later run whose same task returned the same file, when that is how it was rewritten. */
  rewritten_by_run_id: string | null;
  /** The file's text, or its first part when `truncated`. */
  content: string;
  truncated: boolean;
}

/** An event of the `/ui/events` stream (the `event:` field is `type`). */
export type LiveEvent =
  | { type: 'dag_run'; dag_id: string; dag_run_id: string; state: DagRunState }
  | {
      type: 'task_instance';
      dag_id: string;
      dag_run_id: string;
      task_id: string;
      map_index: number;
      state: TaskInstanceState | null;
      try_number: number;
    }
  | { type: 'resync' };

/** A `log` event of a try's log stream: new lines and the byte offset after them. */
export interface LogStreamChunk {
  lines: StructuredLogMessage[];
  pos: number;
}

/** The `end` event of a try's log stream: the try ended, nothing more comes. */
export interface LogStreamEnd {
  state: TaskInstanceState | null;
  pos: number;
}
