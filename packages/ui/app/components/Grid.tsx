import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { formatDate, formatDuration } from '../../src/lib/format.js';
import { moveInGrid, type Grid, type GridPosition } from '../../src/lib/grid.js';
import { stateStyle } from '../../src/lib/states.js';

const COL = 18;
const NAME_WIDTH = 190;
const BAR_HEIGHT = 64;

/**
 * Runs by tasks, coloured by state, newest run on the right. Rows are ARIA grid rows (the run bars, then one per
 * task, its name a sticky row header); only the runs in view are drawn, so a thousand runs scroll like ten.
 * Keyboard: the arrows move between cells, Home/End and PageUp/PageDown jump, Enter opens a cell.
 */
export function GridView({
  grid,
  dagId,
  selected,
  onSelect,
}: {
  grid: Grid;
  dagId: string;
  selected: { runId: string | null; taskId: string | null };
  onSelect: (runId: string, taskId: string | null) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const cols = grid.runs.length;
  const rows = grid.taskIds.length;
  const virtualizer = useVirtualizer({
    horizontal: true,
    count: cols,
    getScrollElement: () => scroller.current,
    estimateSize: () => COL,
    overscan: 12,
    paddingStart: NAME_WIDTH,
    scrollPaddingStart: NAME_WIDTH,
  });
  const [focus, setFocus] = useState<GridPosition>(() => ({ row: 0, col: Math.max(0, cols - 1) }));
  const focusing = useRef(false);

  // Newest runs in view when the DAG or the number of runs changes (not on every live update).
  useLayoutEffect(() => {
    if (cols > 0) virtualizer.scrollToIndex(cols - 1, { align: 'end' });
  }, [dagId, cols, virtualizer]);

  const marked = useRef(false);
  useEffect(() => {
    if (!marked.current) {
      marked.current = true;
      performance.mark('updraft:grid-rendered');
    }
  }, []);

  useEffect(() => {
    if (!focusing.current) return;
    focusing.current = false;
    scroller.current?.querySelector<HTMLElement>(`[data-pos="${focus.row}:${focus.col}"]`)?.focus();
  });

  const onKeyDown = (e: KeyboardEvent) => {
    const next = moveInGrid(focus, e.key, rows, cols);
    if (!next) return;
    e.preventDefault();
    focusing.current = true;
    setFocus(next);
    virtualizer.scrollToIndex(next.col, { align: 'auto' });
  };

  if (cols === 0) return <p className="empty">No runs yet: trigger the DAG to see its tasks here.</p>;

  const items = virtualizer.getVirtualItems();
  const width = virtualizer.getTotalSize();
  const focusCol = Math.min(focus.col, cols - 1);
  const selectedCol = selected.runId === null ? -1 : grid.runs.findIndex((r) => r.runId === selected.runId);

  return (
    <div
      className="grid"
      role="grid"
      ref={scroller}
      aria-label={`Task instances of ${dagId}: ${rows} tasks by ${cols} runs, newest last`}
      aria-rowcount={rows + 1}
      aria-colcount={cols + 1}
      onKeyDown={onKeyDown}
      data-testid="grid"
    >
      <div className="grid-row bars" role="row" aria-rowindex={1} style={{ width, height: BAR_HEIGHT }}>
        <div className="grid-head" role="columnheader" aria-colindex={1}>
          <span className="muted small">Runs →</span>
        </div>
        {items.map((item) => {
          const run = grid.runs[item.index];
          if (!run) return null;
          const c = item.index;
          const style = stateStyle(run.state);
          const height = grid.maxDuration > 0 && run.duration !== null ? Math.max(6, (run.duration / grid.maxDuration) * (BAR_HEIGHT - 8)) : BAR_HEIGHT - 8;
          return (
            <div key={run.runId} role="gridcell" aria-colindex={c + 2} className={`grid-slot bar ${c === selectedCol ? 'selected' : ''}`} style={{ left: item.start }}>
              <Link
                to={`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(run.runId)}`}
                className="grid-bar"
                style={{ height, background: style.color }}
                tabIndex={focus.row === -1 && focusCol === c ? 0 : -1}
                data-pos={`-1:${c}`}
                data-testid="grid-run"
                data-state={run.state}
                aria-label={`Run ${run.runId}: ${style.label}, ${formatDuration(run.duration)}`}
                title={`${run.runId}\n${style.label} · ${formatDuration(run.duration)}\n${formatDate(run.runAfter)}`}
                onFocus={() => setFocus({ row: -1, col: c })}
              />
            </div>
          );
        })}
      </div>
      {grid.taskIds.map((taskId, r) => (
        <div key={taskId} className={`grid-row ${selected.taskId === taskId ? 'selected' : ''}`} role="row" aria-rowindex={r + 2} style={{ width }}>
          <div className="grid-head" role="rowheader" aria-colindex={1} title={taskId}>
            {taskId}
          </div>
          {items.map((item) => {
            const run = grid.runs[item.index];
            if (!run) return null;
            const c = item.index;
            const cell = grid.cells[taskId]?.[c] ?? null;
            const s = stateStyle(cell?.state ?? null);
            const isSelected = c === selectedCol && selected.taskId === taskId;
            return (
              <div key={run.runId} role="gridcell" aria-colindex={c + 2} aria-selected={isSelected} className={`grid-slot ${c === selectedCol ? 'selected' : ''}`} style={{ left: item.start }}>
                <button
                  type="button"
                  className={`grid-cell ${isSelected ? 'selected' : ''} ${cell ? '' : 'missing'}`}
                  style={{ background: cell ? s.color : undefined }}
                  tabIndex={focus.row === r && focusCol === c ? 0 : -1}
                  data-pos={`${r}:${c}`}
                  data-testid="grid-cell"
                  data-task={taskId}
                  data-run={run.runId}
                  data-state={cell?.state ?? 'none'}
                  aria-label={`${taskId} in ${run.runId}: ${cell ? s.label : 'no task instance'}`}
                  title={`${taskId}\n${run.runId}\n${s.label}${cell?.duration != null ? ` · ${formatDuration(cell.duration)}` : ''}`}
                  onFocus={() => setFocus({ row: r, col: c })}
                  onClick={() => onSelect(run.runId, taskId)}
                />
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}
