import { TaskInstanceState } from '@updraft/core';
import { type ExecutorEvent, LocalExecutor, type TaskWorkload, tryKeyId } from '@updraft/engine';
import { recordExecutorEvent, recordExecutorEvents, StoreXComBackend } from '@updraft/scheduler';
import { DelayedError, type Job, UnrecoverableError, Worker as BullWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Job as StoreJob } from '@updraft/store';
import { claimTry } from './claim.js';
import { createRedisClient, evictionPolicy, evictionWarning } from './redis.js';
import { Slots } from './slots.js';
import { bullQueueName, decodeWorkload, type TryJobResult } from './wire.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker-options.js';

interface LocalRun {
  workload: TaskWorkload;
  /** Store writes of the try's events, one after another. */
  writes: Promise<void>;
  /** True while the last heartbeat is still being written (the next one is then skipped). */
  heartbeatPending: boolean;
  done: Promise<TryJobResult>;
  resolve: (r: TryJobResult) => void;
  /** The runner's `started`, not written yet (see `startWriteDelayMs`), and the timer that will write it. */
  start: { event: Started; timer: NodeJS.Timeout } | null;
}

type Started = Extract<ExecutorEvent, { type: 'started' }>;

/** Job type of workers in the store's job table; `updraft jobs check --job-type WorkerJob` reads it. */
export const WORKER_JOB = 'WorkerJob';

/** Store writes of a try's end are retried this long before the job gives up (and the try is lost). */
const WRITE_RETRY_MS = 60_000;

/**
 * `updraft worker`: takes task tries from BullMQ queues and runs each in its own task runner process (the
 * engine's LocalExecutor), so a task that hogs the CPU never stops this process from renewing its jobs' locks.
 * What happens to each try goes into the metadata store (the scheduler's compare-and-set writes), and its XComs
 * too. A job whose worker died is taken over by another worker once BullMQ notices (see `lockDurationMs`).
 */
export class Worker {
  readonly options: ResolvedWorkerOptions;
  readonly #local: LocalExecutor;
  readonly #slots: Slots;
  readonly #runs = new Map<string, LocalRun>();
  readonly #watchers = new Set<() => void>();
  #client: Redis | null = null;
  #job: StoreJob | null = null;
  #jobTimer: NodeJS.Timeout | null = null;
  #workers: BullWorker[] = [];
  #stopping = false;
  #lastErrorWarning = 0;

