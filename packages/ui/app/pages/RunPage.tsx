import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { RunReportResponse } from '../../src/api/types.js';
import { formatDate, formatDuration } from '../../src/lib/format.js';
import { buildGantt } from '../../src/lib/gantt.js';
import { isActive } from '../../src/lib/states.js';
import { topologicalOrder } from '../../src/lib/topo.js';
import { api } from '../api.js';
import { GanttView } from '../components/Gantt.js';
import { Card, ErrorMessage, Json, Loading, StateBadge } from '../components/ui.js';
import { useLiveEvents } from '../live.js';

const Markdown = lazy(() => import('../components/Markdown.js'));
const AccuracyChart = lazy(() => import('../components/AccuracyChart.js'));

/** The XCom key charted across runs (the tutorial's contract). */
const METRIC = 'accuracy';
/** How many of the latest runs the chart reads. */
const CHART_RUNS = 100;

/** One run: its Gantt chart, conf, the report it wrote, and the accuracy across the DAG's runs. */
export function RunPage() {
  const { dagId = '', runId = '' } = useParams();
  const navigate = useNavigate();
  useLiveEvents(dagId);
  const run = useQuery({ queryKey: ['run', dagId, runId], queryFn: () => api.getDagRun(dagId, runId) });
  const tis = useQuery({ queryKey: ['runTis', dagId, runId], queryFn: () => api.listRunTaskInstances(dagId, runId) });
  const tasks = useQuery({ queryKey: ['tasks', dagId], queryFn: () => api.listTasks(dagId), staleTime: 60_000 });
  const started = (tis.data ?? []).filter((t) => t.try_number > 0).map((t) => `${t.task_id}:${t.try_number}:${t.state}`).join(',');
  const tries = useQuery({
    queryKey: ['gantt', dagId, runId, started],
    queryFn: async () => {
      const list = (tis.data ?? []).filter((t) => t.try_number > 0);
      const all = await Promise.all(list.map((t) => api.listTries(dagId, runId, t.task_id)));
      return all.flatMap((r) => r.task_instances);
    },
    enabled: tis.data !== undefined,
    placeholderData: (prev) => prev,
  });
  const anyActive = (tis.data ?? []).some((t) => isActive(t.state));
  const chart = useMemo(() => {
    const order = tasks.data ? topologicalOrder(tasks.data.tasks) : (tis.data ?? []).map((t) => t.task_id);
    return buildGantt(order, tries.data ?? [], Date.now());
  }, [tasks.data, tis.data, tries.data]);

  // The task that pushed the metric, and the report the run's tasks wrote (the server finds it among the output folders).
  const metricTask = useQuery({
    // Under 'report': the live stream refetches both when the run's state changes.
    queryKey: ['report', dagId, runId, METRIC],
    queryFn: async () => (await api.findRunXComs(dagId, runId, METRIC))[0]?.task_id ?? null,
  });
  const report = useQuery({ queryKey: ['report', dagId, runId, 'file'], queryFn: () => api.getRunReport(dagId, runId) });

  if (run.isError) return <ErrorMessage error={run.error} retry={() => void run.refetch()} title={`Run ${runId} could not be loaded`} />;
  const r = run.data;
  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">DAGs</Link> <span aria-hidden="true">/</span> <Link to={`/dags/${encodeURIComponent(dagId)}`}>{dagId}</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{runId}</span>
      </nav>
      <div className="page-head">
        <h1 className="run-title">{runId}</h1>
        {r && <StateBadge state={r.state} />}
      </div>
      {r && (
        <dl className="inline-facts">
          <dt>Type</dt>
          <dd>{r.run_type}</dd>
          <dt>Run after</dt>
          <dd>{formatDate(r.run_after)}</dd>
          <dt>Started</dt>
          <dd>{formatDate(r.start_date)}</dd>
          <dt>Ended</dt>
          <dd>{formatDate(r.end_date)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(r.duration)}</dd>
        </dl>
      )}
      <div className="run-grid">
        <Card title="Gantt" actions={anyActive && <span className="live small">● live</span>}>
          {(tis.isPending || tries.isPending) && <Loading label="Loading tries" />}
          {tis.isError && <ErrorMessage error={tis.error} />}
          {tries.isError && <ErrorMessage error={tries.error} />}
          {tries.data && <GanttView chart={chart} onOpen={(task) => void navigate(`/dags/${encodeURIComponent(dagId)}?run=${encodeURIComponent(runId)}&task=${encodeURIComponent(task)}`)} />}
        </Card>
        <Card title="Conf">{r ? Object.keys(r.conf ?? {}).length > 0 ? <Json value={r.conf} /> : <p className="muted">No conf: the params' defaults applied.</p> : <Loading />}</Card>
      </div>
      {metricTask.isError && <ErrorMessage error={metricTask.error} title={`The run's ${METRIC} could not be read`} />}
      {metricTask.data && <MetricCard dagId={dagId} taskId={metricTask.data} />}
      {report.isError && <ErrorMessage error={report.error} title="The run's report could not be read" />}
      {report.data && <ReportCard report={report.data} />}
    </div>
  );
}

