import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatDate, formatDuration } from '../../src/lib/format.js';
import { isFinished, stateStyle } from '../../src/lib/states.js';
import { api, errorText } from '../api.js';
import { useCan } from '../auth.js';
import { LogView } from './LogView.js';
import { ErrorMessage, Json, Loading, StateBadge } from './ui.js';

type Action = 'clear' | 'success' | 'failed';

const ACTION_WORDS: Record<Action, { button: string; confirm: string }> = {
  clear: { button: 'Clear', confirm: 'run it again' },
  success: { button: 'Mark success', confirm: 'mark it successful' },
  failed: { button: 'Mark failed', confirm: 'mark it failed' },
};

/** One task instance: every try with its live log and timing, its XComs, and the op/admin actions. */
export function TaskInstancePanel({ dagId, runId, taskId, onClose }: { dagId: string; runId: string; taskId: string; onClose: () => void }) {
  const canAct = useCan('op');
  const ti = useQuery({ queryKey: ['ti', dagId, runId, taskId], queryFn: () => api.getTaskInstance(dagId, runId, taskId) });
  const tries = useQuery({ queryKey: ['tries', dagId, runId, taskId], queryFn: () => api.listTries(dagId, runId, taskId) });
  const [chosenTry, setChosenTry] = useState<number | null>(null);
  const [pending, setPending] = useState<Action | null>(null);
  const queryClient = useQueryClient();
  const act = useMutation({
    mutationFn: (action: Action) =>
      action === 'clear'
        ? api.clearTaskInstances(dagId, { dry_run: false, dag_run_id: runId, task_ids: [taskId], only_failed: false, reset_dag_runs: true })
        : api.markTaskInstance(dagId, runId, taskId, action),
    onSuccess: () => {
      setPending(null);
      void queryClient.invalidateQueries({ queryKey: ['ti', dagId, runId, taskId] });
      void queryClient.invalidateQueries({ queryKey: ['tries', dagId, runId, taskId] });
      void queryClient.invalidateQueries({ queryKey: ['grid', dagId] });
    },
  });

  const list = tries.data?.task_instances ?? [];
  const current = ti.data;
  const shownTry = chosenTry ?? (list.length > 0 ? (list[list.length - 1]?.try_number ?? null) : null);
  const tryInfo = list.find((t) => t.try_number === shownTry);
  const titleId = `ti-${taskId}`;

  return (
    <aside className="panel" aria-labelledby={titleId} data-testid="ti-panel">
      <header className="panel-head">
        <div>
          <p className="eyebrow">Task instance</p>
          <h2 id={titleId}>{taskId}</h2>
          <p className="muted small">
            in <Link to={`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(runId)}`}>{runId}</Link>
          </p>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close the task instance panel">
          ✕
        </button>
      </header>
      {ti.isPending && <Loading label="Loading the task instance" />}
      {ti.isError && <ErrorMessage error={ti.error} retry={() => void ti.refetch()} />}
      {current && (
        <>
          <div className="panel-row">
            <StateBadge state={current.state} />
            <span className="muted small">
              try {current.try_number} of {Math.max(current.max_tries, current.try_number)}
            </span>
          </div>
          {canAct && (
            <div className="actions-row" role="group" aria-label="Actions">
              {(['clear', 'success', 'failed'] as const).map((a) => (
                <button key={a} type="button" className={`button small ${a === 'failed' ? 'danger' : ''}`} onClick={() => setPending(a)} disabled={act.isPending}>
                  {ACTION_WORDS[a].button}
                </button>
              ))}
            </div>
          )}
          {pending && (
            <div className="confirm" role="alertdialog" aria-labelledby="confirm-text">
              <p id="confirm-text">
                {ACTION_WORDS[pending].button} <strong>{taskId}</strong> in this run: {ACTION_WORDS[pending].confirm}?
              </p>
              <button type="button" className="button small primary" onClick={() => act.mutate(pending)} autoFocus>
                Confirm
              </button>
              <button type="button" className="button small" onClick={() => setPending(null)}>
                Cancel
              </button>
            </div>
          )}
          {act.isError && (
            <p className="error-text" role="alert">
              {errorText(act.error)}
            </p>
          )}
          <dl className="facts">
            <dt>Started</dt>
            <dd>{formatDate(current.start_date)}</dd>
            <dt>Ended</dt>
            <dd>{formatDate(current.end_date)}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(current.duration)}</dd>
            <dt>Queued</dt>
            <dd>{formatDate(current.queued_when)}</dd>
            <dt>Host</dt>
            <dd>{current.hostname ?? '—'}</dd>
            <dt>Operator</dt>
            <dd>{current.operator ?? '—'}</dd>
          </dl>
        </>
      )}

      <section aria-labelledby="tries-title">
        <h3 id="tries-title">Tries and logs</h3>
        {tries.isError && <ErrorMessage error={tries.error} />}
        {list.length === 0 && tries.data && <p className="muted">No try yet: the log appears when the task starts.</p>}
        {list.length > 0 && (
          <div role="tablist" aria-label="Tries" className="tabs small-tabs">
            {list.map((t) => (
              <button
                key={t.try_number}
                type="button"
                role="tab"
                aria-selected={t.try_number === shownTry}
                aria-controls="try-panel"
                onClick={() => setChosenTry(t.try_number)}
                className="tab"
              >
                Try {t.try_number} <StateDotInline state={t.state} />
              </button>
            ))}
          </div>
        )}
        {tryInfo && shownTry !== null && (
          <div id="try-panel" role="tabpanel">
            <p className="small muted">
              {formatDate(tryInfo.start_date)} → {formatDate(tryInfo.end_date)} · {formatDuration(tryInfo.duration)}
            </p>
            <LogView
              key={shownTry}
              dagId={dagId}
              runId={runId}
              taskId={taskId}
              tryNumber={shownTry}
              finished={isFinished(tryInfo.state) || (current !== undefined && shownTry < current.try_number)}
            />
          </div>
        )}
      </section>
      <XComList dagId={dagId} runId={runId} taskId={taskId} />
    </aside>
  );
}

