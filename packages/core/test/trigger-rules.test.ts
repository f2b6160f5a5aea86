import { describe, expect, it } from 'vitest';
import { countUpstream, evaluateTriggerRule, isTriggerRule, TaskInstanceState as S, TriggerRule, type TaskInstanceState, type TriggerDecision } from '../src/index.js';

/**
 * The trigger-rule table, worked out by hand from Airflow's TriggerRuleDep (trigger_rule_dep.py,
 * _evaluate_direct_relatives, unmapped task): first the "new state" it sets when flag_upstream_failed is on
 * (upstream_failed / skipped, possibly while other upstream tasks still run), then whether the rule passes.
 * Codes: R run, W wait, U upstream_failed, K skipped.
 */
const RULES = [
  TriggerRule.ALL_SUCCESS,
  TriggerRule.ALL_FAILED,
  TriggerRule.ALL_DONE,
  TriggerRule.ALL_SKIPPED,
  TriggerRule.ONE_SUCCESS,
  TriggerRule.ONE_FAILED,
  TriggerRule.ONE_DONE,
  TriggerRule.NONE_FAILED,
  TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
  TriggerRule.NONE_SKIPPED,
  TriggerRule.ALWAYS,
] as const;

type Up = TaskInstanceState | null;
const running: Up = S.RUNNING;
const retrying: Up = S.UP_FOR_RETRY;

// upstream states                                 all_success all_failed all_done all_skipped one_success one_failed one_done none_failed nf_min_one none_skipped always
const TABLE: [Up[], string][] = [
  [[S.SUCCESS, S.SUCCESS],                          'R K R K R K R R R R R'],
  [[S.SUCCESS, running],                            'W K W K R W R W W W R'],
  [[S.SUCCESS, null],                               'W K W K R W R W W W R'],
  [[S.FAILED, running],                             'U W W K W R R U U W R'],
  [[S.FAILED, retrying],                            'U W W K W R R U U W R'],
  [[S.UPSTREAM_FAILED, null],                       'U W W K W R W U U W R'],
  [[S.SKIPPED, running],                            'K K W W W W W W W K R'],
  [[S.SUCCESS, S.FAILED],                           'U K R K R R R U U R R'],
  [[S.SUCCESS, S.SKIPPED],                          'K K R K R K R R R K R'],
  [[S.FAILED, S.FAILED],                            'U R R K U R R U U R R'],
  [[S.FAILED, S.UPSTREAM_FAILED],                   'U R R K U R R U U R R'],
  [[S.UPSTREAM_FAILED, S.UPSTREAM_FAILED],          'U R R K U R K U U R R'],
  [[S.SKIPPED, S.SKIPPED],                          'K K R R K K K R K K R'],
  [[null, null],                                    'W W W W W W W W W W R'],
  [[retrying, running],                             'W W W W W W W W W W R'],
  [[S.SUCCESS, S.FAILED, S.SKIPPED],                'U K R K R R R U U K R'],
  [[S.FAILED, S.SKIPPED],                           'U K R K U R R U U K R'],
  [[S.SKIPPED, S.UPSTREAM_FAILED],                  'U K R K U R K U U K R'],
  [[S.SUCCESS, S.SUCCESS, S.SUCCESS, running],      'W K W K R W R W W W R'],
  // A removed upstream is done but neither success nor failure: all_success and kin wait on it (a deadlock).
  [[S.SUCCESS, S.REMOVED],                          'W K R K R K R W W R R'],
  [[S.REMOVED, S.REMOVED],                          'W W R W U K K W W R R'],
  [[S.SKIPPED, S.REMOVED],                          'K K R W U K K W W K R'],
  [[S.FAILED, S.REMOVED],                           'U W R K U R R U U R R'],
];

const CODE: Record<string, TriggerDecision> = {
  R: { action: 'run' },
  W: { action: 'wait' },
  U: { action: 'finish', state: S.UPSTREAM_FAILED },
  K: { action: 'finish', state: S.SKIPPED },
};

describe('evaluateTriggerRule', () => {
  it('has a table covering every trigger rule', () => {
    expect(new Set(RULES)).toEqual(new Set(Object.values(TriggerRule)));
  });

  const cases = TABLE.flatMap(([upstream, row]) => {
    const codes = row.split(' ');
    expect(codes).toHaveLength(RULES.length);
    return RULES.map((rule, i) => [rule, upstream.map(String).join(', '), upstream, codes[i] as string] as const);
  });

  it.each(cases)('%s with upstream [%s]', (rule, _label, upstream, code) => {
    expect(evaluateTriggerRule(rule, countUpstream(upstream))).toEqual(CODE[code]);
  });

  it.each(RULES)('%s runs a task with no upstream', (rule) => {
    expect(evaluateTriggerRule(rule, countUpstream([]))).toEqual({ action: 'run' });
  });

  it('decides all_success early: upstream_failed while another upstream still runs', () => {
    const upstream = [S.FAILED, S.RUNNING, S.QUEUED, null];
    expect(evaluateTriggerRule(TriggerRule.ALL_SUCCESS, countUpstream(upstream))).toEqual(CODE.U);
  });

  it('runs one_success and one_failed as soon as one upstream qualifies', () => {
    expect(evaluateTriggerRule(TriggerRule.ONE_SUCCESS, countUpstream([S.SUCCESS, S.RUNNING, S.RUNNING]))).toEqual(CODE.R);
    expect(evaluateTriggerRule(TriggerRule.ONE_FAILED, countUpstream([S.RUNNING, S.UPSTREAM_FAILED, null]))).toEqual(CODE.R);
  });
});

describe('countUpstream', () => {
  it('counts finished states and leaves unfinished ones only in the total', () => {
    const c = countUpstream([S.SUCCESS, S.SUCCESS, S.FAILED, S.UPSTREAM_FAILED, S.SKIPPED, S.REMOVED, S.RUNNING, S.UP_FOR_RETRY, null, undefined]);
    expect(c).toEqual({ total: 10, success: 2, failed: 1, upstreamFailed: 1, skipped: 1, removed: 1 });
  });
});

describe('isTriggerRule', () => {
  it('accepts the rule names only', () => {
    for (const r of Object.values(TriggerRule)) expect(isTriggerRule(r)).toBe(true);
    for (const x of ['ALL_SUCCESS', 'all-success', '', null, 3]) expect(isTriggerRule(x)).toBe(false);
  });
});
