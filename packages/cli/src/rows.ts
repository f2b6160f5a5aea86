import type { Dag, DagRun, ParseImportError, TaskInstance } from '@updraft/store';

/** Rows for listings, with the field names of Airflow's REST API so scripts read them the same way. */
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function dagRow(d: Dag): Record<string, unknown> {
  return {
    dag_id: d.dagId,
    fileloc: d.fileloc,
    owners: d.owners ? d.owners.split(', ') : [],
    is_paused: d.isPaused,
    is_stale: d.isStale,
    has_import_errors: d.hasImportErrors,
    timetable_summary: d.timetableSummary,
    tags: d.tags,
    description: d.description,
    next_dagrun_logical_date: iso(d.nextDagrun),
    next_dagrun_run_after: iso(d.nextDagrunCreateAfter),
    last_parsed_time: iso(d.lastParsedTime),
  };
}

export function dagRunRow(r: DagRun): Record<string, unknown> {
  return {
    dag_id: r.dagId,
    dag_run_id: r.runId,
    state: r.state,
    run_type: r.runType,
    logical_date: iso(r.logicalDate),
    run_after: iso(r.runAfter),
    data_interval_start: iso(r.dataIntervalStart),
    data_interval_end: iso(r.dataIntervalEnd),
    queued_at: iso(r.queuedAt),
    start_date: iso(r.startDate),
    end_date: iso(r.endDate),
    duration: r.duration,
    conf: r.conf,
    triggered_by: r.triggeredBy,
    note: r.note,
  };
}

export function taskInstanceRow(t: TaskInstance): Record<string, unknown> {
  return {
    dag_id: t.dagId,
    dag_run_id: t.runId,
    task_id: t.taskId,
    map_index: t.mapIndex,
    state: t.state,
    try_number: t.tryNumber,
    max_tries: t.maxTries,
    start_date: iso(t.startDate),
    end_date: iso(t.endDate),
    duration: t.duration,
    hostname: t.hostname,
    pid: t.pid,
    queue: t.queue,
    queued_when: iso(t.queuedDttm),
    scheduled_when: iso(t.scheduledDttm),
    note: t.note,
  };
}

export function importErrorRow(e: ParseImportError): Record<string, unknown> {
  // The stored trace starts with `file:line: message` (see the DAG processor).
  const first = e.stackTrace.split('\n')[0] ?? '';
  const m = /^(.*?):(\d+): /.exec(first);
  return { import_error_id: e.id, filename: e.filename, line: m ? Number(m[2]) : null, timestamp: e.timestamp.toISOString(), stack_trace: e.stackTrace };
}
