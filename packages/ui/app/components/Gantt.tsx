import { formatDate, formatDuration } from '../../src/lib/format.js';
import type { GanttChart } from '../../src/lib/gantt.js';
import { stateStyle } from '../../src/lib/states.js';

/** The tries of a run on one time axis: one row per task, queued time hatched before each bar. */
export function GanttView({ chart, onOpen }: { chart: GanttChart; onOpen: (taskId: string) => void }) {
  if (chart.rows.every((r) => r.bars.length === 0)) return <p className="empty">No try has started in this run yet.</p>;
  return (
    <div className="gantt" data-testid="gantt">
      <div className="gantt-axis" aria-hidden="true">
        {chart.ticks.map((t, i) => (
          <span key={t.left} style={{ left: `${t.left}%` }}>
            {i === 0 ? new Date(t.at).toISOString().slice(11, 19) : `+${formatDuration((t.at - chart.start) / 1000)}`}
          </span>
        ))}
      </div>
      <table className="gantt-table">
        <caption className="visually-hidden">
          Tries from {formatDate(new Date(chart.start).toISOString())} to {formatDate(new Date(chart.end).toISOString())}
        </caption>
        <tbody>
          {chart.rows.map((row) => (
            <tr key={row.taskId}>
              <th scope="row">
                <button type="button" className="link-button" onClick={() => onOpen(row.taskId)}>
                  {row.taskId}
                </button>
              </th>
              <td>
                <div className="gantt-track">
                  {row.bars.map((b) => {
                    const s = stateStyle(b.state);
                    const label = `${row.taskId} try ${b.tryNumber}: ${s.label}, ${formatDuration(b.seconds)}, from ${formatDate(b.startDate)}`;
                    return (
                      <span key={b.tryNumber}>
                        {b.queued > 0 && <span className="gantt-queued" style={{ left: `${b.left - b.queued}%`, width: `${b.queued}%` }} aria-hidden="true" />}
                        <span className="gantt-bar" style={{ left: `${b.left}%`, width: `${b.width}%`, background: s.color }} title={label} role="img" aria-label={label} data-testid="gantt-bar" data-state={b.state ?? 'none'} />
                      </span>
                    );
                  })}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
