import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { DAGResponse, DAGRunResponse } from '../../src/api/types.js';
import { formatDate, relativeTime } from '../../src/lib/format.js';
import { api } from '../api.js';
import { useCan } from '../auth.js';
import { ImportErrorsBanner } from '../components/ImportErrors.js';
import { PauseToggle } from '../components/PauseToggle.js';
import { TriggerButton } from '../components/TriggerDialog.js';
import { ErrorMessage, Loading, StateDot } from '../components/ui.js';
import { useLiveEvents } from '../live.js';

type StatusFilter = 'all' | 'active' | 'paused';

const PAGE = 50;
/** Latest runs shown per DAG. */
const RECENT_RUNS = 10;

/** Every DAG: search, tag and status filters, pause switch, trigger, the last runs, next run, schedule, owner. */
export function DagListPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const tags = params.getAll('tag');
  const status = (params.get('status') ?? 'all') as StatusFilter;
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const deferredSearch = useDeferredValue(search);
  const canTrigger = useCan('op');
  useLiveEvents(undefined);

  const list = useQuery({
    queryKey: ['dags', { search: deferredSearch, tags, status, offset }],
    queryFn: () => api.listDags({ search: deferredSearch, tags, paused: status === 'all' ? undefined : status === 'paused', limit: PAGE, offset }),
    placeholderData: keepPreviousData,
  });
  // Tags to filter by come from all DAGs, not the filtered ones, so choosing one does not hide the others.
  const tagList = useQuery({ queryKey: ['dags', 'all-tags'], queryFn: () => api.listDagTags(), staleTime: 60_000 });
  const allTags = tagList.data ?? [];
  // The latest runs of the DAGs on this page, in one request.
  const pageIds = useMemo(() => (list.data?.dags ?? []).map((d) => d.dag_id), [list.data]);
  const recent = useQuery({
    queryKey: ['recentDagRuns', pageIds],
    queryFn: () => api.recentDagRuns(pageIds, RECENT_RUNS),
    enabled: pageIds.length > 0,
    placeholderData: keepPreviousData,
  });

  const marked = useRef(false);
  useEffect(() => {
    if (list.data && !marked.current) {
      marked.current = true;
      performance.mark('updraft:dag-list-rendered');
    }
  }, [list.data]);

  // Each change builds on the last one asked for, not on this render's URL: the router's own functional update
  // reads the URL of the last render, so two changes before a render (clear the search, then click a tag) would
  // lose the first. The pending URL is dropped once the router shows it.
  const pending = useRef<string | null>(null);
  useEffect(() => {
    if (pending.current === params.toString()) pending.current = null;
  }, [params]);
  const update = (change: (p: URLSearchParams) => void, keepPage = false) => {
    const next = new URLSearchParams(pending.current ?? params);
    // A new filter starts at the first page.
    if (!keepPage) next.delete('offset');
    change(next);
    pending.current = next.toString();
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>DAGs</h1>
        {list.data && (
          <span className="muted" aria-live="polite">
            {list.data.total_entries} {list.data.total_entries === 1 ? 'DAG' : 'DAGs'}
          </span>
        )}
      </div>
      <ImportErrorsBanner />
      <div className="toolbar" role="search">
        <label className="search">
          <span className="visually-hidden">Search DAGs</span>
          <input
            type="search"
            placeholder="Search DAGs"
            value={search}
            onChange={(e) => {
              // Read now: the update runs later, when React has already put the old value back in the input.
              const value = e.target.value;
              update((p) => (value ? p.set('search', value) : p.delete('search')));
            }}
          />
        </label>
        <div className="segmented" role="group" aria-label="Status">
          {(['all', 'active', 'paused'] as const).map((s) => (
            <button key={s} type="button" aria-pressed={status === s} onClick={() => update((p) => (s === 'all' ? p.delete('status') : p.set('status', s)))}>
              {s[0]?.toUpperCase() + s.slice(1)}
            </button>
          ))}
        </div>
        {allTags.length > 0 && (
          <div className="tags" role="group" aria-label="Filter by tag">
            {allTags.map((t) => {
              const on = tags.includes(t);
              return (
                <button
                  key={t}
                  type="button"
                  className={`tag ${on ? 'on' : ''}`}
                  aria-pressed={on}
                  onClick={() =>
                    update((p) => {
                      const current = p.getAll('tag');
                      p.delete('tag');
                      for (const x of current.includes(t) ? current.filter((y) => y !== t) : [...current, t]) p.append('tag', x);
                    })
                  }
                >
                  {t}
                </button>
              );
            })}
          </div>
        )}
      </div>
      {list.isPending && <Loading label="Loading DAGs" />}
      {list.isError && <ErrorMessage error={list.error} retry={() => void list.refetch()} title="The DAGs could not be loaded" />}
      {list.data && list.data.dags.length === 0 && <p className="empty">No DAG matches these filters.</p>}
      {list.data && list.data.dags.length > 0 && (
        <div className="table-wrap">
          <table className="table dags" aria-label="DAGs">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Active</span>
                </th>
                <th scope="col">DAG</th>
                <th scope="col">Owner</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next run</th>
                <th scope="col">Last runs</th>
                {canTrigger && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.data.dags.map((dag) => (
                <DagRow key={dag.dag_id} dag={dag} canTrigger={canTrigger} runs={recent.data?.get(dag.dag_id)} runsError={recent.isError} />
              ))}
            </tbody>
          </table>
          {list.data.total_entries > PAGE && (
            <div className="pager">
              <button type="button" className="button small" disabled={offset === 0} onClick={() => update((p) => p.set('offset', String(Math.max(0, offset - PAGE))), true)}>
                ← Previous
              </button>
              <span className="small muted">
                {offset + 1}–{offset + list.data.dags.length} of {list.data.total_entries}
              </span>
              <button type="button" className="button small" disabled={offset + PAGE >= list.data.total_entries} onClick={() => update((p) => p.set('offset', String(offset + PAGE)), true)}>
                Next →
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function DagRow({ dag, canTrigger, runs, runsError }: { dag: DAGResponse; canTrigger: boolean; runs: DAGRunResponse[] | undefined; runsError: boolean }) {
  return (
    <tr data-testid="dag-row" data-dag-id={dag.dag_id}>
      <td>
        <PauseToggle dag={dag} />
      </td>
      <td className="dag-cell">
        <Link to={`/dags/${encodeURIComponent(dag.dag_id)}`} className="dag-link">
          {dag.dag_display_name}
        </Link>
        {dag.description && (
          <p className="muted small description" data-testid="dag-description">
            {dag.description}
          </p>
        )}
        {dag.tags.length > 0 && (
          <ul className="tag-list" aria-label="Tags">
            {dag.tags.map((t) => (
              <li key={t.name} className="tag small">
                {t.name}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>{dag.owners.join(', ') || '—'}</td>
      <td>
        <code>{dag.timetable_summary ?? 'None'}</code>
      </td>
      <td>{dag.next_dagrun_run_after ? <time dateTime={dag.next_dagrun_run_after} title={formatDate(dag.next_dagrun_run_after)}>{relativeTime(dag.next_dagrun_run_after, Date.now())}</time> : '—'}</td>
      <td>
        <RecentRuns dagId={dag.dag_id} runs={runs} error={runsError} />
      </td>
      {canTrigger && (
        <td className="actions">
          <TriggerButton dagId={dag.dag_id} className="button small" />
        </td>
      )}
    </tr>
  );
}

/** The DAG's latest runs (newest first), drawn oldest first. */
function RecentRuns({ dagId, runs, error }: { dagId: string; runs: DAGRunResponse[] | undefined; error: boolean }) {
  if (error) return <span className="error-text small">runs unavailable</span>;
  if (!runs) return <span className="muted small">…</span>;
  if (runs.length === 0) return <span className="muted small">no runs</span>;
  return (
    <ol className="marks" aria-label={`Last ${runs.length} runs, newest last`}>
      {[...runs].reverse().map((r) => (
        <li key={r.dag_run_id}>
          <Link to={`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(r.dag_run_id)}`} data-testid="run-mark" data-state={r.state}>
            <StateDot state={r.state} label={`${r.dag_run_id}: ${r.state}`} />
          </Link>
        </li>
      ))}
    </ol>
  );
}
