import { DagRunState, type SerializedDag, TaskInstanceState } from '@updraft/core';
import type { MetadataStore, TaskInstance } from '@updraft/store';

/** What to clear. */
export interface ClearOptions {
  /** Runs to clear in; default all runs of the DAG. */
  runIds?: readonly string[];
  /** Tasks to clear; default all. */
  taskIds?: readonly string[];
  /** Also clear every task downstream of those. Default false. */
  includeDownstream?: boolean;
  /** Also clear every task upstream of those. Default false. */
  includeUpstream?: boolean;
  /** Only task instances that failed or were upstream_failed. Default false. */
  onlyFailed?: boolean;
  /** Report what would be cleared, change nothing. Default false. */
  dryRun?: boolean;
}

/**
 * Airflow's clear: the chosen task instances lose their state so the scheduler runs them again, with their retries
 * renewed, and their runs go back to `queued`. A running try whose task instance is cleared is ignored when it
 * reports (its try number no longer matches the state it expects).
 */
export async function clearTaskInstances(store: MetadataStore, dag: SerializedDag, options: ClearOptions = {}): Promise<TaskInstance[]> {
  const byId = new Map(dag.tasks.map((t) => [t.taskId, t]));
  const chosen = new Set(options.taskIds ?? dag.tasks.map((t) => t.taskId));
  const walk = (dir: 'downstreamTaskIds' | 'upstreamTaskIds'): void => {
    const stack = [...chosen];
    while (stack.length > 0) {
      for (const next of byId.get(stack.pop() as string)?.[dir] ?? []) {
        if (!chosen.has(next)) {
          chosen.add(next);
          stack.push(next);
        }
      }
    }
  };
  if (options.includeDownstream) walk('downstreamTaskIds');
  if (options.includeUpstream) walk('upstreamTaskIds');
  const page = await store.listTaskInstances({
    dagIds: [dag.dagId],
    taskIds: [...chosen],
    ...(options.runIds ? { runIds: options.runIds } : {}),
    ...(options.onlyFailed ? { states: [TaskInstanceState.FAILED, TaskInstanceState.UPSTREAM_FAILED] } : {}),
  });
  if (options.dryRun) return page.items;
  const cleared: TaskInstance[] = [];
  const runs = new Set<string>();
  for (const ti of page.items) {
    const retries = byId.get(ti.taskId)?.retries ?? 0;
    const ok = await store.transitionTaskInstance(ti, {
      from: [ti.state],
      to: null,
      patch: { maxTries: ti.tryNumber + retries + 1, startDate: null, endDate: null, duration: null, pid: null, hostname: null, lastHeartbeatAt: null, queuedDttm: null, externalExecutorId: null },
    });
    if (ok) {
      cleared.push(ti);
      runs.add(ti.runId);
    }
  }
  for (const runId of runs) {
    await store.updateDagRunState(dag.dagId, runId, { state: DagRunState.QUEUED, from: [DagRunState.SUCCESS, DagRunState.FAILED, DagRunState.RUNNING], endDate: null });
  }
  return cleared;
}
