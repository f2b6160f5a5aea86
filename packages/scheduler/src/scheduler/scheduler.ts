import { hostname as osHostname } from 'node:os';
import {
  DagRunState,
  FINISHED_TI_STATES,
  type JsonValue,
  resolveParams,
  type SerializedDag,
  TaskInstanceState,
} from '@updraft/core';
import type { Executor, ExecutorEvent, TaskWorkload, TryKey } from '@updraft/engine';
import type { Dag, DagRun, Job, MetadataStore, TaskInstance, TaskInstanceCreate, TaskInstanceSummary, TaskInstanceTransitionItem } from '@updraft/store';
import { SchedulerAlreadyRunningError } from './errors.js';
import { planRun, type TiView } from './plan.js';
import { createDueRuns } from './runs.js';
import { SerializedDagCache } from './serialized.js';
import { recordExecutorEvent, recordExecutorEvents } from './try-recorder.js';

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
  /**
   * Queued runs one pass starts at most (Airflow's `max_dagruns_per_loop_to_schedule`); the next pass, at once,
   * starts more. A burst of triggered runs then gets its first tries running before every run is started. Default 20.
   */
  maxDagRunsPerLoop?: number;
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
  const positiveInteger = (v: number | undefined, fallback: number, name: string): number => {
    if (v !== undefined && !Number.isSafeInteger(v)) throw new RangeError(`SchedulerOptions.${name} must be a positive integer, got ${v}`);
    return positive(v, fallback, name);
  };
  return {
    store: o.store,
    executor: o.executor,
    executorName: o.executorName ?? 'executor',
    loopIntervalMs: positive(o.loopIntervalMs, 1000, 'loopIntervalMs'),
    heartbeatTimeoutMs: positive(o.heartbeatTimeoutMs, 30_000, 'heartbeatTimeoutMs'),
    jobHeartbeatIntervalMs: positive(o.jobHeartbeatIntervalMs, 5000, 'jobHeartbeatIntervalMs'),
    maxDagRunsPerLoop: positiveInteger(o.maxDagRunsPerLoop, 20, 'maxDagRunsPerLoop'),
    singleScheduler: o.singleScheduler ?? o.store.dialect === 'sqlite',
    now: o.now ?? (() => new Date()),
    hostname: o.hostname ?? osHostname(),
    onEvent: o.onEvent,
  };
}

/** Job type of schedulers in the store's job table, as Airflow's. */
export const SCHEDULER_JOB = 'SchedulerJob';

/** A try's start is in the store at most this long after the executor reported it (sooner when a pass runs). */
const START_RECORD_DELAY_MS = 25;

/**
 * While the executor has tries enough to keep busy, a pass that events asked for comes MIN_PACE_MS after the
 * previous one, or PACE_RATIO times as long as that pass took if longer (at most MAX_PACE_MS): the events of that
 * wait are recorded, planned and claimed for in one pass instead of one pass each, and passes take at most a third
 * of the scheduler's time. A scheduler whose executor runs low on tries (an idle one too) reacts at once.
 */
const PACE_RATIO = 2;
const MIN_PACE_MS = 10;
const MAX_PACE_MS = 50;

/** Zombies are looked for at most this often (Airflow's `zombie_detection_interval` is 10 s). */
const ZOMBIE_CHECK_MS = 10_000;

const runKey = (dagId: string, runId: string): string => JSON.stringify([dagId, runId]);

/**
 * The scheduler: creates runs from schedules, moves task instances through their states by trigger rules and
 * retries, hands ready tries to the executor and records what it reports. It reads DAGs only in their serialized
 * form and never imports user code. Every change is a compare-and-set in the store, so a restart (or a second
 * scheduler on PostgreSQL) never runs a try twice.
 *
 * Its passes come in two sizes. A full pass (at start, every `loopIntervalMs`, on {@link wake}, when a retry is
 * due) looks at everything: schedules, queued runs, every running run, zombies. Between full passes, each burst
 * of executor events wakes a short pass that records the events in one batch, plans again only the runs whose
 * tries ended, and queues what became ready: its store work follows what happened, not how much is running.
 */
