import type { DAGRunResponse, DagRunState, LiveEvent, TaskInstanceResponse, TaskInstanceState } from '../api/types.js';
import { topologicalOrder, type TaskEdges } from './topo.js';

/** One run: a column of the Grid. */
export interface GridRun {
  runId: string;
  state: DagRunState;
  runType: string;
  runAfter: string;
  logicalDate: string | null;
  startDate: string | null;
  endDate: string | null;
  /** Seconds; null while it has not ended. */
  duration: number | null;
}

/** One task instance: a cell. */
export interface GridCell {
  state: TaskInstanceState | null;
  tryNumber: number;
  startDate: string | null;
  endDate: string | null;
  duration: number | null;
}

/** Runs by tasks: `cells[taskId][column]` is the task instance of `runs[column]`, or null where it has none. */
export interface Grid {
  /** Oldest first: newest on the right, as Airflow's Grid. */
  runs: GridRun[];
  /** Rows, upstream tasks first; tasks only known from task instances (removed from the DAG) last. */
  taskIds: string[];
  cells: Record<string, (GridCell | null)[]>;
  /** Longest run duration in seconds (the height scale of the run bars); 0 when none ended. */
  maxDuration: number;
}

/** Builds the Grid from the latest runs (any order), the DAG's tasks and the runs' task instances. */
export function buildGrid(runs: readonly DAGRunResponse[], tasks: readonly TaskEdges[], tis: readonly TaskInstanceResponse[]): Grid {
  const sorted = [...runs].sort((a, b) => compareRunAfter(a.run_after, b.run_after) || (a.dag_run_id < b.dag_run_id ? -1 : 1));
  const column = new Map(sorted.map((r, i) => [r.dag_run_id, i]));
  const taskIds = topologicalOrder(tasks);
  const known = new Set(taskIds);
  for (const ti of tis) {
    if (!known.has(ti.task_id) && column.has(ti.dag_run_id)) {
      known.add(ti.task_id);
      taskIds.push(ti.task_id);
    }
  }
  const cells: Record<string, (GridCell | null)[]> = {};
  for (const id of taskIds) cells[id] = new Array<GridCell | null>(sorted.length).fill(null);
  for (const ti of tis) {
    const col = column.get(ti.dag_run_id);
    // A mapped task shows its first map index; mapping is not in Updraft yet.
    if (col === undefined || ti.map_index > 0) continue;
    (cells[ti.task_id] as (GridCell | null)[])[col] = {
      state: ti.state,
      tryNumber: ti.try_number,
      startDate: ti.start_date,
      endDate: ti.end_date,
      duration: ti.duration,
    };
  }
  const gridRuns = sorted.map(toGridRun);
  return { runs: gridRuns, taskIds, cells, maxDuration: maxDuration(gridRuns) };
}

function toGridRun(r: DAGRunResponse): GridRun {
  return {
    runId: r.dag_run_id,
    state: r.state,
    runType: r.run_type,
    runAfter: r.run_after,
    logicalDate: r.logical_date,
    startDate: r.start_date,
    endDate: r.end_date,
    duration: r.duration,
  };
}

function maxDuration(runs: readonly GridRun[]): number {
  let max = 0;
  for (const r of runs) if (r.duration !== null && r.duration > max) max = r.duration;
  return max;
}

function compareRunAfter(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b);
}

/**
 * A live event applied to the Grid, sharing what did not change (React redraws only the changed parts).
 * Returns the same Grid when the event is not about it, and null when it cannot be applied (a run or task the
 * Grid does not know: fetch the Grid again).
 */
export function applyLiveEvent(grid: Grid, dagId: string, event: LiveEvent): Grid | null {
  if (event.type === 'resync') return null;
  if (event.dag_id !== dagId) return grid;
  const col = grid.runs.findIndex((r) => r.runId === event.dag_run_id);
  if (col === -1) return null;
  if (event.type === 'dag_run') {
    const run = grid.runs[col] as GridRun;
    if (run.state === event.state) return grid;
    const runs = grid.runs.slice();
    runs[col] = { ...run, state: event.state };
    return { ...grid, runs };
  }
  if (event.map_index > 0) return grid;
  const row = grid.cells[event.task_id];
  if (!row) return null;
  const old = row[col];
  if (old && old.state === event.state && old.tryNumber === event.try_number) return grid;
  const next = row.slice();
  next[col] = { state: event.state, tryNumber: event.try_number, startDate: old?.startDate ?? null, endDate: old?.endDate ?? null, duration: old?.duration ?? null };
  return { ...grid, cells: { ...grid.cells, [event.task_id]: next } };
}

/** A position in the Grid: `row` -1 is the run bar above the task rows. */
export interface GridPosition {
  row: number;
  col: number;
}

/**
 * Where a key moves the focus in a Grid of `rows` task rows (plus the run row -1) and `cols` runs, as the ARIA
 * grid pattern: arrows by one, Home/End to the row's ends, PageUp/PageDown by `page` runs. Null: not a
 * navigation key (let the browser have it).
 */
export function moveInGrid(pos: GridPosition, key: string, rows: number, cols: number, page = 10): GridPosition | null {
  if (cols === 0) return null;
  const clampCol = (c: number) => Math.max(0, Math.min(cols - 1, c));
  const clampRow = (r: number) => Math.max(-1, Math.min(rows - 1, r));
  switch (key) {
    case 'ArrowLeft':
      return { row: pos.row, col: clampCol(pos.col - 1) };
    case 'ArrowRight':
      return { row: pos.row, col: clampCol(pos.col + 1) };
    case 'ArrowUp':
      return { row: clampRow(pos.row - 1), col: pos.col };
    case 'ArrowDown':
      return { row: clampRow(pos.row + 1), col: pos.col };
    case 'Home':
      return { row: pos.row, col: 0 };
    case 'End':
      return { row: pos.row, col: cols - 1 };
    case 'PageUp':
      return { row: pos.row, col: clampCol(pos.col - page) };
    case 'PageDown':
      return { row: pos.row, col: clampCol(pos.col + page) };
    default:
      return null;
  }
}

/** How many of each state a run's task instances are in, for its tooltip and summary. */
export function runStateCounts(grid: Grid, col: number): Map<TaskInstanceState | null, number> {
  const counts = new Map<TaskInstanceState | null, number>();
  for (const id of grid.taskIds) {
    const cell = grid.cells[id]?.[col];
    if (cell === undefined) continue;
    const state = cell?.state ?? null;
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return counts;
}
