import { TaskInstanceState } from './states.js';

/** When a task may run, judged from the states of its direct upstream tasks (Airflow's trigger rules). */
export const TriggerRule = {
  ALL_SUCCESS: 'all_success',
  ALL_FAILED: 'all_failed',
  ALL_DONE: 'all_done',
  ALL_SKIPPED: 'all_skipped',
  ONE_SUCCESS: 'one_success',
  ONE_FAILED: 'one_failed',
  ONE_DONE: 'one_done',
  NONE_FAILED: 'none_failed',
  NONE_FAILED_MIN_ONE_SUCCESS: 'none_failed_min_one_success',
  NONE_SKIPPED: 'none_skipped',
  ALWAYS: 'always',
} as const;
/** One of {@link TriggerRule}'s values. */
export type TriggerRule = (typeof TriggerRule)[keyof typeof TriggerRule];

/** True when `value` names a trigger rule. */
export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === 'string' && (Object.values(TriggerRule) as string[]).includes(value);
}

/** How many direct upstream tasks are in each state. */
export interface UpstreamCounts {
  /** Number of direct upstream tasks. */
  total: number;
  success: number;
  failed: number;
  upstreamFailed: number;
  skipped: number;
  removed: number;
}

/**
 * What a trigger rule decides: run the task now, wait for more upstream tasks, or give the task a final state
 * without running it.
 */
export type TriggerDecision =
  | { action: 'run' }
  | { action: 'wait' }
  | { action: 'finish'; state: typeof TaskInstanceState.SKIPPED | typeof TaskInstanceState.UPSTREAM_FAILED };

/** Counts the states of upstream tasks, for {@link evaluateTriggerRule}. */
export function countUpstream(states: Iterable<TaskInstanceState | null | undefined>): UpstreamCounts {
  const c: UpstreamCounts = { total: 0, success: 0, failed: 0, upstreamFailed: 0, skipped: 0, removed: 0 };
  for (const s of states) {
    c.total++;
    if (s === TaskInstanceState.SUCCESS) c.success++;
    else if (s === TaskInstanceState.FAILED) c.failed++;
    else if (s === TaskInstanceState.UPSTREAM_FAILED) c.upstreamFailed++;
    else if (s === TaskInstanceState.SKIPPED) c.skipped++;
    else if (s === TaskInstanceState.REMOVED) c.removed++;
  }
  return c;
}

const RUN = { action: 'run' } as const;
const WAIT = { action: 'wait' } as const;
const SKIP = { action: 'finish', state: TaskInstanceState.SKIPPED } as const;
const UPSTREAM_FAILED = { action: 'finish', state: TaskInstanceState.UPSTREAM_FAILED } as const;

/**
 * Applies a trigger rule as Airflow's `TriggerRuleDep` does for an unmapped task: first the early decisions that
 * give the task a final state without running it (`all_success` is `upstream_failed` as soon as one upstream
 * fails, even while others still run), then whether the rule is met (`one_success` runs as soon as one upstream
 * succeeds). A task with no upstream, or with rule `always`, runs.
 *
 * As in Airflow, a `removed` upstream counts as done but neither as a success nor as a failure, so `all_success`
 * and its kin keep waiting on it; the run then ends as a deadlock.
 */
export function evaluateTriggerRule(rule: TriggerRule, c: UpstreamCounts): TriggerDecision {
  if (c.total === 0 || rule === TriggerRule.ALWAYS) return RUN;
  const done = c.success + c.failed + c.upstreamFailed + c.skipped + c.removed;
  const upstreamDone = done >= c.total;
  const anyFailed = c.failed + c.upstreamFailed > 0;
  switch (rule) {
    case TriggerRule.ALL_SUCCESS:
      if (anyFailed) return UPSTREAM_FAILED;
      if (c.skipped > 0) return SKIP;
      return c.success >= c.total ? RUN : WAIT;
    case TriggerRule.ALL_FAILED:
      if (c.success > 0 || c.skipped > 0) return SKIP;
      return c.failed + c.upstreamFailed >= c.total ? RUN : WAIT;
    case TriggerRule.ALL_DONE:
      return upstreamDone ? RUN : WAIT;
    case TriggerRule.ALL_SKIPPED:
      if (c.success > 0 || anyFailed) return SKIP;
      return c.skipped >= c.total ? RUN : WAIT;
    case TriggerRule.ONE_SUCCESS:
      if (c.success > 0) return RUN;
      if (!upstreamDone) return WAIT;
      return done === c.skipped ? SKIP : UPSTREAM_FAILED;
    case TriggerRule.ONE_FAILED:
      if (anyFailed) return RUN;
      return upstreamDone ? SKIP : WAIT;
    case TriggerRule.ONE_DONE:
      if (c.success + c.failed > 0) return RUN;
      return upstreamDone ? SKIP : WAIT;
    case TriggerRule.NONE_FAILED:
      if (anyFailed) return UPSTREAM_FAILED;
      return c.success + c.skipped >= c.total ? RUN : WAIT;
    case TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS:
      if (anyFailed) return UPSTREAM_FAILED;
      if (c.skipped >= c.total) return SKIP;
      return c.success + c.skipped >= c.total ? RUN : WAIT;
    case TriggerRule.NONE_SKIPPED:
      if (c.skipped > 0) return SKIP;
      return upstreamDone ? RUN : WAIT;
  }
}
