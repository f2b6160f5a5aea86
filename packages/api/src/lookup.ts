import type { SerializedDag } from '@updraft/core';
import type { Dag, DagRun, MetadataStore, TaskInstance } from '@updraft/store';
import { HttpError, NotFoundHttpError } from './errors.js';

/** The DAG or a 404 in Airflow's words. */
export async function dagOr404(store: MetadataStore, dagId: string): Promise<Dag> {
  const dag = await store.getDag(dagId);
  if (!dag) throw new NotFoundHttpError(`The Dag with ID: \`${dagId}\` was not found`);
  return dag;
}

/** The run or a 404. */
export async function runOr404(store: MetadataStore, dagId: string, runId: string): Promise<DagRun> {
  const run = await store.getDagRun(dagId, runId);
  if (!run) throw new NotFoundHttpError(`The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`);
  return run;
}

/** The task instance or a 404. */
export async function taskInstanceOr404(store: MetadataStore, dagId: string, runId: string, taskId: string, mapIndex = -1): Promise<TaskInstance> {
  const ti = await store.getTaskInstance({ dagId, runId, taskId, mapIndex });
  if (!ti) {
    throw new NotFoundHttpError(`The Task Instance with dag_id: \`${dagId}\`, run_id: \`${runId}\`, task_id: \`${taskId}\` and map_index: \`${mapIndex}\` was not found`);
  }
  return ti;
}

/** The DAG's serialized form, or null when the DAG processor has not written one. */
export async function serializedDag(store: MetadataStore, dagId: string): Promise<SerializedDag | null> {
  const row = await store.getSerializedDag(dagId);
  if (!row) return null;
  const data = row.data as Partial<SerializedDag> | null;
  if (typeof data !== 'object' || data === null || !Array.isArray(data.tasks) || typeof data.params !== 'object') {
    throw new HttpError(500, `The serialized form of DAG ${dagId} is not one this server reads (version ${String(data?.version)})`);
  }
  return data as SerializedDag;
}

/** The serialized DAG, or 404 when the DAG is unknown, 400 when it was never parsed. */
export async function serializedDagOr4xx(store: MetadataStore, dagId: string): Promise<SerializedDag> {
  const s = await serializedDag(store, dagId);
  if (s) return s;
  await dagOr404(store, dagId);
  throw new HttpError(400, `DAG ${dagId} has no serialized form yet: wait for the DAG processor to parse its file`);
}
