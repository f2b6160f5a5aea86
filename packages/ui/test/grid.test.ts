import { describe, expect, it } from 'vitest';
import type { DAGRunResponse, TaskInstanceResponse } from '../src/api/types.js';
import { applyLiveEvent, buildGrid, moveInGrid, runStateCounts } from '../src/lib/grid.js';

const run = (id: string, runAfter: string, state: DAGRunResponse['state'] = 'success', duration: number | null = 10): DAGRunResponse => ({
  dag_run_id: id,
  dag_id: 'd',
  logical_date: runAfter,
  queued_at: runAfter,
  start_date: runAfter,
  end_date: null,
  duration,
  data_interval_start: null,
  data_interval_end: null,
  run_after: runAfter,
  run_type: 'scheduled',
  state,
  triggered_by: null,
  conf: {},
  note: null,
});

const ti = (runId: string, taskId: string, state: TaskInstanceResponse['state'], mapIndex = -1): TaskInstanceResponse => ({
  id: `${runId}/${taskId}/${mapIndex}`,
  task_id: taskId,
  dag_id: 'd',
  dag_run_id: runId,
  map_index: mapIndex,
  logical_date: null,
  run_after: '',
  start_date: null,
  end_date: null,
  duration: null,
  state,
  try_number: 1,
  max_tries: 1,
  hostname: null,
  pool: 'default_pool',
  queue: null,
  operator: null,
  queued_when: null,
  scheduled_when: null,
  pid: null,
  note: null,
});

// Listed as the API lists tasks: by task id, not in dependency order.
const tasks = [
  { task_id: 'evaluate', downstream_task_ids: ['report'] },
  { task_id: 'report', downstream_task_ids: [] },
  { task_id: 'train', downstream_task_ids: ['evaluate'] },
];

describe('buildGrid', () => {
  it('puts runs oldest first and tasks upstream first, whatever order they come in', () => {
    const grid = buildGrid([run('b', '2025-01-02T00:00:00Z'), run('c', '2025-01-03T00:00:00Z'), run('a', '2025-01-01T00:00:00Z')], tasks, []);
    expect(grid.runs.map((r) => r.runId)).toEqual(['a', 'b', 'c']);
    expect(grid.taskIds).toEqual(['train', 'evaluate', 'report']);
  });

  it('places each task instance under its run and leaves the others empty', () => {
    const grid = buildGrid([run('a', '2025-01-01T00:00:00Z'), run('b', '2025-01-02T00:00:00Z')], tasks, [ti('b', 'train', 'failed'), ti('a', 'report', 'success')]);
    expect(grid.cells.train?.map((c) => c?.state ?? 'none')).toEqual(['none', 'failed']);
    expect(grid.cells.report?.map((c) => c?.state ?? 'none')).toEqual(['success', 'none']);
    expect(grid.cells.evaluate).toEqual([null, null]);
  });

  it('adds a row for a task that left the DAG but has task instances, and ignores other runs and map indexes', () => {
    const grid = buildGrid([run('a', '2025-01-01T00:00:00Z')], tasks, [ti('a', 'old_task', 'success'), ti('zzz', 'ghost', 'success'), ti('a', 'train', 'failed', 3)]);
    expect(grid.taskIds).toEqual(['train', 'evaluate', 'report', 'old_task']);
    expect(grid.cells.train).toEqual([null]);
  });

  it('scales run bars by the longest ended run', () => {
    const grid = buildGrid([run('a', '2025-01-01T00:00:00Z', 'success', 30), run('b', '2025-01-02T00:00:00Z', 'running', null)], tasks, []);
    expect(grid.maxDuration).toBe(30);
  });
});

describe('applyLiveEvent', () => {
  const grid = buildGrid([run('a', '2025-01-01T00:00:00Z'), run('b', '2025-01-02T00:00:00Z', 'running')], tasks, [ti('b', 'train', 'running')]);

  it('changes one cell and shares the untouched rows', () => {
    const next = applyLiveEvent(grid, 'd', { type: 'task_instance', dag_id: 'd', dag_run_id: 'b', task_id: 'train', map_index: -1, state: 'success', try_number: 1 });
    expect(next?.cells.train?.[1]?.state).toBe('success');
    expect(grid.cells.train?.[1]?.state).toBe('running');
    expect(next?.cells.report).toBe(grid.cells.report);
  });

  it('changes a run state', () => {
    const next = applyLiveEvent(grid, 'd', { type: 'dag_run', dag_id: 'd', dag_run_id: 'b', state: 'failed' });
    expect(next?.runs[1]?.state).toBe('failed');
    expect(next?.runs[0]).toBe(grid.runs[0]);
  });

  it('keeps the same grid for other DAGs and for events that change nothing', () => {
    expect(applyLiveEvent(grid, 'd', { type: 'dag_run', dag_id: 'other', dag_run_id: 'b', state: 'failed' })).toBe(grid);
    expect(applyLiveEvent(grid, 'd', { type: 'task_instance', dag_id: 'd', dag_run_id: 'b', task_id: 'train', map_index: -1, state: 'running', try_number: 1 })).toBe(grid);
  });

  it('asks for a refetch (null) for unknown runs or tasks and for resync', () => {
    expect(applyLiveEvent(grid, 'd', { type: 'dag_run', dag_id: 'd', dag_run_id: 'new', state: 'queued' })).toBeNull();
    expect(applyLiveEvent(grid, 'd', { type: 'task_instance', dag_id: 'd', dag_run_id: 'a', task_id: 'new_task', map_index: -1, state: null, try_number: 0 })).toBeNull();
    expect(applyLiveEvent(grid, 'd', { type: 'resync' })).toBeNull();
  });

  it('counts the states of a run', () => {
    const counts = runStateCounts(grid, 1);
    expect(counts.get('running')).toBe(1);
    expect(counts.get(null)).toBe(2);
  });
});

describe('moveInGrid', () => {
  it('moves by arrows and stops at the edges, with the run row above the tasks', () => {
    expect(moveInGrid({ row: 0, col: 0 }, 'ArrowLeft', 3, 5)).toEqual({ row: 0, col: 0 });
    expect(moveInGrid({ row: 0, col: 0 }, 'ArrowUp', 3, 5)).toEqual({ row: -1, col: 0 });
    expect(moveInGrid({ row: -1, col: 0 }, 'ArrowUp', 3, 5)).toEqual({ row: -1, col: 0 });
    expect(moveInGrid({ row: 2, col: 4 }, 'ArrowDown', 3, 5)).toEqual({ row: 2, col: 4 });
    expect(moveInGrid({ row: 1, col: 2 }, 'End', 3, 5)).toEqual({ row: 1, col: 4 });
    expect(moveInGrid({ row: 1, col: 2 }, 'PageUp', 3, 5, 10)).toEqual({ row: 1, col: 0 });
  });

  it('leaves other keys to the browser', () => {
    expect(moveInGrid({ row: 0, col: 0 }, 'Tab', 3, 5)).toBeNull();
    expect(moveInGrid({ row: 0, col: 0 }, 'ArrowRight', 3, 0)).toBeNull();
  });
});
