/**
 * Distributed execution figures (`npm run bench -- distributed`): 1,000 no-op tasks through BullMQ with 1, 2 and 4
 * `updraft worker` processes, beside the local executor, all on the same PostgreSQL; and the resident memory of each
 * component of the Docker Compose stack. Needs PostgreSQL and Redis (UPDRAFT_TEST_DATABASE_URL,
 * UPDRAFT_TEST_REDIS_URL; the defaults are this machine's) and the built CLI (npm run build).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DagProcessor, SerializedDagCache, triggerDagRun } from '@updraft/scheduler';
import { createPostgresStore, type MetadataStore } from '@updraft/store';
import { cpuByProcess, fmt, median, table, treeRss } from './lib.js';

const repo = resolve(import.meta.dirname, '..');
const bin = join(repo, 'packages/cli/dist/bin.js');
const databaseUrl = process.env.UPDRAFT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.UPDRAFT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Slots of one worker process, and of the local executor it is compared with. */
const CONCURRENCY = 8;
const TASKS = 1000;

interface Proc {
  child: ChildProcess;
  ready: Promise<void>;
  stop(): Promise<void>;
}

function startCli(args: string[], env: NodeJS.ProcessEnv, readyLine: RegExp): Proc {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (readyLine.test(err)) resolveReady();
    });
    child.once('exit', (code) => reject(new Error(`updraft ${args.join(' ')} exited (${code}) before it was ready:\n${err}`)));
  });
  return {
    child,
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** A schema of its own on the PostgreSQL server, a Redis prefix, a DAGs folder of 10 DAGs x 100 no-op tasks. */
async function setup(): Promise<{ store: MetadataStore; env: NodeJS.ProcessEnv; root: string; dispose(): Promise<void> }> {
  const schema = `updraft_bench_${randomBytes(4).toString('hex')}`;
  const prefix = `bench_${randomBytes(4).toString('hex')}`;
  const store = createPostgresStore({ connectionString: databaseUrl, schema, poolSize: 4 });
  await store.migrate();
  const root = mkdtempSync(join(repo, 'bench', '.tmp-dist-'));
  const dags = join(root, 'dags');
  mkdirSync(dags);
  for (let d = 0; d < 10; d++) {
    writeFileSync(join(dags, `d${d}.ts`), `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'd${d}', maxActiveTasks: 1000 });\nfor (let i = 0; i < 100; i++) dag.task('t' + i, () => undefined);\n`);
  }
  const processor = new DagProcessor({ store, dagsFolder: dags, dagsArePausedAtCreation: false });
  await processor.processOnce();
  await processor.stop();
  const sep = databaseUrl.includes('?') ? '&' : '?';
  const env = {
    UPDRAFT_HOME: join(root, 'home'),
    UPDRAFT_LOGS_FOLDER: join(root, 'logs'),
    UPDRAFT_DATABASE_URL: `${databaseUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    UPDRAFT_REDIS_URL: redisUrl,
    UPDRAFT_REDIS_PREFIX: prefix,
  };
  return {
    store,
    env,
    root,
    async dispose() {
      await store.close();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
      const redis = new Redis(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

interface Figures {
  seconds: number;
  tasksPerSecond: number;
  /** Scheduler's claim (queued) to the task runner's start, per try. */
  queueToStartMs: { median: number; p95: number };
  /**
   * CPU (user + system) per try, µs, of each part while the runs ran: the scheduler's process, the workers'
   * processes, the task runners (the local executor's or the workers'), and the PostgreSQL and Redis servers (all
   * their processes, whoever they served: the bench's own polling too).
   */
  cpuPerTryUs: { scheduler: number; workers: number; runners: number; postgres: number; redis: number };
}

const SERVERS = ['postgres', 'redis-server'];

/** Triggers the 10 runs and waits until all succeeded; the latencies come from the store's timestamps. */
async function runThousand(store: MetadataStore, scheduler: number, workers: readonly number[]): Promise<Figures> {
  const cpu = (): ReturnType<typeof cpuByProcess> => cpuByProcess([scheduler, ...workers], SERVERS);
  const cpuBefore = cpu();
  const cache = new SerializedDagCache(store);
  const ids = (await store.listDags()).items.map((d) => d.dagId);
  const t = performance.now();
  for (const id of ids) await triggerDagRun(store, (await cache.get(id))!, { runId: 'bench' });
  for (;;) {
    const runs = (await store.listDagRuns({ dagIds: ids })).items;
    if (runs.some((r) => r.state === 'failed')) throw new Error('a benchmark run failed');
    if (runs.length === ids.length && runs.every((r) => r.state === 'success')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t) / 1000;
  const cpuAfter = cpu();
  const used = cpuAfter.roots.map((r, i) => ({ self: r.self - (cpuBefore.roots[i]?.self ?? 0), descendants: r.descendants - (cpuBefore.roots[i]?.descendants ?? 0) }));
  const [sched = { self: 0, descendants: 0 }, ...work] = used;
  // ms per 1,000 tries is µs per try.
  const perTry = (ms: number): number => (ms * 1000) / TASKS;
  const cpuPerTryUs = {
    scheduler: perTry(sched.self),
    workers: perTry(work.reduce((sum, w) => sum + w.self, 0)),
    runners: perTry(sched.descendants + work.reduce((sum, w) => sum + w.descendants, 0)),
    postgres: perTry((cpuAfter.commands[0] ?? 0) - (cpuBefore.commands[0] ?? 0)),
    redis: perTry((cpuAfter.commands[1] ?? 0) - (cpuBefore.commands[1] ?? 0)),
  };
  const tis = (await store.listTaskInstances({ dagIds: ids })).items;
  const lat = tis.filter((ti) => ti.queuedDttm && ti.startDate).map((ti) => ti.startDate!.getTime() - ti.queuedDttm!.getTime());
  const sorted = [...lat].sort((a, b) => a - b);
  return { seconds, tasksPerSecond: TASKS / seconds, queueToStartMs: { median: median(lat), p95: sorted[Math.floor(sorted.length * 0.95)] ?? NaN }, cpuPerTryUs };
}

/** One measurement: a scheduler process with the given executor, and `workers` worker processes for BullMQ. */
async function measure(executor: 'local' | 'bullmq', workers: number): Promise<Figures> {
  const s = await setup();
  const procs: Proc[] = [];
  try {
    // As many tries in flight as there are slots, so a try is queued when a slot is free, as with the local executor:
    // queue-to-start is then the dispatch time (Redis, a worker's claim, a runner), not time spent waiting in line.
    const env = { ...s.env, UPDRAFT_EXECUTOR: executor, UPDRAFT_PARALLELISM: String(CONCURRENCY * Math.max(1, workers)) };
    procs.push(startCli(['scheduler'], env, /scheduler: running/));
    for (let i = 0; i < workers; i++) procs.push(startCli(['worker', '--concurrency', String(CONCURRENCY), '--hostname', `bench-${i}`], env, /worker: taking tries/));
    await Promise.all(procs.map((p) => p.ready));
    const [scheduler, ...workerProcs] = procs.map((p) => p.child.pid as number);
    return await runThousand(s.store, scheduler as number, workerProcs);
  } finally {
    for (const p of procs) await p.stop();
    await s.dispose();
  }
}

/** Idle resident memory of each component of the compose stack, run from the built CLI with the compose commands. */
async function componentMemory(): Promise<Record<string, number>> {
  const s = await setup();
  const env = { ...s.env, UPDRAFT_EXECUTOR: 'bullmq', UPDRAFT_API_PORT: '0' };
  const components: [string, string[], RegExp][] = [
    ['api-server', ['api-server', '--dags-folder', join(repo, 'mlops/dags')], /api-server: listening/],
    ['scheduler', ['scheduler'], /scheduler: running/],
    ['dag-processor', ['dag-processor', '--dags-folder', join(repo, 'mlops/dags')], /dag-processor: \d+ DAG/],
    ['worker (--concurrency 4, 2 warm runners)', ['worker', '--concurrency', '4'], /worker: taking tries/],
  ];
  const out: Record<string, number> = {};
  try {
    for (const [name, args, ready] of components) {
      const p = startCli(args, env, ready);
      try {
        await p.ready;
        // Settled: five samples 400 ms apart within 2 % of each other, 30 s at most.
        const samples: number[] = [];
        const deadline = Date.now() + 30_000;
        for (;;) {
          await new Promise((r) => setTimeout(r, 400));
          samples.push(treeRss(p.child.pid as number).bytes);
          const last = samples.slice(-5);
          if ((last.length === 5 && Math.max(...last) <= Math.min(...last) * 1.02) || Date.now() > deadline) break;
        }
        out[name] = median(samples.slice(-5));
      } finally {
        await p.stop();
      }
    }
  } finally {
    await s.dispose();
  }
  return out;
}

/**
 * 1,000 no-op tasks (10 DAGs x 100 independent tasks, one run each) through a scheduler process with the local
 * executor (parallelism 8) and with BullMQ and 1, 2, 4 worker processes (concurrency 8 each; the scheduler's
 * parallelism is the workers' slots), all from the built CLI on the same PostgreSQL; medians of `min(repeats, 3)`
 * rounds. Then the idle memory of each component.
 */
export async function benchDistributed(repeats: number): Promise<Record<string, unknown>> {
  const rounds = Math.min(repeats, 3);
  const configs: [string, 'local' | 'bullmq', number][] = [
    [`local executor (parallelism ${CONCURRENCY})`, 'local', 0],
    ['BullMQ, 1 worker', 'bullmq', 1],
    ['BullMQ, 2 workers', 'bullmq', 2],
    ['BullMQ, 4 workers', 'bullmq', 4],
  ];
  const results: Record<string, Figures[]> = {};
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  let baseline = NaN;
  for (const [name, executor, workers] of configs) {
    const figures: Figures[] = [];
    for (let i = 0; i < rounds; i++) figures.push(await measure(executor, workers));
    results[name] = figures;
    const seconds = median(figures.map((f) => f.seconds));
    if (executor === 'local') baseline = seconds;
    rows.push([
      name,
      fmt(seconds),
      `${(TASKS / seconds).toFixed(0)} tasks/s`,
      `${median(figures.map((f) => f.queueToStartMs.median)).toFixed(0)} ms`,
      `${median(figures.map((f) => f.queueToStartMs.p95)).toFixed(0)} ms`,
      `${(baseline / seconds).toFixed(2)}x`,
    ]);
    const cpu = (k: keyof Figures['cpuPerTryUs']): string => `${median(figures.map((f) => f.cpuPerTryUs[k])).toFixed(0)} µs`;
    cpuRows.push([name, cpu('scheduler'), workers > 0 ? cpu('workers') : '', cpu('runners'), cpu('postgres'), workers > 0 ? cpu('redis') : '']);
  }
  console.log(`\n## Distributed execution (PostgreSQL + Redis; 1,000 no-op tasks, trigger to all runs finished; medians of ${rounds})\n`);
  console.log(table(['executor', 'time', 'throughput', 'queue to start (median)', 'queue to start (p95)', 'against local'], rows));
  console.log('\nCPU per try, user + system, medians (the servers: all their processes, whoever they served):\n');
  console.log(table(['executor', 'scheduler', 'workers', 'task runners', 'PostgreSQL', 'Redis'], cpuRows));
  const memory = await componentMemory();
  console.log('\n## Idle memory of each component (process tree RSS)\n');
  console.log(table(['component', 'RSS'], Object.entries(memory).map(([k, v]) => [k, `${(v / 2 ** 20).toFixed(0)} MiB`])));
  return { rounds, concurrency: CONCURRENCY, results, memoryBytes: memory };
}
