/** Assembles the query modules into a `MetadataStore` (internal). */
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import * as audit from './queries/audit-log.js';
import * as claims from './queries/claims.js';
import * as dagRuns from './queries/dag-runs.js';
import * as dags from './queries/dags.js';
import * as importErrors from './queries/import-errors.js';
import * as jobs from './queries/jobs.js';
import * as serialized from './queries/serialized-dags.js';
import * as tis from './queries/task-instances.js';
import * as summaries from './queries/ti-summaries.js';
import * as xcoms from './queries/xcoms.js';
import type { MetadataStore } from './store.js';
import type { MigrationResult } from './types.js';

/** What differs per adapter beyond the queries. */
export interface AdapterHooks {
  migrate(): Promise<MigrationResult>;
  close(): Promise<void>;
}

type Methods = Omit<MetadataStore, 'dialect'>;

export function createKyselyStore(ctx: StoreContext, hooks: AdapterHooks): MetadataStore {
  const methods: Methods = {
    migrate: () => hooks.migrate(),
    close: () => hooks.close(),
    upsertDag: (d) => dags.upsertDag(ctx, d),
    getDag: (id) => dags.getDag(ctx, id),
    listDags: (q) => dags.listDags(ctx, q),
    setDagPaused: (id, p) => dags.setDagPaused(ctx, id, p),
    setDagNextRun: (id, n) => dags.setDagNextRun(ctx, id, n),
    markStaleDags: (a) => dags.markStaleDags(ctx, a),
    deleteDag: (id) => dags.deleteDag(ctx, id),
    putSerializedDag: (i) => serialized.putSerializedDag(ctx, i),
    getSerializedDag: (id) => serialized.getSerializedDag(ctx, id),
    listSerializedDagHashes: (ids) => serialized.listSerializedDagHashes(ctx, ids),
    replaceImportErrors: (f, e) => importErrors.replaceImportErrors(ctx, f, e),
    listImportErrors: (q) => importErrors.listImportErrors(ctx, q),
    createDagRun: (i) => dagRuns.createDagRun(ctx, i),
    getDagRun: (d, r) => dagRuns.getDagRun(ctx, d, r),
    listDagRuns: (q) => dagRuns.listDagRuns(ctx, q),
    updateDagRunState: (d, r, u) => dagRuns.updateDagRunState(ctx, d, r, u),
    deleteDagRun: (d, r) => dagRuns.deleteDagRun(ctx, d, r),
    countActiveRuns: (d) => dagRuns.countActiveRuns(ctx, d),
    latestDagRuns: (ids) => dagRuns.latestDagRuns(ctx, ids),
    createTaskInstances: (i) => tis.createTaskInstances(ctx, i),
    getTaskInstance: (k) => tis.getTaskInstance(ctx, k),
    listTaskInstances: (q) => tis.listTaskInstances(ctx, q),
    listTaskInstanceSummaries: (q) => summaries.listTaskInstanceSummaries(ctx, q),
    transitionTaskInstance: (k, t) => tis.transitionTaskInstance(ctx, k, t),
    transitionTaskInstances: (items) => claims.transitionTaskInstances(ctx, items),
    heartbeatTaskInstance: (k, n, at) => tis.heartbeatTaskInstance(ctx, k, n, at),
    findZombies: (q) => tis.findZombies(ctx, q),
    countTaskInstancesPerDag: (states) => tis.countTaskInstancesPerDag(ctx, states),
    claimScheduledTaskInstances: (o) => claims.claimScheduledTaskInstances(ctx, o),
    recordTaskInstanceTry: (k) => claims.recordTaskInstanceTry(ctx, k),
    listTaskInstanceHistory: (k) => claims.listTaskInstanceHistory(ctx, k),
    setXcom: (k, v, o) => xcoms.setXcom(ctx, k, v, o),
    getXcom: (k) => xcoms.getXcom(ctx, k),
    listXcoms: (q) => xcoms.listXcoms(ctx, q),
    clearXcoms: (k) => xcoms.clearXcoms(ctx, k),
    addEvent: (e) => audit.addEvent(ctx, e),
    listEvents: (q) => audit.listEvents(ctx, q),
    startJob: (i) => jobs.startJob(ctx, i),
    heartbeatJob: (id, at) => jobs.heartbeatJob(ctx, id, at),
    endJob: (id, s, at) => jobs.endJob(ctx, id, s, at),
    latestJob: (t, o) => jobs.latestJob(ctx, t, o),
  };
  const store: Record<string, unknown> = { dialect: ctx.dialect };
  for (const [name, method] of Object.entries(methods) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    store[name] = guard(name, method);
  }
  return store as unknown as MetadataStore;
}

/** Every failure leaves the store as a `StoreError`; the driver's error stays reachable as `cause`. */
function guard(name: string, method: (...args: unknown[]) => Promise<unknown>) {
  return async (...args: unknown[]): Promise<unknown> => {
    try {
      return await method(...args);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError(`${name} failed: ${reason}`, { cause: error });
    }
  };
}
