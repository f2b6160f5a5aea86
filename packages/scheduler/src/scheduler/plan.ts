import {
  countUpstream,
  evaluateTriggerRule,
  FINISHED_TI_STATES,
  retryDelayMs,
  type SerializedDag,
  TaskInstanceState,
} from '@updraft/core';

/** What the planner needs of a task instance. */
export interface TiView {
  taskId: string;
  state: TaskInstanceState | null;
  tryNumber: number;
  endDate: Date | null;
}

/** A state change the scheduler should make, compare-and-set on `from`. */
export interface PlannedTransition {
  taskId: string;
  from: TaskInstanceState | null;
  to: TaskInstanceState;
  /** Set when the task instance starts a new try. */
  nextTryNumber?: number;
}

/** The scheduler's decisions for one running DAG run. */
export interface RunPlan {
  transitions: PlannedTransition[];
  /** Tasks of the DAG without a task instance yet (added to the DAG after the run started). */
  missing: string[];
  /** The run's final state, when every task instance is finished; null while work remains. */
  runState: 'success' | 'failed' | null;
  /** Earliest time an up_for_retry task may run again, to wake the scheduler then. */
  nextRetryAt: Date | null;
}

/**
 * Plans one pass over a running DAG run, as Airflow's `DagRun.update_state` and `task_instance_scheduling_decisions`
 * do: tasks whose trigger rule is met become `scheduled` (a new try), those whose rule can no longer be met become
 * `skipped` or `upstream_failed` (propagating along the DAG in the same pass), `up_for_retry` tasks whose delay has
 * passed are scheduled again, task instances of tasks no longer in the DAG become `removed`, and once every task
 * instance is finished the run's state follows its leaves.
 */
export function planRun(dag: SerializedDag, tis: ReadonlyMap<string, TiView>, logicalDate: Date | null, now: Date): RunPlan {
  const { inDag, leaves } = shapeOf(dag);
  const transitions: PlannedTransition[] = [];
  // The states this pass decides, over those read: later tasks (in topological order) see them at once.
  const decided = new Map<string, TaskInstanceState>();
  const stateOf = (id: string): TaskInstanceState | null => decided.get(id) ?? tis.get(id)?.state ?? null;
  const missing: string[] = [];
  let nextRetryAt: Date | null = null;
  let unfinished = false;

  for (const [id, ti] of tis) {
    if (!inDag.has(id) && ti.state !== TaskInstanceState.REMOVED && (ti.state === null || !FINISHED_TI_STATES.has(ti.state))) {
      transitions.push({ taskId: id, from: ti.state, to: TaskInstanceState.REMOVED });
      decided.set(id, TaskInstanceState.REMOVED);
    }
  }

  for (const task of dag.tasks) {
    const ti = tis.get(task.taskId);
    if (!ti) {
      missing.push(task.taskId);
      continue;
    }
    if (ti.state === TaskInstanceState.UP_FOR_RETRY) {
      unfinished = true;
      const due = new Date((ti.endDate ?? now).getTime() + retryDelayMs(task, { dagId: dag.dagId, taskId: task.taskId, logicalDate, tryNumber: ti.tryNumber }));
      if (due <= now) {
        transitions.push({ taskId: task.taskId, from: ti.state, to: TaskInstanceState.SCHEDULED, nextTryNumber: ti.tryNumber + 1 });
        decided.set(task.taskId, TaskInstanceState.SCHEDULED);
      } else if (nextRetryAt === null || due < nextRetryAt) {
        nextRetryAt = due;
      }
      continue;
    }
    if (ti.state !== null) {
      if (!FINISHED_TI_STATES.has(ti.state)) unfinished = true;
      continue;
    }
    const decision = evaluateTriggerRule(task.triggerRule, countUpstream(task.upstreamTaskIds.map(stateOf)));
    if (decision.action === 'wait') {
      unfinished = true;
      continue;
    }
    const to = decision.action === 'run' ? TaskInstanceState.SCHEDULED : decision.state;
    transitions.push({ taskId: task.taskId, from: null, to, ...(to === TaskInstanceState.SCHEDULED ? { nextTryNumber: ti.tryNumber + 1 } : {}) });
    decided.set(task.taskId, to);
    if (!FINISHED_TI_STATES.has(to)) unfinished = true;
  }

  let runState: RunPlan['runState'] = null;
  // Task instances of tasks no longer in the DAG are finished or removed by now: only the DAG's tasks can be left.
  if (!unfinished && missing.length === 0) {
    const failed = leaves.some((id) => {
      const s = stateOf(id);
      return s === TaskInstanceState.FAILED || s === TaskInstanceState.UPSTREAM_FAILED;
    });
    runState = failed ? 'failed' : 'success';
  }
  return { transitions, missing, runState, nextRetryAt };
}

/** What planning needs of a DAG's shape, worked out once per serialized DAG rather than at every pass. */
const shapes = new WeakMap<SerializedDag, { inDag: ReadonlySet<string>; leaves: readonly string[] }>();

function shapeOf(dag: SerializedDag): { inDag: ReadonlySet<string>; leaves: readonly string[] } {
  let shape = shapes.get(dag);
  if (!shape) {
    shape = { inDag: new Set(dag.tasks.map((t) => t.taskId)), leaves: dag.tasks.filter((t) => t.downstreamTaskIds.length === 0).map((t) => t.taskId) };
    shapes.set(dag, shape);
  }
  return shape;
}
