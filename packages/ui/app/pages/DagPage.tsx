import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, type KeyboardEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { TaskInstanceState } from '../../src/api/types.js';
import { formatDate, formatDuration, relativeTime } from '../../src/lib/format.js';
import { buildGrid } from '../../src/lib/grid.js';
import { api } from '../api.js';
import { useCan } from '../auth.js';
import { GridView } from '../components/Grid.js';
import { Legend } from '../components/Legend.js';
import { PauseToggle } from '../components/PauseToggle.js';
import { TaskInstancePanel } from '../components/TaskInstancePanel.js';
import { TriggerButton } from '../components/TriggerDialog.js';
import { Card, ErrorMessage, Json, Loading, StateBadge } from '../components/ui.js';
import { useLiveEvents } from '../live.js';

const GraphView = lazy(() => import('../components/Graph.js'));
const Markdown = lazy(() => import('../components/Markdown.js'));

const TABS = ['grid', 'graph', 'code', 'runs', 'details'] as const;
type Tab = (typeof TABS)[number];
const RUN_COUNTS = [25, 50, 100, 365, 1000];

/** A DAG: Grid, Graph, Code, Runs and Details, with the task instance panel beside them. */
export function DagPage() {
  const { dagId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'grid';
  const runCount = Number(params.get('runs')) || 25;
  const selRun = params.get('run');
  const selTask = params.get('task');
  const canTrigger = useCan('op');
  useLiveEvents(dagId);

  const dag = useQuery({ queryKey: ['dag', dagId], queryFn: () => api.getDag(dagId) });
  const grid = useQuery({
    queryKey: ['grid', dagId, runCount],
    queryFn: async () => {
      const [data, tasks] = await Promise.all([api.gridData(dagId, runCount), api.listTasks(dagId)]);
      return buildGrid(data.runs, tasks.tasks, data.taskInstances);
    },
    placeholderData: keepPreviousData,
  });
  const tasks = useQuery({ queryKey: ['tasks', dagId], queryFn: () => api.listTasks(dagId), staleTime: 60_000 });

  const set = (change: Record<string, string | null>) => {
    // Switching tabs is a step back can undo; selecting cells and run counts is not.
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(change)) {
          if (v === null) next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: !('tab' in change) },
    );
  };

  // The Graph shows the chosen run, else the latest.
  const graphRun = useMemo(() => {
    const g = grid.data;
    if (!g || g.runs.length === 0) return null;
    const col = selRun ? g.runs.findIndex((r) => r.runId === selRun) : -1;
    return col >= 0 ? col : g.runs.length - 1;
  }, [grid.data, selRun]);
  const graphStates = useMemo(() => {
    const out: Record<string, TaskInstanceState | null> = {};
    const g = grid.data;
    if (g && graphRun !== null) for (const id of g.taskIds) out[id] = g.cells[id]?.[graphRun]?.state ?? null;
    return out;
  }, [grid.data, graphRun]);

  if (dag.isError) return <ErrorMessage error={dag.error} retry={() => void dag.refetch()} title={`DAG ${dagId} could not be loaded`} />;

  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : null;
    if (!next) return;
    e.preventDefault();
    set({ tab: next });
    document.getElementById(`tab-${next}`)?.focus();
  };

  const graphRunInfo = graphRun !== null ? grid.data?.runs[graphRun] : undefined;

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">DAGs</Link> <span aria-hidden="true">/</span> <span aria-current="page">{dagId}</span>
      </nav>
      <div className="page-head dag-head">
        {dag.data && <PauseToggle dag={dag.data} />}
        <h1>{dagId}</h1>
        {dag.data?.tags.map((t) => (
          <span key={t.name} className="tag small">
            {t.name}
          </span>
        ))}
        <div className="spacer" />
        {canTrigger && <TriggerButton dagId={dagId} />}
      </div>
      {dag.data && (
        <div className="dag-meta">
          {dag.data.description && <p className="description">{dag.data.description}</p>}
          <dl className="inline-facts">
            <dt>Schedule</dt>
            <dd>
              <code>{dag.data.timetable_summary ?? 'None'}</code>
            </dd>
            <dt>Next run</dt>
            <dd>{dag.data.next_dagrun_run_after ? relativeTime(dag.data.next_dagrun_run_after, Date.now()) : '—'}</dd>
            <dt>Owner</dt>
            <dd>{dag.data.owners.join(', ') || '—'}</dd>
          </dl>
        </div>
      )}

      <div className="tabs" role="tablist" aria-label="DAG views" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t}
            id={`tab-${t}`}
            type="button"
            role="tab"
            className="tab"
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => set({ tab: t })}
          >
            {t[0]?.toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>

      <div className={`dag-body ${selRun && selTask ? 'with-panel' : ''}`}>
        <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="dag-main">
          {tab === 'grid' && (
            <Card
              title="Grid"
              actions={
                <label className="small">
                  Runs shown{' '}
                  <select value={runCount} onChange={(e) => set({ runs: e.target.value })}>
                    {RUN_COUNTS.map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
              }
            >
              {grid.isPending && <Loading label="Loading runs" />}
              {grid.isError && <ErrorMessage error={grid.error} retry={() => void grid.refetch()} />}
              {grid.data && <GridView grid={grid.data} dagId={dagId} selected={{ runId: selRun, taskId: selTask }} onSelect={(run, task) => set({ run, task })} />}
              <Legend />
            </Card>
          )}
          {tab === 'graph' && (
            <Card title={graphRunInfo ? <>Graph · {graphRunInfo.runId}</> : 'Graph'} actions={graphRunInfo && <StateBadge state={graphRunInfo.state} />}>
              {(tasks.isPending || grid.isPending) && <Loading label="Loading the graph" />}
              {tasks.isError && <ErrorMessage error={tasks.error} />}
              {tasks.data && (
                <Suspense fallback={<Loading label="Loading the graph" />}>
                  <GraphView
                    tasks={tasks.data.tasks}
                    states={graphStates}
                    selectedTask={selTask}
                    onOpen={(task) => graphRunInfo && set({ run: graphRunInfo.runId, task })}
                  />
                </Suspense>
              )}
              <Legend />
            </Card>
          )}
          {tab === 'code' && <CodeTab dagId={dagId} />}
          {tab === 'runs' && <RunsTab dagId={dagId} />}
          {tab === 'details' && <DetailsTab dagId={dagId} />}
        </div>
        {selRun && selTask && (
          <TaskInstancePanel key={`${selRun}/${selTask}`} dagId={dagId} runId={selRun} taskId={selTask} onClose={() => set({ task: null })} />
        )}
      </div>
    </div>
  );
}