  constructor(options: WorkerOptions) {
    this.options = resolveWorkerOptions(options);
    const o = this.options;
    this.#slots = new Slots(o.concurrency);
    this.#local = new LocalExecutor({
      xcoms: new StoreXComBackend(o.store, o.xcomSizeLimitBytes === undefined ? {} : { sizeLimitBytes: o.xcomSizeLimitBytes }),
      logsFolder: o.logsFolder,
      parallelism: o.concurrency,
      poolSize: o.poolSize,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      killGraceMs: o.killGraceMs,
      runnerExecArgv: o.runnerExecArgv,
      ...(o.xcomSizeLimitBytes === undefined ? {} : { xcomSizeLimitBytes: o.xcomSizeLimitBytes }),
    });
    this.#local.onEvent((e) => this.#onLocalEvent(e));
  }

  /** Tries running on this worker now. */
  get runningCount(): number {
    return this.#runs.size;
  }

  /**
   * Checks Redis (warning when its `maxmemory-policy` is not `noeviction`) and starts taking jobs; resolves once
   * every queue's consumer is connected.
   */
  async start(): Promise<void> {
    const o = this.options;
    this.#client = createRedisClient(o.redisUrl, `updraft-worker:${o.hostname}:${process.pid}`);
    const warning = evictionWarning(await evictionPolicy(this.#client), o.redisUrl);
    if (warning) o.onWarning(warning);
    await this.#local.whenWarm();
    for (const queue of o.queues) {
      const w = new BullWorker(bullQueueName(queue), (job: Job, token?: string) => this.#process(job, token), {
        connection: this.#client,
        prefix: o.prefix,
        concurrency: o.concurrency,
        lockDuration: o.lockDurationMs,
        stalledInterval: o.stalledIntervalMs,
        maxStalledCount: o.maxStalledCount,
        name: `${o.hostname}:${process.pid}`,
      });
      w.on('error', (e) => this.#warnError(e));
      this.#workers.push(w);
    }
    await Promise.all(this.#workers.map((w) => w.waitUntilReady()));
    this.#job = await o.store.startJob({ jobType: WORKER_JOB, hostname: o.hostname, pid: process.pid, executorClass: 'BullMqExecutor' });
    const id = this.#job.id;
    this.#jobTimer = setInterval(() => void o.store.heartbeatJob(id).catch(() => undefined), o.jobHeartbeatIntervalMs);
    this.#jobTimer.unref();
  }

  /**
   * Stops taking jobs and waits for the running tries to end (with `terminate`, stops them first: each is
   * recorded as failed, and retried if the task may be), then disconnects. The store stays open (it is the
   * caller's).
   */
  async stop(options: { terminate?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    if (options.terminate) await this.#local.terminate();
    const closing = this.#workers.map((w) => w.close());
    // Watchers of tries running elsewhere give their jobs back at once, for another worker to watch.
    for (const wake of this.#watchers) wake();
    await Promise.all(closing);
    await this.#local.end();
    this.#client?.disconnect();
    if (this.#jobTimer) clearInterval(this.#jobTimer);
    if (this.#job) await this.options.store.endJob(this.#job.id, 'success').catch(() => undefined);
  }

  async #process(job: Job, token: string | undefined): Promise<TryJobResult> {
    const jobId = job.id ?? '?';
    let workload: TaskWorkload;
    try {
      workload = decodeWorkload(jobId, job.data).workload;
    } catch (e) {
      throw new UnrecoverableError((e as Error).message);
    }
    const o = this.options;
    for (;;) {
      const mine = this.#runs.get(tryKeyId(workload));
      if (mine) {
        // The same try came back (Redis lost its job and the scheduler added it again) while it runs here.
        await mine.done;
        continue;
      }
      const decision = await withRetries(() => claimTry(o.store, workload, { hostname: o.hostname, takeoverAfterMs: o.takeoverAfterMs, now: new Date() }), o.onWarning);
      if (decision.kind === 'ended') {
        return { kind: 'observed', state: decision.ti?.state ?? null, tryNumber: decision.ti?.tryNumber ?? 0, at: new Date().toISOString() };
      }
      if (decision.kind === 'watch') {
        if (this.#stopping) {
          // Failing the job would report the try lost while it runs; it goes back to the queue for another worker.
          await job.moveToDelayed(Date.now() + o.watchIntervalMs, token);
          throw new DelayedError();
        }
        await this.#sleep(o.watchIntervalMs);
        continue;
      }
      return this.#run(workload, decision.takeover);
    }
  }

  async #run(workload: TaskWorkload, takeover: boolean): Promise<TryJobResult> {
    await this.#slots.acquire();
    try {
      let resolve!: (r: TryJobResult) => void;
      const done = new Promise<TryJobResult>((r) => (resolve = r));
      const run: LocalRun = { workload, writes: Promise.resolve(), heartbeatPending: false, done, resolve, start: null };
      this.#runs.set(tryKeyId(workload), run);
      if (takeover) this.options.onWarning(`taking over try ${workload.tryNumber} of ${workload.dagId}.${workload.taskId} (run ${workload.runId}): its worker stopped heartbeating`);
      try {
        this.#local.queue(workload);
      } catch (e) {
        this.#runs.delete(tryKeyId(workload));
        throw e;
      }
      return await done;
    } finally {
      this.#slots.release();
    }
  }

  #onLocalEvent(e: ExecutorEvent): void {
    if (e.type === 'log') return;
    const run = this.#runs.get(tryKeyId(e.key));
    if (!run) return;
    if (e.type === 'started') {
      // The claim made the try running here, with this worker's pid and the claim's time: the runner's pid and start
      // wait, to go with the end when it comes soon (see WorkerOptions.startWriteDelayMs).
      const timer = setTimeout(() => this.#writeStart(run), this.options.startWriteDelayMs);
      timer.unref();
      run.start = { event: { ...e, hostname: this.options.hostname }, timer };
      return;
    }
    if (e.type === 'heartbeat') {
      this.#writeStart(run);
      if (run.heartbeatPending) return;
      run.heartbeatPending = true;
    }
    // An end takes with it a start not written yet.
    const start = this.#takeStart(run);
    const recorded = this.#write(run, e, () => (start ? this.#recordStartAndEnd(run, start, e) : this.#record(run, e)));
    if (e.type === 'finished' || e.type === 'lost') {
      this.#runs.delete(tryKeyId(e.key));
      const hostname = this.options.hostname;
      void recorded.then((ok) =>
        run.resolve(
          e.type === 'finished'
            ? { kind: 'finished', outcome: e.outcome, startedAt: e.startedAt.toISOString(), endedAt: e.endedAt.toISOString(), durationMs: e.durationMs, hostname, recorded: ok }
            : { kind: 'lost', at: e.at.toISOString(), started: e.started, pid: e.pid, exitCode: e.exitCode, signal: e.signal, hostname, recorded: ok },
        ),
      );
    }
  }

  /**
   * Writes after the run's earlier writes; resolves true when this one went through, whether its compare-and-set
   * applied or not.
   */
  #write(run: LocalRun, e: ExecutorEvent, write: () => Promise<void>): Promise<boolean> {
    const recorded = run.writes.then(write).then(
      () => true,
      (err: unknown) => {
        this.options.onWarning(`could not record ${e.type} of ${e.key.dagId}.${e.key.taskId}: ${String(err)}`);
        return false;
      },
    );
    run.writes = recorded.then(() => undefined);
    return recorded;
  }

  /** The run's `started` not written yet, if any, taken: whoever takes it writes it. */
  #takeStart(run: LocalRun): Started | null {
    if (!run.start) return null;
    clearTimeout(run.start.timer);
    const { event } = run.start;
    run.start = null;
    return event;
  }

  #writeStart(run: LocalRun): void {
    const start = this.#takeStart(run);
    if (start) void this.#write(run, start, () => this.#record(run, start));
  }

  /** A try's start and end in one transition (with its history copy): what the start alone would set goes with the end. */
  async #recordStartAndEnd(run: LocalRun, start: Started, end: ExecutorEvent): Promise<void> {
    const w = run.workload;
    await withRetries(() => recordExecutorEvents(this.options.store, [start, end], () => Promise.resolve(w.maxTries)), this.options.onWarning);
  }

  async #record(run: LocalRun, e: ExecutorEvent): Promise<void> {
    const { store } = this.options;
    const w = run.workload;
    const key = { dagId: w.dagId, runId: w.runId, taskId: w.taskId };
    if (e.type === 'started') {
      // The claim already moved the try to running; the runner's pid and start time complete it.
      await withRetries(
        () => store.transitionTaskInstance(key, { from: [TaskInstanceState.RUNNING], to: TaskInstanceState.RUNNING, tryNumber: w.tryNumber, patch: { pid: e.pid, hostname: this.options.hostname, startDate: e.at, lastHeartbeatAt: e.at } }),
        this.options.onWarning,
      );
      return;
    }
    if (e.type === 'heartbeat') {
      try {
        const r = await recordExecutorEvent(store, e, () => Promise.resolve(w.maxTries));
        if (r.keepRunning === false) this.options.onWarning(`try ${w.tryNumber} of ${w.dagId}.${w.taskId} is no longer running in the store (cleared or marked); it runs to its end here, and its result will not be recorded`);
      } finally {
        run.heartbeatPending = false;
      }
      return;
    }
    await withRetries(() => recordExecutorEvent(store, e, () => Promise.resolve(w.maxTries)), this.options.onWarning);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#watchers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#watchers.add(done);
    });
  }

  #warnError(e: Error): void {
    // Connection errors repeat while Redis is away; one line every 10 s says enough.
    if (Date.now() - this.#lastErrorWarning < 10_000) return;
    this.#lastErrorWarning = Date.now();
    this.options.onWarning(`queue error (retrying): ${e.message}`);
  }
}

/** Runs a store write again on failure (the database restarts, a connection drops) for up to a minute. */
async function withRetries<T>(fn: () => Promise<T>, warn: (m: string) => void): Promise<T> {
  const deadline = Date.now() + WRITE_RETRY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      if (attempt === 0) warn(`a metadata store call failed (retrying for up to ${WRITE_RETRY_MS / 1000} s): ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
    }
  }
}
