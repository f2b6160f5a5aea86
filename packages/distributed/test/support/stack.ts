import type { SerializedDag } from '@updraft/core';
import { DagProcessor, Scheduler, SerializedDagCache, triggerDagRun } from '@updraft/scheduler';
import type { DagRun, MetadataStore } from '@updraft/store';
import { BullMqExecutor, Worker, type WorkerOptions } from '../../src/index.js';
import { type Workspace, workspace } from './dags.js';
import { deleteRedisPrefix, freshSchema, redisUrl, uniqueName } from './services.js';

/** A PostgreSQL schema, a Redis prefix, a workspace, and an in-process scheduler with the BullMQ executor. */
export interface Stack {
  ws: Workspace;
  store: MetadataStore;
  prefix: string;
  executor: BullMqExecutor;
  scheduler: Scheduler;
  warnings: string[];
  /** Parses the DAGs folder into the store (DAGs unpaused). */
  parse(): Promise<void>;
  /** Starts an in-process worker with a store of its own; stopped by `close`. */
  worker(options?: Partial<WorkerOptions>): Promise<Worker>;
  trigger(dagId: string, runId: string): Promise<DagRun>;
  /** Resolves with the given runs of the DAG once every one has ended. */
  waitForRuns(dagId: string, runIds: readonly string[], timeoutMs?: number): Promise<DagRun[]>;
  close(): Promise<void>;
}

export async function createStack(): Promise<Stack> {
  const closers: (() => Promise<void> | void)[] = [];
  const ws = workspace();
  closers.push(() => ws.dispose());
  const db = await freshSchema();
  closers.push(() => db.dispose());
  const prefix = uniqueName('ut');
  closers.push(() => deleteRedisPrefix(prefix));
  const store = db.open();
  const warnings: string[] = [];
  const executor = new BullMqExecutor({ redisUrl, prefix, reconcileIntervalMs: 1000, onWarning: (m) => warnings.push(m) });
  const scheduler = new Scheduler({ store, executor, executorName: 'BullMqExecutor', loopIntervalMs: 100 });
  let started = false;
  // The scheduler ends its executor when it stops; an executor never started is ended alone.
  closers.push(() => (started ? scheduler.stop() : executor.end()));
  const dags = new SerializedDagCache(store);
  let triggered = 0;
  return {
    ws,
    store,
    prefix,
    executor,
    scheduler,
    warnings,
    async parse() {
      const processor = new DagProcessor({ store, dagsFolder: ws.dagsFolder, dagsArePausedAtCreation: false });
      await processor.processOnce();
      await processor.stop();
      if (!started) {
        started = true;
        await scheduler.start();
      }
    },
    async worker(options = {}) {
      const w = new Worker({ store: db.open(), redisUrl, prefix, logsFolder: ws.logsFolder, concurrency: 4, poolSize: 1, onWarning: (m) => warnings.push(m), ...options });
      closers.push(() => w.stop());
      await w.start();
      return w;
    },
    async trigger(dagId, runId) {
      const dag = (await dags.get(dagId)) as SerializedDag;
      // Distinct logical dates: two runs triggered in the same millisecond would share one.
      const run = await triggerDagRun(store, dag, { runId, logicalDate: new Date(Date.UTC(2025, 0, 1) + triggered++ * 60_000) });
      scheduler.wake();
      return run;
    },
    async waitForRuns(dagId, runIds, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const wanted = new Set(runIds);
        const runs = (await store.listDagRuns({ dagIds: [dagId] })).items.filter((r) => wanted.has(r.runId));
        if (runs.length === runIds.length && runs.every((r) => r.state === 'success' || r.state === 'failed')) return runs;
        if (Date.now() > deadline) throw new Error(`runs not finished: ${JSON.stringify(runs.map((r) => [r.runId, r.state]))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const c of closers.splice(0).reverse()) await c();
    },
  };
}
