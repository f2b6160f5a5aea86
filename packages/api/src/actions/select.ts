import type { SerializedDag } from '@updraft/core';
import type { DagRun, MetadataStore, TaskInstance } from '@updraft/store';

/** The task ids plus, when asked, every task upstream and/or downstream of them in the serialized DAG. */
export function withRelatives(serialized: SerializedDag | null, taskIds: readonly string[], upstream: boolean, downstream: boolean): string[] {
  const out = new Set(taskIds);
  if (!serialized || (!upstream && !downstream)) return [...out];
  const byId = new Map(serialized.tasks.map((t) => [t.taskId, t]));
  const walk = (direction: 'upstreamTaskIds' | 'downstreamTaskIds') => {
    const queue = [...taskIds];
    const seen = new Set(taskIds);
    while (queue.length > 0) {
      const task = byId.get(queue.pop() as string);
      for (const next of task?.[direction] ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        out.add(next);
        queue.push(next);
      }
    }
  };
  if (upstream) walk('upstreamTaskIds');
  if (downstream) walk('downstreamTaskIds');
  return [...out];
}

/**
 * The runs a "past"/"future" selection reaches from `run`: itself, plus the DAG's runs with an earlier
 * (past) or later (future) logical date. A run without a logical date reaches only itself.
 */
export async function runsAround(store: MetadataStore, run: DagRun, past: boolean, future: boolean): Promise<DagRun[]> {
  if ((!past && !future) || run.logicalDate === null) return [run];
  const runs = await store.listDagRuns({
    dagIds: [run.dagId],
    ...(!past && { logicalDateGte: run.logicalDate }),
    ...(!future && { logicalDateLte: run.logicalDate }),
  });
  return runs.items.filter((r) => r.logicalDate !== null);
}

/** Task instances of these runs and tasks. */
export async function taskInstancesFor(store: MetadataStore, dagId: string, runs: readonly DagRun[], taskIds?: readonly string[]): Promise<TaskInstance[]> {
  if (runs.length === 0) return [];
  const result = await store.listTaskInstances({ dagIds: [dagId], runIds: runs.map((r) => r.runId), ...(taskIds && { taskIds }) });
  return result.items;
}
