import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { formatDate, formatDuration } from '../../src/lib/format.js';
import { moveInGrid, type Grid, type GridPosition } from '../../src/lib/grid.js';
import { stateStyle } from '../../src/lib/states.js';

const COL = 18;
const BAR_HEIGHT = 64;

/**
 * Runs by tasks, coloured by state, newest run on the right. Only the columns in view are drawn, so a thousand
 * runs scroll as smoothly as ten. Keyboard: the arrows move between cells (ARIA grid), Enter opens one.
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
  const virtualizer = useVirtualizer({ horizontal: true, count: cols, getScrollElement: () => scroller.current, estimateSize: () => COL, overscan: 12 });
  const [focus, setFocus] = useState<GridPosition>(() => ({ row: 0, col: Math.max(0, cols - 1) }));
  const focusing = useRef(false);

  // Newest runs first in view.
  useLayoutEffect(() => {
    if (cols > 0) virtualizer.scrollToIndex(cols - 1, { align: 'end' });
    // Only when the DAG or the number of runs changes, not on every live update.
  }, [dagId, cols]);

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
    scroller.current?.parentElement?.querySelector<HTMLElement>(`[data-pos="${focus.row}:${focus.col}"]`)?.focus();
  });

  const onKeyDown = (e: KeyboardEvent) => {
    const next = moveInGrid(focus, e.key, rows, cols);
    if (!next) return;
    e.preventDefault();
    focusing.current = true;
    setFocus(next);
    virtualizer.scrollToIndex(next.col, { align: 'auto' });
  };

  const items = virtualizer.getVirtualItems();
  const total = virtualizer.getTotalSize();
  const focusCol = Math.min(focus.col, cols - 1);

  if (cols === 0) return <p className="empty">No runs yet: trigger the DAG to see its tasks here.</p>;

  return (
    <div className="grid" role="grid" aria-label={`Task instances of ${dagId}, ${rows} tasks by ${cols} runs`} aria-rowcount={rows + 1} aria-colcount={cols + 1} onKeyDown={onKeyDown} data-testid="grid">
      <div className="grid-names" role="rowgroup">
        <div className="grid-corner" style={{ height: BAR_HEIGHT }} role="row" aria-rowindex={1}>
          <span role="columnheader" className="muted small">
            Runs →
          </span>
        </div>
        {grid.taskIds.map((taskId, r) => (
          <div key={taskId} className={`grid-name ${selected.taskId === taskId ? 'selected' : ''}`} role="row" aria-rowindex={r + 2}>
            <span role="rowheader" title={taskId}>
              {taskId}
            </span>
          </div>
        ))}
      </div>
      <div className="grid-scroll" ref={scroller}>
        <div style={{ width: total, position: 'relative', height: BAR_HEIGHT + rows * COL + 4 }}>
          {items.map((item) => {
            const run = grid.runs[item.index];
            if (!run) return null;
            const c = item.index;
            const style = stateStyle(run.state);
            const height = grid.maxDuration > 0 && run.duration !== null ? Math.max(6, (run.duration / grid.maxDuration) * (BAR_HEIGHT - 8)) : BAR_HEIGHT - 8;
            const runSelected = selected.runId === run.runId;
            return (
              <div key={run.runId} className={`grid-col ${runSelected ? 'selected' : ''}`} style={{ transform: `translateX(${item.start}px)`, width: COL }}>
                <div className="grid-bar-cell" style={{ height: BAR_HEIGHT }} role="gridcell" aria-colindex={c + 2}>
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
                {grid.taskIds.map((taskId, r) => {
                  const cell = grid.cells[taskId]?.[c] ?? null;
                  const s = stateStyle(cell?.state ?? null);
                  const isSelected = runSelected && selected.taskId === taskId;
                  return (
                    <div key={taskId} role="gridcell" aria-colindex={c + 2} aria-selected={isSelected} className="grid-cell-wrap">
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
            );
          })}
        </div>
      </div>
    </div>
  );
}