function StateDotInline({ state }: { state: Parameters<typeof StateBadge>[0]['state'] }) {
  return <span className="state-text">{stateStyle(state).label}</span>;
}

function XComList({ dagId, runId, taskId }: { dagId: string; runId: string; taskId: string }) {
  const list = useQuery({ queryKey: ['xcoms', dagId, runId, taskId], queryFn: () => api.listXComs(dagId, runId, taskId) });
  return (
    <section aria-labelledby="xcom-title">
      <h3 id="xcom-title">XComs</h3>
      {list.isError && <ErrorMessage error={list.error} />}
      {list.data && list.data.xcom_entries.length === 0 && <p className="muted">No XComs.</p>}
      {list.data && list.data.xcom_entries.length > 0 && (
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {list.data.xcom_entries.map((x) => (
              <tr key={x.key}>
                <th scope="row">
                  <code>{x.key}</code>
                </th>
                <td>
                  <XComValue dagId={dagId} runId={runId} taskId={taskId} xkey={x.key} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function XComValue({ dagId, runId, taskId, xkey }: { dagId: string; runId: string; taskId: string; xkey: string }) {
  const q = useQuery({ queryKey: ['xcoms', dagId, runId, taskId, xkey], queryFn: () => api.getXCom(dagId, runId, taskId, xkey) });
  if (q.isError) return <span className="error-text small">{errorText(q.error)}</span>;
  if (!q.data) return <span className="muted">…</span>;
  const v = q.data.value;
  return (
    <span data-testid={`xcom-${xkey}`} className="xcom-value">
      {typeof v === 'object' && v !== null ? <Json value={v} /> : <code>{JSON.stringify(v)}</code>}
    </span>
  );
}