function ReportCard({ report }: { report: RunReportResponse }) {
  const type = report.media_type.split(';')[0]?.trim() ?? '';
  return (
    <Card
      title="Report"
      actions={
        <a className="small" href={report.url} target="_blank" rel="noreferrer">
          <code>{`${report.folder}/${report.path}`}</code>
        </a>
      }
    >
      {report.rewritten && (
        <p className="notice" role="note" data-testid="report-rewritten">
          {report.rewritten_by_run_id ? (
            <>
              Run <Link to={`/dags/${encodeURIComponent(report.dag_id)}/runs/${encodeURIComponent(report.rewritten_by_run_id)}`}>{report.rewritten_by_run_id}</Link> wrote
              this file again later: what is shown is that run&apos;s report, not this one&apos;s.
            </>
          ) : (
            <>This file was written again at {formatDate(report.modified_at)}, after {report.task_id} returned it: it may not be this run&apos;s report.</>
          )}
        </p>
      )}
      {report.truncated && <p className="notice" role="note">Only the first part of the file is shown: open it for the rest.</p>}
      {type === 'text/markdown' ? (
        <Suspense fallback={<Loading label="Rendering the report" />}>
          <Markdown source={report.content} testId="report" />
        </Suspense>
      ) : type === 'text/html' ? (
        // A page written by a task is not shown inside the app: the server serves it sandboxed, without scripts.
        <p data-testid="report">
          An HTML report:{' '}
          <a href={report.url} target="_blank" rel="noreferrer">
            open it
          </a>
          .
        </p>
      ) : (
        <pre className="code" data-testid="report">
          {report.content}
        </pre>
      )}
    </Card>
  );
}

function MetricCard({ dagId, taskId }: { dagId: string; taskId: string }) {
  const q = useQuery({
    queryKey: ['accuracy', dagId, taskId],
    queryFn: async () => {
      const { runs } = await api.latestDagRuns(dagId, CHART_RUNS);
      const values = await api.xcomValues(dagId, taskId, METRIC, CHART_RUNS);
      return [...runs].reverse().flatMap((r) => {
        const v = values.get(r.dag_run_id);
        return typeof v === 'number' ? [{ runId: r.dag_run_id, at: Date.parse(r.run_after), value: v }] : [];
      });
    },
  });
  return (
    <Card title={`${METRIC} across runs`} actions={<code className="small muted">{taskId}</code>}>
      {q.isPending && <Loading label={`Loading ${METRIC}`} />}
      {q.isError && <ErrorMessage error={q.error} />}
      {q.data && (
        <Suspense fallback={<Loading label="Drawing the chart" />}>
          <AccuracyChart points={q.data} metric={METRIC} />
        </Suspense>
      )}
    </Card>
  );
}
