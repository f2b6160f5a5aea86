/**
 * Response schemas of the hot read routes, in Airflow's shapes (`DAGResponse`, `DAGRunResponse`,
 * `TaskInstanceResponse` and their collections). Fastify compiles them into serializers (fast-json-stringify),
 * which write these large listings faster than `JSON.stringify`, and the OpenAPI document shows them. A field
 * that the `to...Response` functions make must be listed here, or the serializer drops it: the tests check
 * that a response survives its schema unchanged.
 */

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const num = { type: 'number' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const nullableNum = { type: ['number', 'null'] } as const;
/** A field Updraft always answers null for (Airflow has a value there); any JSON when that changes. */
const alwaysNull = {} as const;
const jsonObject = { type: 'object', additionalProperties: true } as const;

function object(properties: Record<string, object>) {
  return { type: 'object', required: Object.keys(properties), properties } as const;
}

/** `DAGResponse`. */
export const DAG_RESPONSE = object({
  dag_id: str,
  dag_display_name: str,
  is_paused: bool,
  is_stale: bool,
  last_parsed_time: nullableStr,
  last_parse_duration: nullableNum,
  last_expired: nullableStr,
  bundle_name: nullableStr,
  bundle_version: nullableStr,
  relative_fileloc: nullableStr,
  fileloc: str,
  description: nullableStr,
  timetable_summary: nullableStr,
  timetable_description: nullableStr,
  timetable_partitioned: bool,
  tags: { type: 'array', items: object({ name: str, dag_id: str, dag_display_name: str }) },
  max_active_tasks: num,
  max_active_runs: nullableNum,
  max_consecutive_failed_dag_runs: num,
  has_task_concurrency_limits: bool,
  has_import_errors: bool,
  next_dagrun_logical_date: nullableStr,
  next_dagrun_data_interval_start: nullableStr,
  next_dagrun_data_interval_end: nullableStr,
  next_dagrun_run_after: nullableStr,
  owners: { type: 'array', items: str },
  file_token: str,
});

/** `DAGCollectionResponse`. */
export const DAG_COLLECTION = object({ dags: { type: 'array', items: DAG_RESPONSE }, total_entries: num });

/** `DAGTagCollectionResponse`. */
export const DAG_TAG_COLLECTION = object({ tags: { type: 'array', items: str }, total_entries: num });

/** `DAGRunResponse`. */
export const DAG_RUN_RESPONSE = object({
  dag_run_id: str,
  dag_id: str,
  dag_display_name: str,
  logical_date: nullableStr,
  queued_at: nullableStr,
  start_date: nullableStr,
  end_date: nullableStr,
  duration: nullableNum,
  data_interval_start: nullableStr,
  data_interval_end: nullableStr,
  run_after: str,
  last_scheduling_decision: nullableStr,
  run_type: str,
  state: str,
  triggered_by: nullableStr,
  triggering_user_name: nullableStr,
  conf: { type: ['object', 'null'], additionalProperties: true },
  note: nullableStr,
  dag_versions: { type: 'array', items: jsonObject },
  bundle_version: nullableStr,
  partition_key: nullableStr,
});

/** `DAGRunCollectionResponse`. */
export const DAG_RUN_COLLECTION = object({ dag_runs: { type: 'array', items: DAG_RUN_RESPONSE }, total_entries: num });

/** `TaskInstanceResponse`. */
export const TASK_INSTANCE_RESPONSE = object({
  id: str,
  task_id: str,
  dag_id: str,
  dag_run_id: str,
  map_index: num,
  logical_date: nullableStr,
  run_after: str,
  start_date: nullableStr,
  end_date: nullableStr,
  duration: nullableNum,
  state: nullableStr,
  try_number: num,
  max_tries: num,
  task_display_name: str,
  dag_display_name: str,
  hostname: nullableStr,
  unixname: nullableStr,
  pool: str,
  pool_slots: num,
  queue: nullableStr,
  priority_weight: nullableNum,
  operator: nullableStr,
  operator_name: nullableStr,
  queued_when: nullableStr,
  scheduled_when: nullableStr,
  pid: nullableNum,
  executor: nullableStr,
  executor_config: str,
  note: nullableStr,
  rendered_map_index: nullableStr,
  rendered_fields: jsonObject,
  trigger: alwaysNull,
  triggerer_job: alwaysNull,
  dag_version: alwaysNull,
});

/** `TaskInstanceCollectionResponse`. */
export const TASK_INSTANCE_COLLECTION = object({ task_instances: { type: 'array', items: TASK_INSTANCE_RESPONSE }, total_entries: num });
