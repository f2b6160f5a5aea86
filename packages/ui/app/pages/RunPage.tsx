import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { formatDate, formatDuration } from '../../src/lib/format.js';
import { buildGantt } from '../../src/lib/gantt.js';
import { locateReport } from '../../src/lib/report.js';
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

  // What the run's tasks returned and pushed: the report's path and the task that pushed the metric.
  const outputs = useQuery({
    queryKey: ['report', dagId, runId],
    queryFn: async () => {
      const [folders, lists] = await Promise.all([api.listOutputFolders().catch(() => ({ folders: [] as string[] })), Promise.all((tis.data ?? []).map((t) => api.listXComs(dagId, runId, t.task_id)))]);
      const entries = lists.flatMap((l) => l.xcom_entries);
      const metricTask = entries.find((x) => x.key === METRIC)?.task_id ?? null;
      const returns = await Promise.all(entries.filter((x) => x.key === 'return_value').map((x) => api.getXCom(dagId, runId, x.task_id, x.key).then((v) => v.value)));
      const file = locateReport(returns, folders.folders);
      const text = file ? await api.getOutputText(file.folder, file.path) : null;
      return { metricTask, file, text };
    },
    enabled: tis.data !== undefined,
  });

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
      {outputs.isError && <ErrorMessage error={outputs.error} title="The run's outputs could not be read" />}
      {outputs.data?.metricTask && <MetricCard dagId={dagId} taskId={outputs.data.metricTask} />}
      {outputs.data?.file && (
        <Card title="Report" actions={<code className="small muted">{`${outputs.data.file.folder}/${outputs.data.file.path}`}</code>}>
          <Suspense fallback={<Loading label="Rendering the report" />}>
            <Markdown source={outputs.data.text ?? ''} testId="report" />
          </Suspense>
        </Card>
      )}
    </div>
  );
}

function MetricCard({ dagId, taskId }: { dagId: string; taskId: string }) {
  const q = useQuery({
    queryKey: ['accuracy', dagId, taskId],
    queryFn: async () => {
      const { runs } = await api.latestDagRuns(dagId, CHART_RUNS);
      const ordered = [...runs].reverse();
      const values = await api.xcomAcrossRuns(
        dagId,
        taskId,
        METRIC,
        ordered.map((r) => r.dag_run_id),
      );
      return ordered.flatMap((r, i) => {
        const v = values[i];
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
