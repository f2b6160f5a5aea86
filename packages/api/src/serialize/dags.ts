import type { SerializedDag, SerializedTask } from '@updraft/core';
import type { Dag } from '@updraft/store';
import { fileToken, iso, splitOwners } from './common.js';

/** Airflow's `DAGResponse` for a stored DAG. */
export function toDagResponse(dag: Dag) {
  return {
    dag_id: dag.dagId,
    dag_display_name: dag.dagId,
    is_paused: dag.isPaused,
    is_stale: dag.isStale,
    last_parsed_time: iso(dag.lastParsedTime),
    last_parse_duration: dag.lastParseDuration,
    last_expired: null,
    bundle_name: null,
    bundle_version: null,
    relative_fileloc: null,
    fileloc: dag.fileloc,
    description: dag.description,
    timetable_summary: dag.timetableSummary,
    timetable_description: dag.timetableSummary,
    timetable_partitioned: false,
    tags: [...dag.tags].sort().map((name) => ({ name, dag_id: dag.dagId, dag_display_name: dag.dagId })),
    max_active_tasks: dag.maxActiveTasks ?? 16,
    max_active_runs: dag.maxActiveRuns,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: false,
    has_import_errors: dag.hasImportErrors,
    next_dagrun_logical_date: iso(dag.nextDagrun),
    next_dagrun_data_interval_start: iso(dag.nextDagrunDataIntervalStart),
    next_dagrun_data_interval_end: iso(dag.nextDagrunDataIntervalEnd),
    next_dagrun_run_after: iso(dag.nextDagrunCreateAfter),
    owners: splitOwners(dag.owners),
    file_token: fileToken(dag.fileloc),
  };
}

/** Airflow's `DAGDetailsResponse`: the stored DAG plus what only its serialized form knows. */
export function toDagDetailsResponse(dag: Dag, serialized: SerializedDag | null, activeRunsCount: number) {
  return {
    ...toDagResponse(dag),
    catchup: serialized?.catchup ?? false,
    dag_run_timeout: serialized?.dagrunTimeoutMs == null ? null : isoDuration(serialized.dagrunTimeoutMs),
    asset_expression: null,
    doc_md: serialized?.docMd ?? null,
    start_date: serialized?.startDate ?? null,
    end_date: serialized?.endDate ?? null,
    is_paused_upon_creation: serialized?.isPausedUponCreation ?? null,
    params: serialized ? paramsResponse(serialized) : null,
    render_template_as_native_obj: false,
    template_search_path: null,
    timezone: serialized?.timezone ?? null,
    last_parsed: iso(dag.lastParsedTime),
    default_args: null,
    owner_links: null,
    is_favorite: false,
    active_runs_count: activeRunsCount,
    latest_dag_version: null,
    concurrency: dag.maxActiveTasks ?? 16,
  };
}

/** Params as Airflow 3 serializes them: `{name: {value, schema, description, __class}}`. */
function paramsResponse(s: SerializedDag): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(s.params)) {
    const { default: value, description, ...schema } = spec;
    out[name] = { __class: 'airflow.sdk.definitions.param.Param', value: value ?? null, description: description ?? null, schema };
  }
  return out;
}

/** Airflow's `TaskResponse` for one serialized task. */
export function toTaskResponse(s: SerializedDag, t: SerializedTask) {
  return {
    task_id: t.taskId,
    task_display_name: t.taskId,
    owner: t.owner,
    start_date: s.startDate,
    end_date: s.endDate,
    trigger_rule: t.triggerRule,
    depends_on_past: false,
    wait_for_downstream: false,
    retries: t.retries,
    queue: t.queue,
    pool: 'default_pool',
    pool_slots: 1,
    execution_timeout: t.executionTimeoutMs == null ? null : timeDelta(t.executionTimeoutMs),
    retry_delay: timeDelta(t.retryDelayMs),
    retry_exponential_backoff: t.retryExponentialBackoff ? 2 : 0,
    priority_weight: 1,
    weight_rule: 'downstream',
    ui_color: '#fff',
    ui_fgcolor: '#000',
    template_fields: [],
    downstream_task_ids: t.downstreamTaskIds,
    doc_md: t.doc,
    operator_name: 'PythonOperator',
    params: {},
    class_ref: { module_path: 'updraft', class_name: 'Task' },
    is_mapped: false,
    extra_links: [],
  };
}

/** Airflow's `TimeDelta` JSON. */
function timeDelta(ms: number) {
  const totalSeconds = Math.floor(ms / 1000);
  return {
    __type: 'TimeDelta',
    days: Math.floor(totalSeconds / 86_400),
    seconds: totalSeconds % 86_400,
    microseconds: Math.round((ms % 1000) * 1000),
  };
}

/** ISO 8601 duration, as pydantic writes a timedelta: `P1DT2H3M4.5S`. */
function isoDuration(ms: number): string {
  const d = Math.floor(ms / 86_400_000);
  const rest = ms - d * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor((rest % 3_600_000) / 60_000);
  const s = (rest % 60_000) / 1000;
  return `P${d}DT${h}H${m}M${s}S`;
}