function CodeTab({ dagId }: { dagId: string }) {
  const q = useQuery({ queryKey: ['source', dagId], queryFn: () => api.getDagSource(dagId) });
  const dag = useQuery({ queryKey: ['dag', dagId], queryFn: () => api.getDag(dagId) });
  return (
    <Card title="Code" actions={dag.data && <code className="small muted">{dag.data.fileloc}</code>}>
      {q.isPending && <Loading label="Loading the DAG file" />}
      {q.isError && <ErrorMessage error={q.error} retry={() => void q.refetch()} />}
      {q.data && q.data.content === null && <p className="muted">The server cannot read this DAG's file.</p>}
      {q.data?.content != null && (
        <pre className="code" tabIndex={0} aria-label={`Source of ${dagId}`} data-testid="dag-source">
          {q.data.content.split('\n').map((line, i) => (
            <span key={i} className="code-line">
              {line}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </Card>
  );
}

const PAGE = 25;

function RunsTab({ dagId }: { dagId: string }) {
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const q = useQuery({ queryKey: ['runs', dagId, offset], queryFn: () => api.listDagRuns(dagId, { limit: PAGE, offset }), placeholderData: keepPreviousData });
  const go = (o: number) => {
    const next = new URLSearchParams(params);
    next.set('offset', String(o));
    setParams(next, { replace: true });
  };
  return (
    <Card title="Runs" actions={q.data && <span className="muted small">{q.data.total_entries} in all</span>}>
      {q.isPending && <Loading label="Loading runs" />}
      {q.isError && <ErrorMessage error={q.error} retry={() => void q.refetch()} />}
      {q.data && q.data.dag_runs.length === 0 && <p className="empty">No runs yet.</p>}
      {q.data && q.data.dag_runs.length > 0 && (
        <>
          <table className="table" aria-label="Runs, newest first">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">State</th>
                <th scope="col">Type</th>
                <th scope="col">Run after</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {q.data.dag_runs.map((r) => (
                <tr key={r.dag_run_id}>
                  <td>
                    <Link to={`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(r.dag_run_id)}`}>{r.dag_run_id}</Link>
                  </td>
                  <td>
                    <StateBadge state={r.state} />
                  </td>
                  <td>{r.run_type}</td>
                  <td>{formatDate(r.run_after)}</td>
                  <td>{formatDate(r.start_date)}</td>
                  <td>{formatDuration(r.duration)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" className="button small" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE))}>
              ← Newer
            </button>
            <span className="small muted">
              {offset + 1}–{offset + q.data.dag_runs.length} of {q.data.total_entries}
            </span>
            <button type="button" className="button small" disabled={offset + PAGE >= q.data.total_entries} onClick={() => go(offset + PAGE)}>
              Older →
            </button>
          </div>
        </>
      )}
    </Card>
  );
}

function DetailsTab({ dagId }: { dagId: string }) {
  const q = useQuery({ queryKey: ['dag', dagId, 'details'], queryFn: () => api.getDagDetails(dagId) });
  const tasks = useQuery({ queryKey: ['tasks', dagId], queryFn: () => api.listTasks(dagId), staleTime: 60_000 });
  if (q.isPending) return <Loading label="Loading details" />;
  if (q.isError) return <ErrorMessage error={q.error} retry={() => void q.refetch()} />;
  const d = q.data;
  return (
    <div className="stack">
      <Card title="Details">
        <dl className="facts wide">
          <dt>DAG id</dt>
          <dd>
            <code>{d.dag_id}</code>
          </dd>
          <dt>Description</dt>
          <dd>{d.description ?? '—'}</dd>
          <dt>Schedule</dt>
          <dd>
            <code>{d.timetable_summary ?? 'None'}</code>
          </dd>
          <dt>Start date</dt>
          <dd>{formatDate(d.start_date)}</dd>
          <dt>Catchup</dt>
          <dd>{d.catchup ? 'yes' : 'no'}</dd>
          <dt>Active runs</dt>
          <dd>{d.active_runs_count}</dd>
          <dt>Owners</dt>
          <dd>{d.owners.join(', ') || '—'}</dd>
          <dt>Tags</dt>
          <dd>{d.tags.map((t) => t.name).join(', ') || '—'}</dd>
          <dt>File</dt>
          <dd>
            <code>{d.fileloc}</code>
          </dd>
          <dt>Time zone</dt>
          <dd>{d.timezone ?? 'UTC'}</dd>
        </dl>
      </Card>
      {d.doc_md && (
        <Card title="Documentation">
          <Suspense fallback={<Loading />}>
            <Markdown source={d.doc_md} />
          </Suspense>
        </Card>
      )}
      {d.params && Object.keys(d.params).length > 0 && (
        <Card title="Params">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Default</th>
                <th scope="col">Schema</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(d.params).map(([name, p]) => (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td>
                    <code>{JSON.stringify(p.value)}</code>
                  </td>
                  <td>
                    <Json value={p.schema} />
                  </td>
                  <td>{p.description ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {tasks.data && (
        <Card title="Tasks">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Operator</th>
                <th scope="col">Trigger rule</th>
                <th scope="col">Retries</th>
                <th scope="col">Downstream</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.tasks.map((t) => (
                <tr key={t.task_id}>
                  <th scope="row">
                    <code>{t.task_id}</code>
                  </th>
                  <td>{t.operator_name ?? '—'}</td>
                  <td>{t.trigger_rule ?? '—'}</td>
                  <td>{t.retries ?? 0}</td>
                  <td>{t.downstream_task_ids.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
