import { describe, expect, it } from 'vitest';
import type { TaskInstanceHistoryResponse } from '../src/api/types.js';
import { formatDate, formatDuration, relativeTime } from '../src/lib/format.js';
import { buildGantt } from '../src/lib/gantt.js';
import { describeImportError } from '../src/lib/import-errors.js';
import { taskEdges, topologicalOrder } from '../src/lib/topo.js';

describe('topologicalOrder', () => {
  it('orders upstream first, stable among peers, and keeps tasks of a cycle', () => {
    const order = topologicalOrder([
      { task_id: 'c', downstream_task_ids: [] },
      { task_id: 'b', downstream_task_ids: ['c'] },
      { task_id: 'a', downstream_task_ids: ['c', 'missing'] },
      { task_id: 'x', downstream_task_ids: ['y'] },
      { task_id: 'y', downstream_task_ids: ['x'] },
    ]);
    expect(order).toEqual(['b', 'a', 'c', 'x', 'y']);
    expect(taskEdges([{ task_id: 'a', downstream_task_ids: ['b', 'gone'] }, { task_id: 'b', downstream_task_ids: [] }])).toEqual([['a', 'b']]);
  });
});

describe('buildGantt', () => {
  const t = (task: string, n: number, start: string | null, end: string | null, queued: string | null = null): TaskInstanceHistoryResponse => ({
    task_id: task,
    dag_id: 'd',
    dag_run_id: 'r',
    map_index: -1,
    start_date: start,
    end_date: end,
    duration: null,
    state: end ? 'success' : 'running',
    try_number: n,
    max_tries: 2,
    hostname: null,
    queued_when: queued,
    scheduled_when: null,
  });

  it('spans the first queue to the last end, one row per task with its tries in order', () => {
    const now = Date.parse('2025-01-01T00:01:40Z');
    const chart = buildGantt(
      ['a', 'b'],
      [t('b', 2, '2025-01-01T00:01:00Z', null), t('a', 1, '2025-01-01T00:00:10Z', '2025-01-01T00:00:50Z', '2025-01-01T00:00:00Z'), t('b', 1, '2025-01-01T00:00:50Z', '2025-01-01T00:00:55Z'), t('b', 3, null, null)],
      now,
      4,
    );
    expect(chart.end - chart.start).toBe(100_000);
    expect(chart.rows.map((r) => [r.taskId, r.bars.map((b) => b.tryNumber)])).toEqual([
      ['a', [1]],
      ['b', [1, 2]],
    ]);
    const a = chart.rows[0]?.bars[0];
    expect(a?.left).toBeCloseTo(10);
    expect(a?.width).toBeCloseTo(40);
    expect(a?.queued).toBeCloseTo(10);
    expect(chart.rows[1]?.bars[1]?.seconds).toBe(40);
    expect(chart.ticks.map((x) => x.left)).toEqual([0, 25, 50, 75, 100]);
  });

  it('is empty when nothing started', () => {
    expect(buildGantt(['a'], [t('a', 1, null, null)], 0).rows).toEqual([{ taskId: 'a', bars: [] }]);
  });
});

describe('describeImportError', () => {
  it('takes the line from the file name in the trace, and the first line as the message', () => {
    const v = describeImportError({ import_error_id: 3, timestamp: '', filename: '/dags/bad.ts', stack_trace: "Expected ';'\n  at x (/dags/bad.ts:7:3)" });
    expect(v).toEqual({ id: 3, file: '/dags/bad.ts', line: 7, message: "Expected ';'", details: 'at x (/dags/bad.ts:7:3)' });
  });

  it('leaves out the file and line that start the message (the banner shows them beside it)', () => {
    const trace = '/dags/x.y/bad.ts:2: syntax error: Expected "}" but found ";"\n\nError: Transform failed';
    const v = describeImportError({ import_error_id: 1, timestamp: '', filename: '/dags/x.y/bad.ts', stack_trace: trace });
    expect(v.message).toBe('syntax error: Expected "}" but found ";"');
    expect(v.line).toBe(2);
    expect(describeImportError({ import_error_id: 1, timestamp: '', filename: '/dags/bad.ts', stack_trace: 'bad.ts:4:1: oops' }).message).toBe('oops');
    // Another file's position is part of the message.
    expect(describeImportError({ import_error_id: 1, timestamp: '', filename: '/dags/bad.ts', stack_trace: 'helper.ts:4: oops' }).message).toBe('helper.ts:4: oops');
  });

  it('falls back to "line N", and to no line', () => {
    expect(describeImportError({ import_error_id: 1, timestamp: '', filename: 'a.ts', stack_trace: 'boom at line 12' }).line).toBe(12);
    expect(describeImportError({ import_error_id: 1, timestamp: '', filename: 'a.ts', stack_trace: 'boom' }).line).toBeNull();
  });
});

describe('format', () => {
  it('formats durations at every scale', () => {
    expect(formatDuration(0.25)).toBe('250ms');
    expect(formatDuration(4.24)).toBe('4.2s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(null)).toBe('—');
  });

  it('formats dates in UTC and relative to now', () => {
    expect(formatDate('2025-01-31T14:05:09.123Z')).toBe('2025-01-31 14:05:09');
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(relativeTime('2025-01-01T11:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2025-01-01T15:00:00Z', now)).toBe('in 3 h');
  });
});
