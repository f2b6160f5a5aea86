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
 * Applies a trigger rule as Airflow's `TriggerRuleDep` does, including its early decisions: `all_success`
 * marks the task `upstream_failed` as soon as one upstream fails, `one_success` runs as soon as one succeeds.
 * A task with no upstream always runs.
 */
export function evaluateTriggerRule(rule: TriggerRule, c: UpstreamCounts): TriggerDecision {
  if (c.total === 0) return RUN;
  const done = c.success + c.failed + c.upstreamFailed + c.skipped + c.removed;
  const allDone = done >= c.total;
  const failures = c.failed + c.upstreamFailed;
  switch (rule) {
    case TriggerRule.ALL_SUCCESS:
      if (failures > 0) return UPSTREAM_FAILED;
      if (c.skipped > 0) return SKIP;
      return c.success + c.removed >= c.total ? RUN : WAIT;
    case TriggerRule.ALL_FAILED:
      if (c.success > 0 || c.skipped > 0) return SKIP;
      return failures + c.removed >= c.total ? RUN : WAIT;
    case TriggerRule.ALL_DONE:
      return allDone ? RUN : WAIT;
    case TriggerRule.ALL_SKIPPED:
      if (c.success > 0 || failures > 0) return SKIP;
      return c.skipped + c.removed >= c.total ? RUN : WAIT;
    case TriggerRule.ONE_SUCCESS:
      if (c.success > 0) return RUN;
      if (!allDone) return WAIT;
      return done === c.skipped ? SKIP : UPSTREAM_FAILED;
    case TriggerRule.ONE_FAILED:
      if (failures > 0) return RUN;
      return allDone ? SKIP : WAIT;
    case TriggerRule.ONE_DONE:
      if (c.success + c.failed > 0) return RUN;
      return allDone ? SKIP : WAIT;
    case TriggerRule.NONE_FAILED:
      if (failures > 0) return UPSTREAM_FAILED;
      return allDone ? RUN : WAIT;
    case TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS:
      if (failures > 0) return UPSTREAM_FAILED;
      if (!allDone) return WAIT;
      return c.skipped >= c.total ? SKIP : RUN;
    case TriggerRule.NONE_SKIPPED:
      if (c.skipped > 0) return SKIP;
      return allDone ? RUN : WAIT;
    case TriggerRule.ALWAYS:
      return RUN;
  }
}
