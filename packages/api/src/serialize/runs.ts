import type { AuditEvent, DagRun, ParseImportError, TaskInstance, TaskInstanceHistory, XCom } from '@updraft/store';
import { iso } from './common.js';

const TRIGGERED_BY = new Set(['cli', 'operator', 'rest_api', 'ui', 'test', 'timetable', 'asset', 'backfill']);

/** Airflow's `DAGRunResponse`. */
export function toDagRunResponse(run: DagRun) {
  return {
    dag_run_id: run.runId,
    dag_id: run.dagId,
    dag_display_name: run.dagId,
    logical_date: iso(run.logicalDate),
    queued_at: iso(run.queuedAt),
    start_date: iso(run.startDate),
    end_date: iso(run.endDate),
    duration: run.duration,
    data_interval_start: iso(run.dataIntervalStart),
    data_interval_end: iso(run.dataIntervalEnd),
    run_after: run.runAfter.toISOString(),
    last_scheduling_decision: iso(run.lastSchedulingDecision),
    run_type: run.runType,
    state: run.state,
    triggered_by: run.triggeredBy !== null && TRIGGERED_BY.has(run.triggeredBy) ? run.triggeredBy : null,
    triggering_user_name: null,
    conf: run.conf,
    note: run.note,
    dag_versions: [],
    bundle_version: null,
    partition_key: null,
  };
}

/** The run fields a task instance response repeats. */
export type RunDates = Pick<DagRun, 'runAfter' | 'logicalDate'>;

/** Airflow's `TaskInstanceResponse`; `run` gives the run's dates. */
export function toTaskInstanceResponse(ti: TaskInstance, run: RunDates) {
  return {
    id: ti.id,
    task_id: ti.taskId,
    dag_id: ti.dagId,
    dag_run_id: ti.runId,
    map_index: ti.mapIndex,
    logical_date: iso(run.logicalDate),
    run_after: run.runAfter.toISOString(),
    start_date: iso(ti.startDate),
    end_date: iso(ti.endDate),
    duration: ti.duration,
    state: ti.state,
    try_number: ti.tryNumber,
    max_tries: ti.maxTries,
    task_display_name: ti.taskId,
    dag_display_name: ti.dagId,
    hostname: ti.hostname,
    unixname: ti.unixname,
    pool: ti.pool,
    pool_slots: ti.poolSlots,
    queue: ti.queue,
    priority_weight: ti.priorityWeight,
    operator: ti.operator,
    operator_name: ti.operator,
    queued_when: iso(ti.queuedDttm),
    scheduled_when: iso(ti.scheduledDttm),
    pid: ti.pid,
    executor: null,
    executor_config: '{}',
    note: ti.note,
    rendered_map_index: null,
    rendered_fields: {},
    trigger: null,
    triggerer_job: null,
    dag_version: null,
  };
}

/** Airflow's `TaskInstanceHistoryResponse`. */
export function toTryResponse(h: TaskInstanceHistory | TaskInstance) {
  return {
    task_id: h.taskId,
    dag_id: h.dagId,
    dag_run_id: h.runId,
    map_index: h.mapIndex,
    start_date: iso(h.startDate),
    end_date: iso(h.endDate),
    duration: h.duration,
    state: h.state,
    try_number: h.tryNumber,
    max_tries: h.maxTries,
    task_display_name: h.taskId,
    dag_display_name: h.dagId,
    hostname: h.hostname,
    unixname: h.unixname,
    pool: h.pool,
    pool_slots: h.poolSlots,
    queue: h.queue,
    priority_weight: h.priorityWeight,
    operator: h.operator,
    operator_name: h.operator,
    queued_when: iso(h.queuedDttm),
    scheduled_when: iso(h.scheduledDttm),
    pid: h.pid,
    executor: null,
    executor_config: '{}',
    dag_version: null,
  };
}

/** Airflow's `XComResponse` (without the value, as listings answer). */
export function toXComResponse(x: XCom, run: RunDates) {
  return {
    key: x.key,
    timestamp: x.timestamp.toISOString(),
    logical_date: iso(run.logicalDate),
    run_after: run.runAfter.toISOString(),
    map_index: x.mapIndex,
    task_id: x.taskId,
    dag_id: x.dagId,
    run_id: x.runId,
    dag_display_name: x.dagId,
    task_display_name: x.taskId,
  };
}

/** Airflow's `ImportErrorResponse`. */
export function toImportErrorResponse(e: ParseImportError) {
  return { import_error_id: e.id, timestamp: e.timestamp.toISOString(), filename: e.filename, bundle_name: null, stack_trace: e.stackTrace };
}

/** Airflow's `EventLogResponse`. */
export function toEventLogResponse(e: AuditEvent) {
  return {
    event_log_id: e.id,
    when: e.dttm.toISOString(),
    dag_id: e.dagId,
    task_id: e.taskId,
    run_id: e.runId,
    map_index: e.mapIndex,
    try_number: e.tryNumber,
    event: e.event,
    logical_date: iso(e.logicalDate),
    owner: e.owner,
    extra: e.extra,
    dag_display_name: e.dagId,
    task_display_name: e.taskId,
  };
}
