import { DAG_RUN_UNFINISHED_STATES, type DagRun, type MetadataStore, type TaskInstance } from '@updraft/store';
import type { ApiEvent } from './events.js';

/** Task instances read per poll, newest change first. */
const TI_BATCH = 500;
/** Recently created runs read per poll (to see runs created already finished). */
const RUN_BATCH = 100;

const runKey = (r: { dagId: string; runId: string }) => `${r.dagId}\0${r.runId}`;
const tiKey = (t: TaskInstance) => `${t.dagId}\0${t.runId}\0${t.taskId}\0${t.mapIndex}`;
const tiSignature = (t: TaskInstance) => `${t.state ?? ''}\0${t.tryNumber}`;

/**
 * Finds state changes by reading the store, for a scheduler in another process. The first poll takes a
 * baseline and reports nothing (clients read the current state through REST). Runs: the unfinished ones and the
 * latest created are compared with what was seen; a run that left the unfinished set is read once more.
 * Task instances: those updated since the last poll, newest first; when a whole batch is newer, some may have
 * been missed, and a `resync` is reported instead of guessing.
 */
export class StorePoller {
  readonly #store: MetadataStore;
  #runs = new Map<string, DagRun['state']>();
  #tiWatermark = 0;
  #tiAtWatermark = new Map<string, string>();
  #started = false;

  constructor(store: MetadataStore) {
    this.#store = store;
  }

  /** Reads the store once and returns the changes since the previous call. */
  async poll(): Promise<ApiEvent[]> {
    const events: ApiEvent[] = [];
    const baseline = !this.#started;
    this.#started = true;
    await this.#pollRuns(baseline ? null : events);
    await this.#pollTaskInstances(baseline ? null : events);
    return events;
  }

  async #pollRuns(events: ApiEvent[] | null): Promise<void> {
    const [unfinished, recent] = await Promise.all([
      this.#store.listDagRuns({ states: [...DAG_RUN_UNFINISHED_STATES] }),
      this.#store.listDagRuns({ orderBy: 'id', direction: 'desc', limit: RUN_BATCH }),
    ]);
    const seen = new Map<string, DagRun>();
    for (const r of [...unfinished.items, ...recent.items]) seen.set(runKey(r), r);
    for (const [key, state] of this.#runs) {
      if (seen.has(key) || !DAG_RUN_UNFINISHED_STATES.has(state)) continue;
      const [dagId, runId] = key.split('\0') as [string, string];
      const run = await this.#store.getDagRun(dagId, runId);
      if (run) seen.set(key, run);
      else this.#runs.delete(key);
    }
    const next = new Map<string, DagRun['state']>();
    for (const [key, run] of seen) {
      if (events && this.#runs.get(key) !== run.state) events.push({ type: 'dag_run', dag_id: run.dagId, dag_run_id: run.runId, state: run.state });
      next.set(key, run.state);
    }
    this.#runs = next;
  }

  async #pollTaskInstances(events: ApiEvent[] | null): Promise<void> {
    const { items } = await this.#store.listTaskInstances({ orderBy: 'updatedAt', direction: 'desc', limit: TI_BATCH });
    const fresh = items.filter((t) => t.updatedAt.getTime() >= this.#tiWatermark).reverse();
    const overflow = fresh.length === TI_BATCH && this.#tiWatermark > 0;
    if (events && overflow) events.push({ type: 'resync' });
    let watermark = this.#tiWatermark;
    for (const t of fresh) watermark = Math.max(watermark, t.updatedAt.getTime());
    const atWatermark = new Map<string, string>();
    for (const t of fresh) {
      const key = tiKey(t);
      const signature = tiSignature(t);
      const time = t.updatedAt.getTime();
      // A row stamped with the old watermark was reported already, unless it changed since.
      const reported = time === this.#tiWatermark && this.#tiAtWatermark.get(key) === signature;
      if (events && !overflow && !reported) {
        events.push({ type: 'task_instance', dag_id: t.dagId, dag_run_id: t.runId, task_id: t.taskId, map_index: t.mapIndex, state: t.state, try_number: t.tryNumber });
      }
      if (time === watermark) atWatermark.set(key, signature);
    }
    this.#tiWatermark = watermark;
    this.#tiAtWatermark = atWatermark;
  }
}
