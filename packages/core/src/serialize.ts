import type { DAG } from './dag.js';
import type { JsonValue } from './json.js';
import type { NormalizedParams } from './params.js';
import type { ScheduleSpec } from './schedule.js';
import type { ResolvedTaskArgs } from './task.js';

/** Version of {@link SerializedDag}; bumped when its shape changes. */
export const SERIALIZED_DAG_VERSION = 1;

/** One task as the scheduler, API and UI see it, without its code. */
export interface SerializedTask extends ResolvedTaskArgs {
  taskId: string;
  upstreamTaskIds: string[];
  downstreamTaskIds: string[];
}

/**
 * A DAG's structure as plain JSON: what the DAG processor stores so that the scheduler and the API never import
 * user code. Dates are ISO strings.
 */
export interface SerializedDag {
  version: typeof SERIALIZED_DAG_VERSION;
  dagId: string;
  description: string | null;
  schedule: ScheduleSpec;
  startDate: string | null;
  endDate: string | null;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  dagrunTimeoutMs: number | null;
  tags: string[];
  params: NormalizedParams;
  timezone: string;
  docMd: string | null;
  isPausedUponCreation: boolean | null;
  owners: string[];
  /** In topological order. */
  tasks: SerializedTask[];
}

/** Serializes a DAG's structure. @throws DagCycleError for a cyclic DAG. */
export function serializeDag(dag: DAG): SerializedDag {
  const order = dag.topologicalOrder();
  const tasks = order.map((id): SerializedTask => {
    const t = dag.getTask(id);
    return { taskId: id, ...t.args, upstreamTaskIds: [...t.upstreamTaskIds].sort(), downstreamTaskIds: [...t.downstreamTaskIds].sort() };
  });
  return {
    version: SERIALIZED_DAG_VERSION,
    dagId: dag.dagId,
    description: dag.description,
    schedule: dag.schedule,
    startDate: dag.startDate?.toISOString() ?? null,
    endDate: dag.endDate?.toISOString() ?? null,
    catchup: dag.catchup,
    maxActiveRuns: dag.maxActiveRuns,
    maxActiveTasks: dag.maxActiveTasks,
    dagrunTimeoutMs: dag.dagrunTimeoutMs,
    tags: [...dag.tags],
    params: dag.params,
    timezone: dag.timezone,
    docMd: dag.docMd,
    isPausedUponCreation: dag.isPausedUponCreation,
    owners: [...new Set(tasks.map((t) => t.owner))].sort(),
    tasks,
  };
}

/** The serialized DAG as a JSON value (for stores and wire formats). */
export function serializedDagToJson(s: SerializedDag): JsonValue {
  return JSON.parse(JSON.stringify(s)) as JsonValue;
}
