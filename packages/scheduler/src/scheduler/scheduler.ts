import { hostname as osHostname } from 'node:os';
import {
  DagRunState,
  FINISHED_TI_STATES,
  type JsonValue,
  resolveParams,
  TaskInstanceState,
} from '@updraft/core';
import type { Executor, ExecutorEvent, TaskWorkload, TryKey } from '@updraft/engine';
import type { DagRun, Job, MetadataStore, TaskInstance } from '@updraft/store';
import { SchedulerAlreadyRunningError } from './errors.js';
import { planRun, type TiView } from './plan.js';
import { createDueRuns } from './runs.js';
import { SerializedDagCache } from './serialized.js';
import { recordExecutorEvent } from './try-recorder.js';

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** The metadata store. Required. */
  store: MetadataStore;
  /** Runs the tries. Required. */
  executor: Executor;
  /** Name recorded with each try it queues, e.g. `LocalExecutor`. Default `'executor'`. */
  executorName?: string;
  /** Longest wait between two scheduling passes when nothing wakes the scheduler. Default 1 s. */
  loopIntervalMs?: number;
  /** A running try without a heartbeat for this long is a zombie: its try fails (and may be retried). Default 30 s. */
  heartbeatTimeoutMs?: number;
  /** How often the scheduler's own job heartbeats. Default 5 s. */
  jobHeartbeatIntervalMs?: number;
  /** Refuse to start when another scheduler is alive (SQLite allows only one). Default: true on SQLite. */
  singleScheduler?: boolean;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
  /** Host name recorded on the job. Default the machine's. */
  hostname?: string;
  /** Called with each executor event after it is recorded (live UI updates, logs). */
  onEvent?: (event: ExecutorEvent) => void;
}

type Resolved = Required<Omit<SchedulerOptions, 'onEvent'>> & Pick<SchedulerOptions, 'onEvent'>;

/** The one place that validates {@link SchedulerOptions} and fills defaults. */
export function resolveSchedulerOptions(o: SchedulerOptions): Resolved {
  if (!o.store) throw new TypeError('SchedulerOptions.store is required');
  if (!o.executor) throw new TypeError('SchedulerOptions.executor is required');
  const positive = (v: number | undefined, fallback: number, name: string): number => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`SchedulerOptions.${name} must be a positive number, got ${v}`);
    return v;
  };
  return {
    store: o.store,
    executor: o.executor,
    executorName: o.executorName ?? 'executor',
    loopIntervalMs: positive(o.loopIntervalMs, 1000, 'loopIntervalMs'),
    heartbeatTimeoutMs: positive(o.heartbeatTimeoutMs, 30_000, 'heartbeatTimeoutMs'),
    jobHeartbeatIntervalMs: positive(o.jobHeartbeatIntervalMs, 5000, 'jobHeartbeatIntervalMs'),
    singleScheduler: o.singleScheduler ?? o.store.dialect === 'sqlite',
    now: o.now ?? (() => new Date()),
    hostname: o.hostname ?? osHostname(),
    onEvent: o.onEvent,
  };
}

/** Job type of schedulers in the store's job table, as Airflow's. */
export const SCHEDULER_JOB = 'SchedulerJob';

/**
 * The scheduler: creates runs from schedules, moves task instances through their states by trigger rules and
 * retries, hands ready tries to the executor and records what it reports. It reads DAGs only in their serialized
 * form and never imports user code. Every change is a compare-and-set in the store, so a restart (or a second
 * scheduler on PostgreSQL) never runs a try twice.
 */
export class Scheduler {
  readonly options: Resolved;
  readonly #dags: SerializedDagCache;
  readonly #events: ExecutorEvent[] = [];
  readonly #maxTries = new Map<string, number>();
  #job: Job | null = null;
  #lastJobHeartbeat = 0;
  #wake: (() => void) | null = null;
  #woken = false;
  #stopped = false;
  #loop: Promise<void> | null = null;
  #unsubscribe: (() => void) | null = null;
  #nextRetryAt: number = Infinity;

