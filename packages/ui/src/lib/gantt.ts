import type { TaskInstanceHistoryResponse, TaskInstanceState } from '../api/types.js';

/** One try drawn as a bar: offsets in percent of the chart's time span. */
export interface GanttBar {
  taskId: string;
  tryNumber: number;
  state: TaskInstanceState | null;
  /** Where the bar starts (try start, or queued time when it has not started), percent. */
  left: number;
  /** Length of the running part, percent (at least a sliver, so short tries stay visible). */
  width: number;
  /** The queued part before the start, percent; 0 when unknown. */
  queued: number;
  /** Seconds the try ran (to `now` while it runs). */
  seconds: number;
  startDate: string | null;
  endDate: string | null;
}

/** The Gantt chart of a run: one row per task, its tries side by side, and the span they cover. */
export interface GanttChart {
  rows: { taskId: string; bars: GanttBar[] }[];
  /** Start and end of the span, ms since the epoch. */
  start: number;
  end: number;
  /** Axis ticks: offsets in percent and their times in ms. */
  ticks: { left: number; at: number }[];
}

const MIN_WIDTH = 0.4;

/**
 * Lays out the tries of a run's task instances (rows in `taskIds` order). Tries that never started are left out;
 * running ones reach `now`.
 */
export function buildGantt(taskIds: readonly string[], tries: readonly TaskInstanceHistoryResponse[], now: number, tickCount = 6): GanttChart {
  const timed = tries
    .map((t) => ({ t, start: t.start_date ? Date.parse(t.start_date) : NaN, end: t.end_date ? Date.parse(t.end_date) : now, queued: t.queued_when ? Date.parse(t.queued_when) : NaN }))
    .filter((x) => !Number.isNaN(x.start));
  let start = Infinity;
  let end = -Infinity;
  for (const x of timed) {
    start = Math.min(start, Number.isNaN(x.queued) ? x.start : Math.min(x.queued, x.start));
    end = Math.max(end, x.end, x.start);
  }
  if (timed.length === 0) return { rows: taskIds.map((taskId) => ({ taskId, bars: [] })), start: now, end: now, ticks: [] };
  const span = Math.max(end - start, 1);
  const pct = (ms: number) => ((ms - start) / span) * 100;
  const byTask = new Map<string, GanttBar[]>();
  for (const { t, start: s, end: e, queued: q } of timed) {
    const bar: GanttBar = {
      taskId: t.task_id,
      tryNumber: t.try_number,
      state: t.state,
      left: pct(s),
      width: Math.max(pct(e) - pct(s), MIN_WIDTH),
      queued: Number.isNaN(q) || q > s ? 0 : pct(s) - pct(q),
      seconds: Math.max(0, (e - s) / 1000),
      startDate: t.start_date,
      endDate: t.end_date,
    };
    const list = byTask.get(t.task_id) ?? [];
    list.push(bar);
    byTask.set(t.task_id, list);
  }
  const order = [...taskIds, ...[...byTask.keys()].filter((id) => !taskIds.includes(id))];
  const rows = order.map((taskId) => ({ taskId, bars: (byTask.get(taskId) ?? []).sort((a, b) => a.tryNumber - b.tryNumber) }));
  const ticks = Array.from({ length: tickCount + 1 }, (_, i) => ({ left: (i / tickCount) * 100, at: start + (span * i) / tickCount }));
  return { rows, start, end: start + span, ticks };
}
