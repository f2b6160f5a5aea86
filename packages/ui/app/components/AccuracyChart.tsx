import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A metric across runs as a line (uPlot), oldest run on the left; the runs and values are also in a table. */
export default function AccuracyChart({ points, metric }: { points: { runId: string; at: number; value: number }[]; metric: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    const width = Math.max(320, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 220,
        // One step per run, not calendar time: runs days apart and runs minutes apart read alike.
        scales: { x: { time: false }, y: { auto: true } },
        axes: [
          {
            stroke: '#57606a',
            grid: { stroke: '#eaeef2' },
            values: (_u, splits) => splits.map((x) => (Number.isInteger(x) && points[x] ? new Date(points[x].at).toISOString().slice(5, 10) : '')),
          },
          { stroke: '#57606a', grid: { stroke: '#eaeef2' }, size: 56 },
        ],
        series: [
          { label: 'run', value: (_u, x) => (x == null ? '--' : (points[x]?.runId ?? '--')) },
          { label: metric, stroke: '#0969da', width: 2, fill: 'rgba(9,105,218,0.08)', points: { show: true, size: 6, fill: '#0969da' } },
        ],
        legend: { show: true },
      },
      [points.map((_p, i) => i), points.map((p) => p.value)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, metric]);
  return (
    <figure className="chart" data-testid="accuracy-chart">
      <div ref={box} aria-hidden="true" />
      <figcaption className="small muted">
        {metric} of the last {points.length} runs with one.{' '}
        <details>
          <summary>Show the values</summary>
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">{metric}</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.runId}>
                  <td>{p.runId}</td>
                  <td>{p.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
