import type { DagRun, MetadataStore } from '@updraft/store';
import type { RunDates } from './serialize/runs.js';

/** Only when a run vanished between two reads (deleted meanwhile). */
export const FALLBACK_DATES: RunDates = { runAfter: new Date(0), logicalDate: null };

/** The key of a run in the maps {@link runDatesFor} returns. */
export function runKey(item: { dagId: string; runId: string }): string {
  return `${item.dagId}\0${item.runId}`;
}

/**
 * The dates of the runs that listed rows (task instances, XComs) belong to, which their responses repeat: one
 * query per distinct run not among `known`.
 */
export async function runDatesFor(store: MetadataStore, items: readonly { dagId: string; runId: string }[], known: readonly DagRun[] = []): Promise<Map<string, RunDates>> {
  const runs = new Map<string, RunDates>();
  for (const run of known) runs.set(runKey(run), run);
  for (const item of items) {
    const key = runKey(item);
    if (runs.has(key)) continue;
    const run = await store.getDagRun(item.dagId, item.runId);
    if (run) runs.set(key, run);
  }
  return runs;
}
