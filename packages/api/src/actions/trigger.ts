import { manualDataInterval, ParamValidationError, resolveParams } from '@updraft/core';
import { DagRunExistsError, NotFoundError, type DagRun, type JsonObject, type MetadataStore } from '@updraft/store';
import { HttpError, ValidationHttpError, type ValidationIssue } from '../errors.js';
import { dagOr404, serializedDagOr4xx } from '../lookup.js';

/** `TriggerDAGRunPostBody`, as validated by the route's schema. */
export interface TriggerBody {
  dag_run_id?: string | null;
  logical_date?: string | null;
  run_after?: string | null;
  data_interval_start?: string | null;
  data_interval_end?: string | null;
  conf?: Record<string, unknown> | null;
  note?: string | null;
  partition_key?: string | null;
}

/** Run ids Airflow accepts by default (`allowed_run_id_pattern`); they also become a folder name of the logs. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]{1,250}$/;

/**
 * Creates a manual run as Airflow's trigger does: queued, `run_type` manual, `triggered_by` rest_api. A
 * paused, stale or never-parsed DAG is refused, and so is a conf its params reject; nothing is stored then.
 * Without `logical_date` the run's logical date is now (explicit null: none, as Airflow 3 allows).
 */
export async function triggerDagRun(store: MetadataStore, dagId: string, body: TriggerBody, now: Date): Promise<DagRun> {
  const dag = await dagOr404(store, dagId);
  if (dag.isStale) throw new HttpError(400, `DAG ${dagId} is stale: its file no longer defines it, so it cannot be triggered`);
  if (dag.isPaused) throw new HttpError(400, `DAG ${dagId} is paused: unpause it (PATCH /api/v2/dags/${dagId} with {"is_paused": false}) before triggering`);
  const serialized = await serializedDagOr4xx(store, dagId);
  const issues: ValidationIssue[] = [];
  if (body.partition_key != null) issues.push({ type: 'value_error', loc: ['body', 'partition_key'], msg: 'Partitioned runs are not supported' });
  if (body.dag_run_id != null && !RUN_ID_PATTERN.test(body.dag_run_id)) {
    issues.push({ type: 'value_error', loc: ['body', 'dag_run_id'], msg: 'The run id must be 1 to 250 letters, digits or _ . ~ : + -', input: body.dag_run_id });
  }
  const conf = (body.conf ?? {}) as JsonObject;
  try {
    resolveParams(dagId, serialized.params, conf);
  } catch (error) {
    if (!(error instanceof ParamValidationError)) throw error;
    for (const p of error.problems) issues.push({ type: 'value_error', loc: ['body', 'conf', p.param], msg: `Param ${p.param} ${p.message}` });
  }
  const logicalDate = body.logical_date === undefined ? now : body.logical_date === null ? null : new Date(body.logical_date);
  const runAfter = body.run_after != null ? new Date(body.run_after) : (logicalDate ?? now);
  let interval: { start: Date; end: Date } | null = null;
  if ((body.data_interval_start == null) !== (body.data_interval_end == null)) {
    const missing = body.data_interval_start == null ? 'data_interval_start' : 'data_interval_end';
    issues.push({ type: 'value_error', loc: ['body', missing], msg: 'Give both data_interval_start and data_interval_end, or neither' });
  } else if (body.data_interval_start != null && body.data_interval_end != null) {
    interval = { start: new Date(body.data_interval_start), end: new Date(body.data_interval_end) };
    if (interval.start > interval.end) issues.push({ type: 'value_error', loc: ['body', 'data_interval_end'], msg: 'data_interval_end is before data_interval_start' });
  } else if (logicalDate) {
    interval = manualDataInterval(serialized.schedule, logicalDate);
  }
  if (issues.length > 0) throw new ValidationHttpError(issues);
  const runId = body.dag_run_id ?? `manual__${pythonIsoformat(logicalDate ?? runAfter)}`;
  try {
    return await store.createDagRun({
      dagId,
      runId,
      runType: 'manual',
      state: 'queued',
      logicalDate,
      runAfter,
      dataIntervalStart: interval?.start ?? null,
      dataIntervalEnd: interval?.end ?? null,
      conf,
      note: body.note ?? null,
      triggeredBy: 'rest_api',
      queuedAt: now,
    });
  } catch (error) {
    if (error instanceof DagRunExistsError) {
      throw new HttpError(
        409,
        error.conflict === 'runId'
          ? `A DAG run with run_id ${runId} exists already for DAG ${dagId}`
          : `A DAG run with logical_date ${logicalDate?.toISOString() ?? 'null'} exists already for DAG ${dagId}`,
      );
    }
    if (error instanceof NotFoundError) throw new HttpError(404, `The Dag with ID: \`${dagId}\` was not found`);
    throw error;
  }
}

/** A UTC date as Python's `datetime.isoformat()` writes it, so run ids look like Airflow's: `2025-01-01T00:00:00+00:00`. */
export function pythonIsoformat(date: Date): string {
  const base = date.toISOString().slice(0, 19);
  const ms = date.getUTCMilliseconds();
  return `${base}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}+00:00`;
}