export class Scheduler {
  readonly options: Resolved;
  readonly #dags: SerializedDagCache;
  readonly #events: ExecutorEvent[] = [];
  readonly #maxTries = new Map<string, number>();
  /** Runs whose task instances changed since they were last planned (a try ended, a planned change may cascade). */
  readonly #dirty = new Map<string, { dagId: string; runId: string }>();
  /** The task instances of running runs as last read, and the latest `updatedAt` among them. */
  readonly #tis = new Map<string, { views: Map<string, TiView>; seen: Date | null }>();
  /** Running runs as the latest pass read them, for building workloads without a read per try. */
  readonly #runs = new Map<string, DagRun>();
  /** DAG rows as the latest full pass read them (the DAG file each try imports). */
  #dagRows = new Map<string, Dag>();
  /** When the next scheduled run of a DAG is due, per serialized hash, so passes skip DAGs with nothing due. */
  readonly #nextRunChecks = new Map<string, { hash: string; dueAt: number }>();
  #job: Job | null = null;
  #lastJobHeartbeat = 0;
  #lastFullPass = -Infinity;
  #lastZombieCheck = -Infinity;
  #wake: (() => void) | null = null;
  #woken = false;
  #fullRequested = true;
  #stopped = false;
  #loop: Promise<void> | null = null;
  #unsubscribe: (() => void) | null = null;
  #nextRetryAt: number = Infinity;
  /** A pass due soon to record tries that started (see START_RECORD_DELAY_MS); a pass that runs first takes them. */
  #soon: NodeJS.Timeout | null = null;
  /** DAGs whose runs ended since the latest pass: their next run may be created, or a queued one started. */
  readonly #endedDags = new Set<string>();
  /** The latest pass started `maxDagRunsPerLoop` queued runs and left others queued: the next one looks at them all. */
  #queuedLeft = false;

  constructor(options: SchedulerOptions) {
    this.options = resolveSchedulerOptions(options);
    this.#dags = new SerializedDagCache(this.options.store);
    this.#unsubscribe = this.options.executor.onEvent((e) => {
      this.#events.push(e);
      // Endings change what can run: a short pass takes every event that came meanwhile. A start changes nothing
      // to plan; it is recorded within START_RECORD_DELAY_MS (the UI, and anyone watching for a try's pid, see it
      // running), together with the try's end when the try is that short, in one pass rather than two.
      if (e.type === 'started') this.#nudgeSoon();
      else if (e.type !== 'log' && e.type !== 'heartbeat') this.#nudge();
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

  /** Asks the loop to run a full pass now (a run was triggered, a DAG unpaused). */
  wake(): void {
    this.#fullRequested = true;
    this.#nudge();
  }

  #nudge(): void {
    this.#woken = true;
    this.#wake?.();
  }