  constructor(options: SchedulerOptions) {
    this.options = resolveSchedulerOptions(options);
    this.#dags = new SerializedDagCache(this.options.store);
    this.#unsubscribe = this.options.executor.onEvent((e) => {
      this.#events.push(e);
      if (e.type !== 'log') this.wake();
    });
  }

  /** The job this scheduler registered, once started. */
  get job(): Job | null {
    return this.#job;
  }

  /**
   * Registers the scheduler's job (refusing when another live scheduler holds a SQLite database), takes over the
   * tries a dead scheduler left, and loops until {@link stop}.
   * @throws SchedulerAlreadyRunningError
   */
  async start(): Promise<void> {
    await this.register();
    this.#loop = this.#run();
  }

  /** Registers the job and adopts orphans, without looping (tests drive {@link runOnce} themselves). */
  async register(): Promise<Job> {
    const { store } = this.options;
    const now = this.options.now();
    const other = await store.latestJob(SCHEDULER_JOB, { onlyRunning: true });
    if (other && this.#isAlive(other, now)) {
      if (this.options.singleScheduler) throw new SchedulerAlreadyRunningError(other);
    }
    this.#job = await store.startJob({ jobType: SCHEDULER_JOB, hostname: this.options.hostname, pid: process.pid, executorClass: this.options.executorName, at: now });
    this.#lastJobHeartbeat = now.getTime();
    await this.#adoptOrphans(now);
    return this.#job;
  }

  /** Asks the loop to run a pass now (a run was triggered, a try ended). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops the loop after the current pass, lets running tries finish, and ends the job. */
  async stop(options: { terminate?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#loop;
    const { executor, store } = this.options;
    if (options.terminate) await executor.terminate();
    else await executor.end();
    await this.#drainEvents();
    this.#unsubscribe?.();
    if (this.#job) await store.endJob(this.#job.id, 'success', this.options.now());
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.runOnce();
      } catch (e) {
        process.emitWarning(`scheduler pass failed: ${(e as Error).stack ?? String(e)}`);
      }
      if (this.#stopped) break;
      const wait = Math.max(0, Math.min(this.options.loopIntervalMs, this.#nextRetryAt - this.options.now().getTime()));
      if (!this.#woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, wait);
          function done(): void {
            clearTimeout(timer);
            resolve();
          }
          this.#wake = done;
        });
      }
      this.#wake = null;
      this.#woken = false;
    }
  }

  /** One scheduling pass. Tests call it directly under a fake clock. */
  async runOnce(): Promise<void> {
    const now = this.options.now();
    this.#nextRetryAt = Infinity;
    await this.#drainEvents();
    await this.#heartbeatJob(now);
    await this.#createScheduledRuns(now);
    await this.#startQueuedRuns(now);
    await this.#scheduleRunningRuns(now);
    await this.#failZombies(now);
    await this.#queueScheduled(now);
  }

  async #drainEvents(): Promise<void> {
    const { store } = this.options;
    while (this.#events.length > 0) {
      const e = this.#events.shift() as ExecutorEvent;
      if (e.type === 'log') {
        this.options.onEvent?.(e);
        continue;
      }
      await recordExecutorEvent(store, e, (k) => this.#maxTriesOf(k), this.options.now);
      if (e.type === 'finished' || e.type === 'lost') this.#maxTries.delete(JSON.stringify([e.key.dagId, e.key.runId, e.key.taskId]));
      this.options.onEvent?.(e);
    }
  }

  async #maxTriesOf(k: TryKey): Promise<number> {
    const cached = this.#maxTries.get(JSON.stringify([k.dagId, k.runId, k.taskId]));
    if (cached !== undefined) return cached;
    const ti = await this.options.store.getTaskInstance({ dagId: k.dagId, runId: k.runId, taskId: k.taskId });
    return ti?.maxTries ?? 1;
  }

  async #heartbeatJob(now: Date): Promise<void> {
    if (!this.#job || now.getTime() - this.#lastJobHeartbeat < this.options.jobHeartbeatIntervalMs) return;
    await this.options.store.heartbeatJob(this.#job.id, now);
    this.#lastJobHeartbeat = now.getTime();
  }

  async #createScheduledRuns(now: Date): Promise<void> {
    const { store } = this.options;
    const dags = await store.listDags({ paused: false, excludeStale: true });
    for (const row of dags.items) {
      if (row.hasImportErrors && !(await store.getSerializedDag(row.dagId))) continue;
      const dag = await this.#dags.get(row.dagId);
      if (!dag || dag.schedule.kind === 'none') continue;
      const { next } = await createDueRuns(store, dag, now);
      const nextAt = next?.runAfter ?? null;
      if ((nextAt?.getTime() ?? null) !== (row.nextDagrunCreateAfter?.getTime() ?? null)) {
        await store.setDagNextRun(row.dagId, {
          nextDagrun: next?.logicalDate ?? null,
          nextDagrunDataIntervalStart: next?.dataInterval.start ?? null,
          nextDagrunDataIntervalEnd: next?.dataInterval.end ?? null,
          nextDagrunCreateAfter: nextAt,
        });
      }
      if (nextAt) this.#nextRetryAt = Math.min(this.#nextRetryAt, nextAt.getTime());
    }
  }

  async #startQueuedRuns(now: Date): Promise<void> {
    const { store } = this.options;
    const queued = await store.listDagRuns({ states: [DagRunState.QUEUED], orderBy: 'runAfter' });
    const running = new Map<string, number>();
    for (const run of queued.items) {
      const dag = await this.#dags.get(run.dagId);
      const dagRow = await store.getDag(run.dagId);
      if (!dag || !dagRow || dagRow.isPaused) continue;
      if (!running.has(run.dagId)) running.set(run.dagId, (await store.countActiveRuns(run.dagId)).running);
      const count = running.get(run.dagId) as number;
      if (count >= dag.maxActiveRuns) continue;
      const started = await store.updateDagRunState(run.dagId, run.runId, { state: DagRunState.RUNNING, from: [DagRunState.QUEUED], startDate: now, endDate: null });
      if (!started) continue;
      running.set(run.dagId, count + 1);
      await store.createTaskInstances(
        dag.tasks.map((t) => ({ dagId: run.dagId, runId: run.runId, taskId: t.taskId, maxTries: t.retries + 1, queue: t.queue, pool: 'default_pool' })),
      );
    }
  }

  async #scheduleRunningRuns(now: Date): Promise<void> {
    const { store } = this.options;
    const runs = await store.listDagRuns({ states: [DagRunState.RUNNING], orderBy: 'runAfter' });
    for (const run of runs.items) {
      const dag = await this.#dags.get(run.dagId);
      if (!dag) continue;
      if (dag.dagrunTimeoutMs !== null && run.startDate && now.getTime() - run.startDate.getTime() > dag.dagrunTimeoutMs) {
        await this.#timeOutRun(run, now);
        continue;
      }
      const tis = (await store.listTaskInstances({ dagIds: [run.dagId], runIds: [run.runId] })).items;
      const views = new Map<string, TiView>(tis.map((ti) => [ti.taskId, { taskId: ti.taskId, state: ti.state, tryNumber: ti.tryNumber, endDate: ti.endDate }]));
      const plan = planRun(dag, views, run.logicalDate, now);
      if (plan.missing.length > 0) {
        await store.createTaskInstances(
          plan.missing.map((id) => {
            const t = dag.tasks.find((x) => x.taskId === id);
            return { dagId: run.dagId, runId: run.runId, taskId: id, maxTries: (t?.retries ?? 0) + 1, queue: t?.queue ?? 'default' };
          }),
        );
      }
      for (const t of plan.transitions) {
        const finished = FINISHED_TI_STATES.has(t.to);
        await store.transitionTaskInstance(
          { dagId: run.dagId, runId: run.runId, taskId: t.taskId },
          {
            from: [t.from],
            to: t.to,
            patch: {
              ...(t.nextTryNumber !== undefined ? { tryNumber: t.nextTryNumber, scheduledDttm: now, startDate: null, endDate: null, duration: null, pid: null, hostname: null, lastHeartbeatAt: null } : {}),
              ...(finished ? { startDate: now, endDate: now, duration: 0 } : {}),
            },
          },
        );
      }
      if (plan.nextRetryAt) this.#nextRetryAt = Math.min(this.#nextRetryAt, plan.nextRetryAt.getTime());
      if (plan.runState) {
        await store.updateDagRunState(run.dagId, run.runId, { state: plan.runState, from: [DagRunState.RUNNING], endDate: now, lastSchedulingDecision: now });
      } else if (plan.transitions.length > 0) {
        // A state change may allow the next task at once (skips propagate, the run may end): plan again soon.
        this.#woken = true;
      }
    }
  }

  /** `dagrunTimeout` passed: the run fails and its unfinished task instances are skipped, as Airflow does. */
  async #timeOutRun(run: DagRun, now: Date): Promise<void> {
    const { store } = this.options;
    const failed = await store.updateDagRunState(run.dagId, run.runId, { state: DagRunState.FAILED, from: [DagRunState.RUNNING], endDate: now, note: 'dagrun_timeout exceeded' });
    if (!failed) return;
    const tis = (await store.listTaskInstances({ dagIds: [run.dagId], runIds: [run.runId] })).items;
    for (const ti of tis) {
      if (ti.state !== null && FINISHED_TI_STATES.has(ti.state)) continue;
      await store.transitionTaskInstance({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId }, { from: [ti.state], to: TaskInstanceState.SKIPPED, patch: { endDate: now } });
    }
  }

  /** Running tries that stopped heartbeating: their runner died unseen (another host, or a restart). */
  async #failZombies(now: Date): Promise<void> {
    const { store } = this.options;
    const zombies = await store.findZombies({ heartbeatBefore: new Date(now.getTime() - this.options.heartbeatTimeoutMs) });
    for (const ti of zombies) await this.#failLostTry(ti, now);
  }

  async #failLostTry(ti: TaskInstance, now: Date): Promise<void> {
    await recordExecutorEvent(
      this.options.store,
      { type: 'lost', key: { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, tryNumber: ti.tryNumber }, at: now, started: ti.state === TaskInstanceState.RUNNING, pid: ti.pid, exitCode: null, signal: null },
      () => Promise.resolve(ti.maxTries),
      this.options.now,
    );
  }

  async #queueScheduled(now: Date): Promise<void> {
    const { store, executor } = this.options;
    const free = executor.freeSlots;
    if (free <= 0) return;
    const claimed = await store.claimScheduledTaskInstances({ limit: free, queuedAt: now });
    const runs = new Map<string, DagRun | null>();
    for (const ti of claimed) {
      const runKey = JSON.stringify([ti.dagId, ti.runId]);
      if (!runs.has(runKey)) runs.set(runKey, await store.getDagRun(ti.dagId, ti.runId));
      const run = runs.get(runKey) ?? null;
      const dag = await this.#dags.get(ti.dagId);
      const dagRow = await store.getDag(ti.dagId);
      const task = dag?.tasks.find((t) => t.taskId === ti.taskId);
      if (!run || !dag || !dagRow || !task) {
        await store.transitionTaskInstance(ti, { from: [TaskInstanceState.QUEUED], to: TaskInstanceState.FAILED, tryNumber: ti.tryNumber, patch: { endDate: now } });
        continue;
      }
      let params: Record<string, JsonValue>;
      try {
        params = resolveParams(dag.dagId, dag.params, run.conf);
      } catch (e) {
        // The conf passed the params when the run was triggered; the DAG's params changed since.
        await store.transitionTaskInstance(ti, { from: [TaskInstanceState.QUEUED], to: TaskInstanceState.FAILED, tryNumber: ti.tryNumber, patch: { endDate: now, note: (e as Error).message } });
        continue;
      }
      const workload: TaskWorkload = {
        dagId: ti.dagId,
        runId: ti.runId,
        taskId: ti.taskId,
        tryNumber: ti.tryNumber,
        maxTries: ti.maxTries,
        dagFile: dagRow.fileloc,
        run: {
          runType: run.runType,
          logicalDate: run.logicalDate,
          dataInterval: run.dataIntervalStart && run.dataIntervalEnd ? { start: run.dataIntervalStart, end: run.dataIntervalEnd } : null,
          conf: run.conf,
        },
        params,
        queue: ti.queue,
        executionTimeoutMs: task.executionTimeoutMs,
      };
      this.#maxTries.set(JSON.stringify([ti.dagId, ti.runId, ti.taskId]), ti.maxTries);
      await store.transitionTaskInstance(ti, { from: [TaskInstanceState.QUEUED], to: TaskInstanceState.QUEUED, tryNumber: ti.tryNumber, patch: { externalExecutorId: `${this.options.executorName}:${this.#job?.id ?? 0}` } });
      executor.queue(workload);
    }
  }

  /**
   * Tries that a dead scheduler's executor held: running ones are lost (retried if they may be), queued ones go
   * back to scheduled. A scheduler is dead when its job stopped heartbeating, or its process on this host is gone.
   */
  async #adoptOrphans(now: Date): Promise<void> {
    const { store } = this.options;
    const tis = (await store.listTaskInstances({ states: [TaskInstanceState.QUEUED, TaskInstanceState.RUNNING] })).items;
    const alive = new Map<number, boolean>();
    for (const ti of tis) {
      const owner = ti.externalExecutorId ? Number(ti.externalExecutorId.split(':').pop()) : NaN;
      if (!Number.isInteger(owner) || owner === this.#job?.id) continue;
      if (!alive.has(owner)) alive.set(owner, await this.#jobAlive(owner, now));
      if (alive.get(owner)) continue;
      if (ti.state === TaskInstanceState.QUEUED) {
        await store.transitionTaskInstance(ti, { from: [TaskInstanceState.QUEUED], to: TaskInstanceState.SCHEDULED, tryNumber: ti.tryNumber, patch: { externalExecutorId: null, queuedDttm: null } });
      } else {
        await this.#failLostTry(ti, now);
      }
    }
  }

  /**
   * Whether the scheduler job that queued a try is alive. The store answers for the latest running job only, so a
   * job that is not it counts as dead only with a single scheduler; with several, orphans are found by their
   * heartbeat (running) or their age in the queue (queued) instead.
   */
  async #jobAlive(jobId: number, now: Date): Promise<boolean> {
    if (!this.options.singleScheduler) return true;
    const latest = await this.options.store.latestJob(SCHEDULER_JOB, { onlyRunning: true });
    if (!latest || latest.id !== jobId) return false;
    if (this.#isAlive(latest, now)) return true;
    await this.options.store.endJob(latest.id, 'failed', now);
    return false;
  }

  /** A job is alive when its process on this host exists, or, when that cannot be checked, its heartbeat is recent. */
  #isAlive(job: Job, now: Date): boolean {
    if (job.hostname === this.options.hostname && job.pid !== null && job.pid !== process.pid) {
      try {
        process.kill(job.pid, 0);
        return true;
      } catch {
        return false;
      }
    }
    // Elsewhere, or our own pid (a restarted container reuses pid 1): trust a recent heartbeat only.
    if (job.id === this.#job?.id) return true;
    return now.getTime() - job.latestHeartbeat.getTime() < Math.max(this.options.heartbeatTimeoutMs, this.options.jobHeartbeatIntervalMs * 3);
  }
}
