import { describe, expect, it } from 'vitest';
import {
  DagRunState,
  FINISHED_DAG_RUN_STATES,
  FINISHED_TI_STATES,
  isTaskInstanceState,
  TaskInstanceState,
  UNFINISHED_DAG_RUN_STATES,
  UNFINISHED_TI_STATES,
} from '../src/index.js';

describe('states', () => {
  it('use Airflow\'s names', () => {
    expect(Object.values(TaskInstanceState).sort()).toEqual(
      ['deferred', 'failed', 'queued', 'removed', 'restarting', 'running', 'scheduled', 'skipped', 'success', 'up_for_reschedule', 'up_for_retry', 'upstream_failed'].sort(),
    );
    expect(Object.values(DagRunState).sort()).toEqual(['failed', 'queued', 'running', 'success']);
  });

  it('split task instance states into finished and unfinished, as Airflow\'s State.finished', () => {
    expect([...FINISHED_TI_STATES].sort()).toEqual(['failed', 'removed', 'skipped', 'success', 'upstream_failed']);
    for (const s of Object.values(TaskInstanceState)) expect(FINISHED_TI_STATES.has(s) !== UNFINISHED_TI_STATES.has(s)).toBe(true);
    expect(UNFINISHED_TI_STATES.has('up_for_retry')).toBe(true);
  });

  it('split run states likewise', () => {
    for (const s of Object.values(DagRunState)) expect(FINISHED_DAG_RUN_STATES.has(s) !== UNFINISHED_DAG_RUN_STATES.has(s)).toBe(true);
  });

  it('recognise task instance states', () => {
    expect(isTaskInstanceState('up_for_retry')).toBe(true);
    for (const x of ['UP_FOR_RETRY', 'done', null, 1]) expect(isTaskInstanceState(x)).toBe(false);
  });
});
