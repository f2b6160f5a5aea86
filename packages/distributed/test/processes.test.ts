import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerializedDag } from '@updraft/core';
import { DagProcessor, SerializedDagCache, triggerDagRun } from '@updraft/scheduler';
import type { MetadataStore } from '@updraft/store';
import { afterEach, describe, expect, it } from 'vitest';
import { fourTaskDag, type Workspace, workspace } from './support/dags.js';
import { type Proc, startCli, stopCli, until } from './support/processes.js';
import { privateRedisProblem, startPrivateRedis } from './support/redis-server.js';
import pg from 'pg';
import { databaseUrl, deleteRedisPrefix, describeWithServices, freshSchema, redisUrl, uniqueName } from './support/services.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Cluster {
  ws: Workspace;
  store: MetadataStore;
  env: NodeJS.ProcessEnv;
  scheduler(): Promise<Proc>;
  worker(hostname: string, extraEnv?: NodeJS.ProcessEnv): Promise<Proc>;
  trigger(count: number, prefix?: string): Promise<string[]>;
  waitForRuns(runIds: readonly string[], timeoutMs?: number): Promise<Map<string, string>>;
}

/** A schema, a Redis prefix, a workspace with the four-task DAG parsed, and a way to start CLI processes on them. */
async function cluster(dag: Parameters<typeof fourTaskDag>[1] = {}, extraEnv: NodeJS.ProcessEnv = {}, redis = redisUrl): Promise<Cluster> {
  const ws = workspace();
  cleanup.push(() => ws.dispose());
  const db = await freshSchema();
  cleanup.push(() => db.dispose());
  const prefix = uniqueName('ut');
  if (redis === redisUrl) cleanup.push(() => deleteRedisPrefix(prefix));
  const store = db.open();
  fourTaskDag(ws, dag);
  const processor = new DagProcessor({ store, dagsFolder: ws.dagsFolder, dagsArePausedAtCreation: false });
  await processor.processOnce();
  await processor.stop();
  const home = mkdtempSync(join(tmpdir(), 'updraft-dist-home-'));
  cleanup.push(() => rmSync(home, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    UPDRAFT_HOME: home,
    UPDRAFT_DATABASE_URL: db.url,
    UPDRAFT_EXECUTOR: 'bullmq',
    UPDRAFT_REDIS_URL: redis,
    UPDRAFT_REDIS_PREFIX: prefix,
    UPDRAFT_LOGS_FOLDER: ws.logsFolder,
    ...extraEnv,
  };
  const track = (p: Proc): Proc => {
    cleanup.push(() => stopCli(p));
    return p;
  };
  const dags = new SerializedDagCache(store);
  const dagId = dag.dagId ?? 'four';
  let triggered = 0;
  return {
    ws,
    store,
    env,
    async scheduler() {
      const p = track(startCli(['scheduler'], env));
      await p.waitFor(/scheduler: running with the BullMQ executor/);
      return p;
    },
    async worker(hostname, more = {}) {
      const p = track(startCli(['worker', '--concurrency', '4', '--hostname', hostname], { ...env, ...more }));
      await p.waitFor(/worker: taking tries/);
      return p;
    },
    async trigger(count, runPrefix = 'run') {
      const serialized = (await dags.get(dagId)) as SerializedDag;
      const ids = Array.from({ length: count }, (_, i) => `${runPrefix}_${String(i).padStart(3, '0')}`);
      // Distinct logical dates: two runs triggered in the same millisecond would share one.
      const base = Date.UTC(2025, 0, 1);
      for (const [i, runId] of ids.entries()) await triggerDagRun(store, serialized, { runId, logicalDate: new Date(base + (triggered + i) * 60_000) });
      triggered += count;
      return ids;
    },
    async waitForRuns(runIds, timeoutMs = 600_000) {
      const wanted = new Set(runIds);
      return until(
        'the runs to end',
        async () => {
          const runs = (await store.listDagRuns({ dagIds: [dagId] })).items.filter((r) => wanted.has(r.runId));
          const ended = runs.filter((r) => r.state === 'success' || r.state === 'failed');
          return ended.length === runIds.length ? new Map(ended.map((r) => [r.runId, r.state as string])) : null;
        },
        timeoutMs,
        250,
      );
    },
  };
}

/** Checks that each task of each run ran exactly once, as try 1, and that the store's history agrees. */
async function expectEachTryOnce(c: Cluster, runIds: readonly string[]): Promise<void> {
  const seen = new Map<string, number>();
  for (const [runId, taskId, tryNumber] of c.ws.effects()) {
    const k = `${runId}/${taskId}/${tryNumber}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const expected = runIds.flatMap((r) => ['a', 'b', 'c', 'd'].map((t) => `${r}/${t}/1`));
  expect([...seen.keys()].sort()).toEqual(expected.sort());
  expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
  const tis = (await c.store.listTaskInstances({ dagIds: ['four'] })).items;
  expect(tis).toHaveLength(expected.length);
  for (const ti of tis) {
    expect([ti.state, ti.tryNumber]).toEqual(['success', 1]);
    const history = await c.store.listTaskInstanceHistory(ti);
    expect(history.map((h) => [h.tryNumber, h.state])).toEqual([[1, 'success']]);
  }
}

/** The application names of the connections to the tests' database now. */
async function applicationNames(): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ application_name: string }>('select distinct application_name from pg_stat_activity where datname = current_database()');
    return rows.map((r) => r.application_name);
  } finally {
    await client.end();
  }
}

describeWithServices('many schedulers and workers, in separate processes', () => {
  it('two schedulers and three workers run 200 runs of a four-task DAG: every try once, every run succeeds', { timeout: 900_000 }, async () => {
    const c = await cluster();
    const schedulers = [await c.scheduler(), await c.scheduler()];
    for (const name of ['w1', 'w2', 'w3']) await c.worker(name);
    const runIds = await c.trigger(200);
    // Each component names its connections, for whoever reads pg_stat_activity.
    expect(await applicationNames()).toEqual(expect.arrayContaining(['updraft scheduler', 'updraft worker']));
    const states = await c.waitForRuns(runIds);
    expect([...states.values()].filter((s) => s !== 'success')).toEqual([]);
    await expectEachTryOnce(c, runIds);
    // Both schedulers queued tries and all three workers ran some.
    const tis = (await c.store.listTaskInstances({ dagIds: ['four'] })).items;
    expect(new Set(tis.map((t) => t.externalExecutorId)).size).toBe(2);
    expect(new Set(tis.map((t) => t.hostname))).toEqual(new Set(['w1', 'w2', 'w3']));
    for (const s of schedulers) await stopCli(s);
    expect(schedulers.map((s) => s.child.exitCode)).toEqual([0, 0]);
  });

  it('a worker killed with SIGKILL while running tries: another worker takes them over and the runs succeed', { timeout: 600_000 }, async () => {
    const quick = { UPDRAFT_WORKER_LOCK_DURATION: '5', UPDRAFT_WORKER_STALLED_INTERVAL: '5', UPDRAFT_HEARTBEAT_TIMEOUT: '300' };
    const c = await cluster({ sleepMs: 8000 }, quick);
    await c.scheduler();
    const victim = await c.worker('victim');
    await c.worker('rescuer');
    const runIds = await c.trigger(6);
    // Tries whose task runner started on the victim (the claim writes the worker's pid, the start the runner's).
    const running = await until('tries running on the victim', async () => {
      const tis = (await c.store.listTaskInstances({ dagIds: ['four'], states: ['running'] })).items.filter((t) => t.hostname === 'victim' && t.pid !== null && t.pid !== victim.child.pid);
      return tis.length >= 1 ? tis : null;
    });
    victim.child.kill('SIGKILL');
    await victim.exited;
    const states = await c.waitForRuns(runIds);
    expect([...states.values()]).toEqual(runIds.map(() => 'success'));
    for (const ti of running) {
      const after = await c.store.getTaskInstance(ti);
      // The same try, finished by the other worker.
      expect([after?.state, after?.tryNumber, after?.hostname]).toEqual(['success', ti.tryNumber, 'rescuer']);
    }
  });

  const redisProblem = privateRedisProblem();
  it('Redis restarted without persistence: nothing is lost, every try still runs once', { timeout: 600_000 }, async () => {
    if (redisProblem) throw new Error(redisProblem);
    const redis = await startPrivateRedis();
    cleanup.push(() => redis.stop());
    const c = await cluster({ sleepMs: 1500 }, { UPDRAFT_HEARTBEAT_TIMEOUT: '300' }, redis.url);
    await c.scheduler();
    await c.worker('w1');
    await c.worker('w2');
    const runIds = await c.trigger(12);
    await until('some tries to run', async () => (await c.store.listTaskInstances({ dagIds: ['four'], states: ['running'] })).items.length > 0);
    const before = redis.runId();
    redis.restart();
    // A new server with nothing in it (no RDB, no AOF): every queued job and every lock is gone.
    expect(redis.runId()).not.toBe(before);
    const states = await c.waitForRuns(runIds);
    expect([...states.values()]).toEqual(runIds.map(() => 'success'));
    await expectEachTryOnce(c, runIds);
  });
});

describe('one scheduler on SQLite', () => {
  it('refuses to start a second scheduler on the same SQLite database, saying why', { timeout: 120_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'updraft-sqlite-home-'));
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    const env = { UPDRAFT_HOME: home, UPDRAFT_DATABASE_URL: '', UPDRAFT_EXECUTOR: 'local' };
    const first = startCli(['scheduler'], env);
    cleanup.push(() => stopCli(first));
    await first.waitFor(/scheduler: running/);
    const second = startCli(['scheduler'], env);
    cleanup.push(() => stopCli(second));
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/another scheduler is running on this database.*SQLite allows one scheduler/s);
    expect(first.child.exitCode).toBeNull();
  });
});