  #nudgeSoon(): void {
    if (this.#soon !== null || this.#stopped) return;
    this.#soon = setTimeout(() => {
      this.#soon = null;
      this.#nudge();
    }, START_RECORD_DELAY_MS);
  }

  /** Stops the loop after the current pass, lets running tries finish, and ends the job. */
  async stop(options: { terminate?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#loop;
    if (this.#soon !== null) clearTimeout(this.#soon);
    this.#soon = null;
    const { executor, store } = this.options;
    if (options.terminate) await executor.terminate();
    else await executor.end();
    await this.#drainEvents();
    this.#unsubscribe?.();
    if (this.#job) await store.endJob(this.#job.id, 'success', this.options.now());
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const now = this.options.now().getTime();
      const full = this.#fullRequested || now - this.#lastFullPass >= this.options.loopIntervalMs || now >= this.#nextRetryAt;
      this.#fullRequested = false;
      this.#woken = false;
      const began = performance.now();
      try {
        await this.#pass(full);
      } catch (e) {
        process.emitWarning(`scheduler pass failed: ${(e as Error).stack ?? String(e)}`);
      }
      if (this.#stopped) break;
      const passMs = performance.now() - began;
      if (!this.#woken && !this.#fullRequested) {
        const at = this.options.now().getTime();
        await this.#sleep(Math.max(0, Math.min(this.#lastFullPass + this.options.loopIntervalMs, this.#nextRetryAt) - at), () => true);
      }
      if (!this.#stopped && !this.#fullRequested && !this.#executorRunsLow()) {
        // Events wait for the next pass, unless the executor runs low on tries (its runners would wait for the
        // scheduler) or a full pass is asked for (a trigger, an unpause, stop).
        await this.#sleep(Math.min(MAX_PACE_MS, Math.max(MIN_PACE_MS, passMs * PACE_RATIO)), () => this.#fullRequested || this.#executorRunsLow());
      }
    }
  }

  /** Half of the executor's slots or more are free: what it has queued may run out before a paced pass. */
  #executorRunsLow(): boolean {
    const { executor } = this.options;
    return executor.freeSlots >= Math.max(1, executor.parallelism / 2);
  }

  /** Waits `ms`, or less when a nudge comes for which `interrupts` says yes. */
  async #sleep(ms: number, interrupts: () => boolean): Promise<void> {
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        if (interrupts()) done();
      };
    });
    this.#wake = null;
  }

  /** One full scheduling pass. Tests call it directly under a fake clock. */
  async runOnce(): Promise<void> {
    await this.#pass(true);
  }

  async #pass(full: boolean): Promise<void> {
    const now = this.options.now();
    if (this.#soon !== null) clearTimeout(this.#soon);
    this.#soon = null;
    await this.#drainEvents();
    await this.#heartbeatJob(now);
    const ended = [...this.#endedDags];
    this.#endedDags.clear();
    if (full) {
      this.#lastFullPass = now.getTime();
      this.#nextRetryAt = Infinity;
      await this.#dags.refresh();
      const rows = (await this.options.store.listDags({ paused: false, excludeStale: false })).items;
      this.#dagRows = new Map(rows.map((r) => [r.dagId, r]));
      await this.#createScheduledRuns(now, rows);
      await this.#startQueuedRuns(now);
    } else if (ended.length > 0 || this.#queuedLeft) {
      // A run that ended may let its DAG's next run be created or a queued one start (maxActiveRuns): only those
      // DAGs are looked at, as of the latest full pass, unless the latest pass left queued runs for this one.
      const rows = ended.map((id) => this.#dagRows.get(id)).filter((r): r is Dag => r !== undefined);
      await this.#createScheduledRuns(now, rows);
      await this.#startQueuedRuns(now, this.#queuedLeft ? undefined : ended);
    }
    await this.#scheduleRunningRuns(now, full);
    if (full || now.getTime() - this.#lastZombieCheck >= Math.min(ZOMBIE_CHECK_MS, this.options.heartbeatTimeoutMs)) {
      this.#lastZombieCheck = now.getTime();
      await this.#failZombies(now);
    }
    await this.#queueScheduled(now, full);
  }

  async #drainEvents(): Promise<void> {
    if (this.#events.length === 0) return;
    const events = this.#events.splice(0);
    await recordExecutorEvents(this.options.store, events, (k) => this.#maxTriesOf(k), this.options.now);
    for (const e of events) {
      if (e.type === 'finished' || e.type === 'lost') {
        this.#maxTries.delete(JSON.stringify([e.key.dagId, e.key.runId, e.key.taskId]));
        this.#dirty.set(runKey(e.key.dagId, e.key.runId), { dagId: e.key.dagId, runId: e.key.runId });
      }
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

  async #createScheduledRuns(now: Date, rows: readonly Dag[]): Promise<void> {
    const { store } = this.options;
    for (const row of rows) {
      if (row.isStale) continue;
      const dag = this.#dags.cached(row.dagId);
      if (!dag || dag.schedule.kind === 'none') continue;
      // Nothing is due before the next run's time, unless the DAG changed since it was computed.
      const hash = JSON.stringify([row.dagId, dag.schedule, dag.startDate, dag.endDate, dag.catchup, dag.maxActiveRuns]);
      const check = this.#nextRunChecks.get(row.dagId);
      if (check && check.hash === hash && now.getTime() < check.dueAt) {
        this.#nextRetryAt = Math.min(this.#nextRetryAt, check.dueAt);
        continue;
      }
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
      // A run held back by maxActiveRuns is due already: such a DAG is looked at again in every full pass, and one
      // comes as soon as a run ends. Only a time to come is a reason to wake.
      this.#nextRunChecks.set(row.dagId, { hash, dueAt: nextAt ? nextAt.getTime() : Infinity });
      if (nextAt && nextAt > now) this.#nextRetryAt = Math.min(this.#nextRetryAt, nextAt.getTime());
    }
  }

  async #startQueuedRuns(now: Date, dagIds?: readonly string[]): Promise<void> {
    const { store } = this.options;
    const queued = (await store.listDagRuns({ states: [DagRunState.QUEUED], orderBy: 'runAfter', ...(dagIds ? { dagIds: [...dagIds] } : {}) })).items;
    this.#queuedLeft = false;
    if (queued.length === 0) return;
    const running = new Map<string, number>();
    for (const run of (await store.listDagRuns({ states: [DagRunState.RUNNING], dagIds: [...new Set(queued.map((r) => r.dagId))] })).items) {
      running.set(run.dagId, (running.get(run.dagId) ?? 0) + 1);
    }
    const created: TaskInstanceCreate[] = [];
    let startedRuns = 0;
    for (const run of queued) {
      if (startedRuns >= this.options.maxDagRunsPerLoop) {
        this.#queuedLeft = true;
        this.#woken = true;
        break;
      }
      const dag = this.#dags.cached(run.dagId);
      const dagRow = this.#dagRows.get(run.dagId);
      if (!dag || !dagRow || dagRow.isPaused) continue;
      const count = running.get(run.dagId) ?? 0;
      if (count >= dag.maxActiveRuns) continue;
      const started = await store.updateDagRunState(run.dagId, run.runId, { state: DagRunState.RUNNING, from: [DagRunState.QUEUED], startDate: now, endDate: null });
      if (!started) continue;
      startedRuns += 1;
      running.set(run.dagId, count + 1);
      this.#dirty.set(runKey(run.dagId, run.runId), { dagId: run.dagId, runId: run.runId });
      for (const t of dag.tasks) created.push({ dagId: run.dagId, runId: run.runId, taskId: t.taskId, maxTries: t.retries + 1, queue: t.queue, pool: 'default_pool' });
    }
    if (created.length > 0) await store.createTaskInstances(created);
  }

  /**
   * Plans running runs and applies the plans: every running run in a full pass, else only the runs marked dirty.
   * The task instances of all of them are read at once, and every transition is written in one batch.
   */
  async #scheduleRunningRuns(now: Date, full: boolean): Promise<void> {
    const { store } = this.options;
    if (!full && this.#dirty.size === 0) return;
    const dirty = new Map(this.#dirty);
    this.#dirty.clear();
    const listed = (
      await store.listDagRuns({ states: [DagRunState.RUNNING], orderBy: 'runAfter', ...(full ? {} : { dagIds: [...new Set([...dirty.values()].map((r) => r.dagId))] }) })
    ).items;
    if (full) this.#runs.clear();
    for (const run of listed) this.#runs.set(runKey(run.dagId, run.runId), run);
    const runs: { run: DagRun; dag: SerializedDag }[] = [];
    for (const run of full ? listed : listed.filter((r) => dirty.has(runKey(r.dagId, r.runId)))) {
      const dag = this.#dags.cached(run.dagId) ?? (await this.#dags.get(run.dagId));
      if (!dag) continue;
      if (dag.dagrunTimeoutMs !== null && run.startDate && now.getTime() - run.startDate.getTime() > dag.dagrunTimeoutMs) {
        await this.#timeOutRun(run, now);
        continue;
      }
      runs.push({ run, dag });
    }
    if (full) for (const k of this.#tis.keys()) if (!this.#runs.has(k)) this.#tis.delete(k);
    if (runs.length === 0) return;
    const tis = await this.#readTaskInstances(
      runs.map((r) => r.run),
      full,
    );
    const missing: TaskInstanceCreate[] = [];
    const transitions: TaskInstanceTransitionItem[] = [];
    const ended: { run: DagRun; state: 'success' | 'failed' }[] = [];
    for (const { run, dag } of runs) {
      const plan = planRun(dag, tis.get(runKey(run.dagId, run.runId)) ?? new Map(), run.logicalDate, now);
      for (const id of plan.missing) {
        const t = dag.tasks.find((x) => x.taskId === id);
        missing.push({ dagId: run.dagId, runId: run.runId, taskId: id, maxTries: (t?.retries ?? 0) + 1, queue: t?.queue ?? 'default' });
      }
      for (const t of plan.transitions) {
        const finished = FINISHED_TI_STATES.has(t.to);
        transitions.push({
          key: { dagId: run.dagId, runId: run.runId, taskId: t.taskId },
          transition: {
            from: [t.from],
            to: t.to,
            patch: {
              ...(t.nextTryNumber !== undefined ? { tryNumber: t.nextTryNumber, scheduledDttm: now, startDate: null, endDate: null, duration: null, pid: null, hostname: null, lastHeartbeatAt: null } : {}),
              ...(finished ? { startDate: now, endDate: now, duration: 0 } : {}),
            },
          },
        });
      }
      if (plan.nextRetryAt) this.#nextRetryAt = Math.min(this.#nextRetryAt, plan.nextRetryAt.getTime());
      if (plan.runState) ended.push({ run, state: plan.runState });
      else if (plan.transitions.length > 0 || plan.missing.length > 0) {
        // A state change may allow the next task at once (skips propagate, the run may end): plan again soon.
        this.#dirty.set(runKey(run.dagId, run.runId), { dagId: run.dagId, runId: run.runId });
        this.#woken = true;
      }
    }
    if (missing.length > 0) await store.createTaskInstances(missing);
    if (transitions.length > 0) await store.transitionTaskInstances(transitions);
    for (const { run, state } of ended) {
      await store.updateDagRunState(run.dagId, run.runId, { state, from: [DagRunState.RUNNING], endDate: now, lastSchedulingDecision: now });
      this.#runs.delete(runKey(run.dagId, run.runId));
      this.#tis.delete(runKey(run.dagId, run.runId));
    }
    // A run that ended may let a queued or scheduled run of its DAG start (maxActiveRuns): the next pass looks.
    for (const { run } of ended) this.#endedDags.add(run.dagId);
    if (ended.length > 0) this.#woken = true;
  }

  /**
   * The task instances of some runs, as the planner sees them. A full pass reads them all; a short pass reads, for
   * runs it has read before, only what was written since the latest write it saw (one indexed read for all of
   * them), so its cost follows what changed rather than the size of the runs. What another process wrote with an
   * older clock is caught by the next full pass.
   */
  async #readTaskInstances(runs: readonly DagRun[], full: boolean): Promise<Map<string, Map<string, TiView>>> {
    const { store } = this.options;
    const fresh = full ? [...runs] : runs.filter((r) => !this.#tis.has(runKey(r.dagId, r.runId)));
    const known = full ? [] : runs.filter((r) => this.#tis.has(runKey(r.dagId, r.runId)));
    const read = async (of: readonly DagRun[], since?: Date): Promise<TaskInstanceSummary[]> =>
      of.length === 0
        ? []
        : store.listTaskInstanceSummaries({
            dagIds: [...new Set(of.map((r) => r.dagId))],
            runIds: [...new Set(of.map((r) => r.runId))],
            ...(since ? { updatedAtGte: since } : {}),
          });
    for (const r of fresh) this.#tis.set(runKey(r.dagId, r.runId), { views: new Map(), seen: null });
    let since: Date | null = null;
    for (const r of known) {
      const seen = this.#tis.get(runKey(r.dagId, r.runId))?.seen ?? null;
      if (seen === null || since === null || seen < since) since = seen;
    }
    const rows = [...(await read(fresh)), ...(await read(known, since ?? undefined))];
    const wanted = new Set(runs.map((r) => runKey(r.dagId, r.runId)));
    for (const ti of rows) {
      const k = runKey(ti.dagId, ti.runId);
      const cache = wanted.has(k) ? this.#tis.get(k) : undefined;
      if (!cache) continue;
      cache.views.set(ti.taskId, { taskId: ti.taskId, state: ti.state, tryNumber: ti.tryNumber, endDate: ti.endDate });
      if (cache.seen === null || ti.updatedAt > cache.seen) cache.seen = ti.updatedAt;
    }
    return new Map([...wanted].map((k) => [k, this.#tis.get(k)?.views ?? new Map<string, TiView>()]));
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

  /**
   * Claims up to `free` scheduled task instances, keeping each DAG within its `maxActiveTasks` (its queued and running
   * task instances across all its runs, as Airflow counts them). DAGs at their limit are left out of the claim, which
   * takes no more than the others have room for; of a DAG that got more than its room (its task instances came first
   * in the claim's order), the last ones go back to scheduled at once, and the next pass, which leaves that DAG out,
   * gives their places to others. With several schedulers on PostgreSQL, claims made at the same
   * moment may go past the limit by what each took.
   */
  async #claim(free: number, now: Date): Promise<TaskInstance[]> {
    const { store } = this.options;
    const owner = `${this.options.executorName}:${this.#job?.id ?? 0}`;
    const active = await store.countTaskInstancesPerDag([TaskInstanceState.QUEUED, TaskInstanceState.RUNNING]);
    const room = new Map<string, number>();
    const open: string[] = [];
    for (const [dagId, row] of this.#dagRows) {
      // A DAG row without a limit (written by something else than the DAG processor) has none.
      const left = row.maxActiveTasks === null ? Infinity : row.maxActiveTasks - (active.get(dagId) ?? 0);
      room.set(dagId, left);
      if (left > 0) open.push(dagId);
    }
    if (open.length === 0) return [];
    // No more than the open DAGs have room for: a DAG alone near its limit claims just what it may run.
    let limit = 0;
    for (const dagId of open) limit = Math.min(free, limit + (room.get(dagId) as number));
    // DAGs unpaused since the latest full pass are not in the rows yet: the next full pass claims theirs.
    const claimed = await store.claimScheduledTaskInstances({ limit, queuedAt: now, externalExecutorId: owner, dagIds: open });
    const kept: TaskInstance[] = [];
    const over: TaskInstanceTransitionItem[] = [];
    for (const ti of claimed) {
      const left = room.get(ti.dagId) ?? 0;
      if (left > 0) {
        room.set(ti.dagId, left - 1);
        kept.push(ti);
      } else {
        over.push({ key: ti, transition: { from: [TaskInstanceState.QUEUED], to: TaskInstanceState.SCHEDULED, tryNumber: ti.tryNumber, patch: { queuedDttm: null, externalExecutorId: null } } });
      }
    }
    if (over.length > 0) await store.transitionTaskInstances(over);
    return kept;
  }

  async #queueScheduled(now: Date, full: boolean): Promise<void> {
    const { store, executor } = this.options;
    const free = executor.freeSlots;
    if (free <= 0) return;
    // A claim reads every scheduled task instance whatever its limit: while the executor has work, short passes
    // fill its slots a quarter of its parallelism at a time rather than one by one.
    if (!full && free < Math.max(1, Math.floor(executor.parallelism / 4)) && executor.runningCount + executor.queuedCount > 0) return;
    const claimed = await this.#claim(free, now);
    if (claimed.length === 0) return;
    const failed: TaskInstanceTransitionItem[] = [];
    const fail = (ti: TaskInstance, note?: string): void => {
      failed.push({ key: ti, transition: { from: [TaskInstanceState.QUEUED], to: TaskInstanceState.FAILED, tryNumber: ti.tryNumber, patch: { endDate: now, ...(note ? { note } : {}) } } });
    };
    for (const ti of claimed) {
      const k = runKey(ti.dagId, ti.runId);
      let run = this.#runs.get(k) ?? null;
      if (!run) {
        run = await store.getDagRun(ti.dagId, ti.runId);
        if (run) this.#runs.set(k, run);
      }
      const dag = this.#dags.cached(ti.dagId) ?? (await this.#dags.get(ti.dagId));
      let dagRow = this.#dagRows.get(ti.dagId) ?? null;
      if (!dagRow) {
        dagRow = await store.getDag(ti.dagId);
        if (dagRow) this.#dagRows.set(ti.dagId, dagRow);
      }
      const task = dag?.tasks.find((t) => t.taskId === ti.taskId);
      if (!run || !dag || !dagRow || !task) {
        fail(ti);
        continue;
      }
      let params: Record<string, JsonValue>;
      try {
        params = resolveParams(dag.dagId, dag.params, run.conf);
      } catch (e) {
        // The conf passed the params when the run was triggered; the DAG's params changed since.
        fail(ti, (e as Error).message);
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
      executor.queue(workload);
    }
    if (failed.length > 0) {
      await store.transitionTaskInstances(failed);
      for (const f of failed) this.#dirty.set(runKey(f.key.dagId, f.key.runId), { dagId: f.key.dagId, runId: f.key.runId });
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
