/** A task and the tasks right after it, as `TaskResponse` gives them. */
export interface TaskEdges {
  task_id: string;
  downstream_task_ids: readonly string[];
}

/**
 * Task ids upstream first (Kahn's algorithm); among tasks whose upstreams are done, the one listed first comes
 * first, so the order is stable. Downstream ids that are not tasks are ignored; tasks in a cycle (a broken
 * DAG) come last in listed order rather than vanishing.
 */
export function topologicalOrder(tasks: readonly TaskEdges[]): string[] {
  const index = new Map(tasks.map((t, i) => [t.task_id, i]));
  const indegree = tasks.map(() => 0);
  for (const t of tasks) for (const d of t.downstream_task_ids) {
    const j = index.get(d);
    if (j !== undefined) indegree[j] = (indegree[j] as number) + 1;
  }
  const ready: number[] = [];
  indegree.forEach((n, i) => {
    if (n === 0) ready.push(i);
  });
  const order: string[] = [];
  const placed = new Set<number>();
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift() as number;
    placed.add(i);
    const t = tasks[i] as TaskEdges;
    order.push(t.task_id);
    for (const d of t.downstream_task_ids) {
      const j = index.get(d);
      if (j === undefined) continue;
      indegree[j] = (indegree[j] as number) - 1;
      if (indegree[j] === 0) ready.push(j);
    }
  }
  tasks.forEach((t, i) => {
    if (!placed.has(i)) order.push(t.task_id);
  });
  return order;
}

/** Every edge `[upstream, downstream]` between known tasks. */
export function taskEdges(tasks: readonly TaskEdges[]): [string, string][] {
  const known = new Set(tasks.map((t) => t.task_id));
  return tasks.flatMap((t) => t.downstream_task_ids.filter((d) => known.has(d)).map((d): [string, string] => [t.task_id, d]));
}
