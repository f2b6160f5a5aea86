import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { LiveEvent } from '../src/api/types.js';
import { applyLiveEvent, type Grid } from '../src/lib/grid.js';
import { api } from './api.js';

/** How long changed queries wait before they are fetched again: a burst of events costs one refetch. */
const FLUSH_MS = 250;

/**
 * Keeps the cached data live from the `/ui/events` stream (one DAG's, or every DAG's without `dagId`): Grid cells
 * change in place at once; the other views that show the changed run or task instance fetch again, batched.
 */
export function useLiveEvents(dagId: string | undefined): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(api.eventsUrl({ dagId }), { withCredentials: true });
    const stale = new Map<string, readonly unknown[]>();
    let timer: number | null = null;
    const mark = (key: readonly unknown[]) => {
      stale.set(JSON.stringify(key), key);
      timer ??= window.setTimeout(() => {
        timer = null;
        for (const k of stale.values()) void queryClient.invalidateQueries({ queryKey: k });
        stale.clear();
      }, FLUSH_MS);
    };
    const onEvent = (message: MessageEvent<string>) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(message.data) as LiveEvent;
      } catch {
        return;
      }
      applyToCache(queryClient, event, mark);
    };
    source.addEventListener('dag_run', onEvent);
    source.addEventListener('task_instance', onEvent);
    source.addEventListener('resync', () => void queryClient.invalidateQueries());
    // Events sent while the stream was down are lost: after a reconnect, fetch what is shown again.
    let dropped = false;
    source.addEventListener('error', () => {
      dropped = true;
    });
    source.addEventListener('open', () => {
      if (dropped) void queryClient.invalidateQueries();
      dropped = false;
    });
    return () => {
      source.close();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [dagId, queryClient]);
}

function applyToCache(queryClient: QueryClient, event: LiveEvent, mark: (key: readonly unknown[]) => void): void {
  if (event.type === 'resync') {
    void queryClient.invalidateQueries();
    return;
  }
  const { dag_id: dagId, dag_run_id: runId } = event;
  for (const [key, grid] of queryClient.getQueriesData<Grid>({ queryKey: ['grid', dagId] })) {
    if (!grid) continue;
    const next = applyLiveEvent(grid, dagId, event);
    if (next === null) mark(key);
    else if (next !== grid) queryClient.setQueryData(key, next);
  }
  mark(['dagRuns', dagId]);
  mark(['runs', dagId]);
  mark(['run', dagId, runId]);
  mark(['runTis', dagId, runId]);
  mark(['gantt', dagId, runId]);
  if (event.type === 'dag_run') {
    // A finished run has its duration now: the run bars' heights change.
    if (event.state === 'success' || event.state === 'failed') mark(['grid', dagId]);
    mark(['dag', dagId]);
    mark(['recentDagRuns']);
    mark(['report', dagId, runId]);
    mark(['accuracy', dagId]);
  } else {
    mark(['ti', dagId, runId, event.task_id]);
    mark(['tries', dagId, runId, event.task_id]);
    mark(['xcoms', dagId, runId, event.task_id]);
  }
}
