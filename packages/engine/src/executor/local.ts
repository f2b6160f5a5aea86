import { availableParallelism } from 'node:os';
import { TaskTimeoutError } from '../errors.js';
import { toTryError, type TryError, type TryOutcome } from '../run-try.js';
import { appendLogRecord } from '../runner/log-file.js';
import type { FromRunner, ToRunner, XComOp } from '../runner/protocol.js';
import type { LogRecord } from '../task-logger.js';
import type { XComEntry, XComRef } from '../xcom.js';
import { AFFINITY_WINDOW, pickWaiting } from './affinity.js';
import { ExecutorBase } from './base.js';
import { runnersToFork } from './fork-policy.js';
import type { LogSource, TaskWorkload, TryKey } from './contract.js';
import { TaskTerminatedError } from './errors.js';
import { type LocalExecutorOptions, resolveLocalExecutorOptions, type ResolvedLocalExecutorOptions } from './local-options.js';
import { tryLogPath } from './log-path.js';
import { resolveRunnerEntry, type RunnerEntry } from './runner-entry.js';
import { type RunnerHandlers, RunnerProcess } from './runner-process.js';
import { tryKeyOf } from './workload.js';

interface LocalTry {
  workload: TaskWorkload;
  key: TryKey;
  logFile: string;
  /** The try's number on its runner, echoed in the runner's messages about it; 0 until assigned. */
  seq: number;
  /** Null while the try waits for a runner. */
  runner: RunnerProcess | null;
  /** When the try began to wait for a runner (performance.now()). */
  pendingSince: number;
  started: { at: Date; pid: number } | null;
  /** What the runner reported; the try is reported once the process is gone. */
  reported: { outcome: TryOutcome; startedAt: Date; endedAt: Date } | null;
  /** The executor's own decision (timeout, terminate), which wins over anything the runner says after it. */
  verdict: TryOutcome | null;
  /** Dropped by terminate() before it started: no event at all. */
  forgotten: boolean;
  /** While the try is handed ahead to a busy runner (see {@link LocalExecutor.#handAhead}): the timer that takes it back. */
  takeBack: NodeJS.Timeout | null;
  timers: NodeJS.Timeout[];
  /**
   * The clearing of the task's XComs from earlier tries, started when the try is launched: null once done, or what
   * went wrong. The try's own XCom calls, and its `finished` event, wait for it.
   */
  xcomsCleared: Promise<TryError | null>;
}

/** A DAG whose latest tries each took less than this has tries a busy runner may be handed ahead (see ADR-004). */
const SHORT_TRY_MS = 20;
/** How many of a DAG's latest tries tell whether its tries are short. */
const PACE_WINDOW = 4;
/** A try handed ahead that has not started within this is taken back: the try before it was not short after all. */
const TAKE_BACK_MS = 100;

/** Runners that fail to boot this many times in a row stop being forked in advance; each waiting try still gets one. */
const MAX_BOOT_FAILURES = 3;

/**
 * Runners booting at once for waiting tries: a boot keeps a core busy, so more at once would not come sooner and
 * would slow the tries that run meanwhile.
 */
const MAX_CONCURRENT_BOOTS = Math.max(1, availableParallelism());

/** What a runner is expected to take to boot before any has: about a cold fork of the built runner under load. */
const INITIAL_BOOT_ESTIMATE_MS = 200;

/** Lines a runner prints before it has a try (Node warnings, say) that are kept for that try's log. */
const MAX_EARLY_LINES = 100;

/**
 * Runs tries in task runner processes (`child_process.fork`), so a task that crashes, blocks its event loop or
 * calls `process.exit` never takes the executor down: its runner dies and only its own try is lost. A runner runs
 * tries one after another, each importing its DAG file afresh, until `maxTriesPerRunner` tries, its memory passes
 * `maxRunnerRssBytes`, or a try leaves timers or sockets behind; then a fresh runner takes its place. A pool of
 * runners is kept booted and waiting, so a try starts in milliseconds, and a busy runner running short tries is
 * handed its next one ahead, which it starts without waiting for this process. See ADR-001-local-runner.md,
 * ADR-002-runner-reuse.md, ADR-003-dag-reuse.md and ADR-004-prefetch.md.
 */
export class LocalExecutor extends ExecutorBase {
  readonly #o: ResolvedLocalExecutorOptions;
  readonly #entry: RunnerEntry;
  readonly #handlers: RunnerHandlers;
  /** Booted and waiting, oldest first. */
  readonly #idle: RunnerProcess[] = [];
  /** Forked, not ready yet, with when each was forked. */
  readonly #booting = new Map<RunnerProcess, number>();
  /** Tries holding a slot while no runner is ready for them, oldest first: the first runner ready takes the first. */
  readonly #pending: LocalTry[] = [];
  readonly #tries = new Map<RunnerProcess, LocalTry>();
  /** The try each busy runner holds, to start once its current one ends (see {@link #handAhead}). */
  readonly #ahead = new Map<RunnerProcess, LocalTry>();
  /** How long the latest tries of each DAG took (ms), at most PACE_WINDOW of them. */
  readonly #pace = new Map<string, number[]>();
  readonly #earlyOutput = new Map<RunnerProcess, LogRecord[]>();
  readonly #exits = new Map<RunnerProcess, Promise<void>>();
  readonly #exitResolvers = new Map<RunnerProcess, () => void>();
  readonly #warmWaiters: (() => void)[] = [];
  readonly #idleTimers = new Map<RunnerProcess, NodeJS.Timeout>();
  #bootFailures = 0;
  /** The DAG file of the latest try queued: a runner that boots imports it ahead, as the next try likely needs it. */
  #lastDagFile: string | null = null;
  /** How long runners take to boot (moving average), which is how long a waiting try waits before getting its own. */
  #bootEstimateMs = INITIAL_BOOT_ESTIMATE_MS;
  #bootTimer: NodeJS.Timeout | null = null;
  /** How long apart waiting tries got a runner lately (moving average; null before any did): how fast the wait drains. */
  #drainMs: number | null = null;
  /** When a waiting try last got a runner, or the wait began to fill (performance.now()). */
  #lastDrainAt = 0;

  constructor(options: LocalExecutorOptions) {
    const o = resolveLocalExecutorOptions(options);
    super('LocalExecutor', o.parallelism);
    this.#o = o;
    const entry = resolveRunnerEntry();
    this.#entry = { file: entry.file, execArgv: [...entry.execArgv, ...o.runnerExecArgv] };
    this.#handlers = {
      onMessage: (r, m) => this.#onMessage(r, m),
      onOutput: (r, source, line) => this.#onOutput(r, source, line),
      onHeartbeat: (r) => this.#onHeartbeat(r),
      onExit: (r, code, signal) => this.#onExit(r, code, signal),
    };
    this.#refill();
  }

  /** Pids of the runners booted and waiting for a try. */
  get warmRunnerPids(): number[] {
    return this.#idle.map((r) => r.pid).filter((p): p is number => p !== null);
  }

  /** Resolves once `poolSize` runners are booted and waiting (at once when the pool is off or the executor closed). */
  whenWarm(): Promise<void> {
    if (this.#isWarm()) return Promise.resolve();
    return new Promise((resolve) => this.#warmWaiters.push(resolve));
  }

  protected launch(workload: TaskWorkload): void {
    const t: LocalTry = {
      workload,
      key: tryKeyOf(workload),
      logFile: tryLogPath(this.#o.logsFolder, workload),
      seq: 0,
      runner: null,
      pendingSince: performance.now(),
      started: null,
      reported: null,
      verdict: null,
      forgotten: false,
      takeBack: null,
      timers: [],
      // Here rather than in the runner: the try does not wait a round trip for it, and it overlaps the wait for a
      // runner (see ADR-003).
      xcomsCleared: this.#o.xcoms.clear({ dagId: workload.dagId, runId: workload.runId, taskId: workload.taskId }).then(
        () => null,
        (e: unknown) => toTryError(e),
      ),
    };
    this.#lastDagFile = workload.dagFile;
    const runner = this.#takeIdle(workload.dagFile);
    const ahead = runner || this.#pending.length > 0 ? undefined : this.#aheadRunner(workload.dagFile);
    if (runner) this.#assign(t, runner);
    else if (ahead) this.#handAhead(t, ahead);
    else {
      if (this.#pending.length === 0) this.#lastDrainAt = t.pendingSince;
      this.#pending.push(t);
    }
    this.#refill();
  }

  /**
   * Whether busy runner `r` may be handed a try ahead: it holds none already, it will take another try after its
   * current one, and its current try is of a DAG whose latest tries were all short. Nor behind a try with an
   * `executionTimeout`: stopping it races with its end, and the held try must never start in a runner being stopped.
   */
  #mayHoldAhead(r: RunnerProcess): boolean {
    const current = this.#tries.get(r);
    if (!this.#o.prefetch || !current || this.#ahead.has(r) || r.tries >= this.#o.maxTriesPerRunner) return false;
    if (current.verdict !== null || current.reported !== null || current.workload.executionTimeoutMs !== null) return false;
    const pace = this.#pace.get(current.workload.dagId);
    return pace !== undefined && pace.every((ms) => ms < SHORT_TRY_MS);
  }

  /** A busy runner that may be handed a try of `dagFile` ahead; one that imported the file comes first. */
  #aheadRunner(dagFile: string): RunnerProcess | undefined {
    let other: RunnerProcess | undefined;
    for (const r of this.#tries.keys()) {
      if (!this.#mayHoldAhead(r)) continue;
      if (r.dagFiles.has(dagFile)) return r;
      other ??= r;
    }
    return other;
  }

  /**
   * Sends a try to a busy runner, which holds it and starts it as soon as it has reported its current try, without
   * waiting for this process to read that report and answer (see ADR-004). The try still counts as waiting for the
   * pool: if it has not started within TAKE_BACK_MS, it is taken back (the runner drops it unless it started).
   */
  #handAhead(t: LocalTry, runner: RunnerProcess): void {
    t.runner = runner;
    t.seq = ++runner.tries;
    runner.dagFiles.add(t.workload.dagFile);
    this.#ahead.set(runner, t);
    t.takeBack = setTimeout(() => {
      if (this.#ahead.get(runner) === t) runner.send({ type: 'cancel', seq: t.seq });
    }, TAKE_BACK_MS);
    runner.run(this.#runMessage(t));
  }

  /** Hands `r` the waiting try that suits it best, if it may hold one. */
  #fillAhead(r: RunnerProcess): void {
    if (this.#pending.length === 0 || !this.#mayHoldAhead(r)) return;
    const waiting = this.#nextFor(r);
    if (waiting) this.#handAhead(waiting, r);
  }

  /** The try `r` holds, no longer held (its take-back timer stopped); undefined when it holds none. */
  #unhold(r: RunnerProcess): LocalTry | undefined {
    const t = this.#ahead.get(r);
    if (!t) return undefined;
    this.#ahead.delete(r);
    if (t.takeBack !== null) clearTimeout(t.takeBack);
    t.takeBack = null;
    return t;
  }

  /** The try handed ahead to `r` goes back to the waiting tries, first in line: its runner will not run it. */
  #takeBackAhead(r: RunnerProcess): void {
    const t = this.#unhold(r);
    if (!t) return;
    t.runner = null;
    t.seq = 0;
    const idle = this.#takeIdle(t.workload.dagFile);
    if (idle) return this.#assign(t, idle);
    if (this.#pending.length === 0) this.#lastDrainAt = performance.now();
    this.#pending.unshift(t);
    this.#armBootTimer();
  }

  /**
   * An idle runner for a try of `dagFile`: the latest to go idle among those that imported the file already, else
   * the latest to go idle. Latest first keeps a few runners busy and lets the others reach their idle timeout.
   */
  #takeIdle(dagFile: string): RunnerProcess | undefined {
    let at = -1;
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      if ((this.#idle[i] as RunnerProcess).dagFiles.has(dagFile)) {
        at = i;
        break;
      }
    }
    if (at < 0) at = this.#idle.length - 1;
    if (at < 0) return undefined;
    const [runner] = this.#idle.splice(at, 1) as [RunnerProcess];
    clearTimeout(this.#idleTimers.get(runner));
    this.#idleTimers.delete(runner);
    return runner;
  }

  /**
   * A runner done with its try: it runs the try it was handed ahead, which it started on its own; else it takes
   * the oldest waiting try, or waits in the pool.
   */
  #release(r: RunnerProcess): void {
    const ahead = this.#unhold(r);
    if (ahead) {
      this.#tries.set(r, ahead);
      return this.#fillAhead(r);
    }
    const waiting = this.#nextFor(r);
    if (waiting) {
      const now = performance.now();
      const gap = now - this.#lastDrainAt;
      this.#drainMs = this.#drainMs === null ? gap : 0.8 * this.#drainMs + 0.2 * gap;
      this.#lastDrainAt = now;
      this.#assign(waiting, r);
      return this.#fillAhead(r);
    }
    // Idle runners do not keep the owner's process alive.
    r.setRef(false);
    this.#idle.push(r);
    this.#idleTimers.set(
      r,
      setTimeout(() => this.#retireIfSpare(r), this.#o.idleRunnerTimeoutMs).unref(),
    );
  }

  /** The waiting try a free runner takes (see {@link pickWaiting}), off the waiting list. */
  #nextFor(r: RunnerProcess): LocalTry | undefined {
    const now = performance.now();
    // Every runner, listed only when a try of a file this one has not imported is looked at.
    let all: RunnerProcess[] | null = null;
    const i = pickWaiting(
      this.#pending.slice(0, AFFINITY_WINDOW).map((t) => ({ dagFile: t.workload.dagFile, waitedMs: now - t.pendingSince })),
      (file) => r.dagFiles.has(file),
      (file) => (all ??= [...this.#tries.keys(), ...this.#idle, ...this.#booting.keys()]).some((o) => o.dagFiles.has(file)),
    );
    return i < 0 ? undefined : this.#pending.splice(i, 1)[0];
  }

  /** An idle runner beyond the pool's size goes; the pool keeps `poolSize`. */
  #retireIfSpare(r: RunnerProcess): void {
    this.#idleTimers.delete(r);
    const at = this.#idle.indexOf(r);
    if (at < 0 || this.#idle.length <= this.#o.poolSize) return;
    this.#idle.splice(at, 1);
    r.release();
  }

  protected async stopAll(): Promise<TaskWorkload[]> {
    const notStarted: TaskWorkload[] = [];
    // A try handed ahead has not started as far as this process knows (as a try sent to a runner whose `started`
    // was not read yet): it is forgotten as such a try is, but its runner is stopped with its current try, not
    // killed for it, and drops it.
    const held = [...this.#ahead.keys()].map((r) => {
      const t = this.#unhold(r) as LocalTry;
      t.runner = null;
      return t;
    });
    for (const t of [...held, ...this.#pending.splice(0), ...this.#tries.values()]) {
      if (t.started === null) {
        t.forgotten = true;
        notStarted.push(t.workload);
        this.forget(t.workload);
        t.runner?.kill('SIGKILL');
      } else if (t.verdict === null && t.reported === null) {
        this.#stop(t, toTryError(new TaskTerminatedError(t.workload.taskId, 'the executor was terminated')), 'Terminated by the executor');
      }
    }
    await Promise.all([...this.#tries.keys()].map((r) => this.#exitOf(r)));
    return notStarted;
  }

  protected async releaseResources(): Promise<void> {
    for (const resolve of this.#warmWaiters.splice(0)) resolve();
    if (this.#bootTimer !== null) clearTimeout(this.#bootTimer);
    this.#bootTimer = null;
    for (const timer of this.#idleTimers.values()) clearTimeout(timer);
    this.#idleTimers.clear();
    const left = [...this.#idle, ...this.#booting.keys()];
    for (const r of left) {
      r.release();
      // A runner still booting reads its channel's end only once booted; the grace bounds the wait.
      const timer = setTimeout(() => r.kill('SIGKILL'), Math.min(this.#o.killGraceMs, 5000));
      void this.#exitOf(r).then(() => clearTimeout(timer));
    }
    await Promise.all(left.map((r) => this.#exitOf(r)));
  }

  /** Resolves when the runner is gone (at once when it already is). */
  #exitOf(r: RunnerProcess): Promise<void> {
    return this.#exits.get(r) ?? Promise.resolve();
  }

  #assign(t: LocalTry, runner: RunnerProcess): void {
    t.runner = runner;
    t.seq = ++runner.tries;
    runner.dagFiles.add(t.workload.dagFile);
    this.#tries.set(runner, t);
    runner.setRef(true);
    for (const record of this.#earlyOutput.get(runner) ?? []) safeAppend(t.logFile, record);
    this.#earlyOutput.delete(runner);
    runner.run(this.#runMessage(t));
  }

  #runMessage(t: LocalTry): Extract<ToRunner, { type: 'run' }> {
    return {
      type: 'run',
      seq: t.seq,
      workload: t.workload,
      logFile: t.logFile,
      heartbeatIntervalMs: this.#o.heartbeatIntervalMs,
      xcomSizeLimitBytes: this.#o.xcomSizeLimitBytes,
      recycle: { maxTries: this.#o.maxTriesPerRunner, maxRssBytes: this.#o.maxRunnerRssBytes },
      reuseDags: this.#o.reuseDags,
    };
  }

  /**
   * Keeps `poolSize` runners alive (unless closed or failing to boot), and gives waiting tries runners of their
   * own once they have waited about as long as a boot takes (see {@link #armBootTimer}).
   */
  #refill(): void {
    const least = this.closed || this.#bootFailures >= MAX_BOOT_FAILURES ? 0 : this.#o.poolSize;
    while (this.#idle.length + this.#booting.size + this.#tries.size < least) this.#fork();
    this.#armBootTimer();
  }

  #fork(): void {
    const r = new RunnerProcess(this.#entry, this.#handlers);
    this.#exits.set(r, new Promise((resolve) => this.#exitResolvers.set(r, resolve)));
    this.#booting.set(r, performance.now());
  }

  /**
   * Gives waiting tries that no booting runner will take runners of their own when {@link runnersToFork} says so:
   * after about a boot's time, unless the busy runners will reach them sooner (booting costs a core for a while; see
   * ADR-003). A boot per core at a time; runners never outnumber `parallelism`.
   */
  #armBootTimer(notBefore = 0): void {
    // A runner that becomes ready calls this again.
    if (this.#bootTimer !== null || this.#booting.size >= MAX_CONCURRENT_BOOTS) return;
    const oldest = this.#pending[this.#booting.size];
    if (!oldest) return;
    // Waiting is worth it only while a busy runner may free up and take the try.
    const wait = this.#o.maxTriesPerRunner > 1 && this.#tries.size > 0 ? this.#bootEstimateMs : 0;
    const due = Math.max(oldest.pendingSince + wait, notBefore);
    this.#bootTimer = setTimeout(() => {
      this.#bootTimer = null;
      const now = performance.now();
      const forks = runnersToFork({
        waitedMs: this.#pending.slice(this.#booting.size).map((t) => now - t.pendingSince),
        waitMs: wait,
        drainMs: this.#drainMs,
        sinceDrainMs: now - this.#lastDrainAt,
        runners: this.#idle.length + this.#booting.size + this.#tries.size,
        maxRunners: this.parallelism,
        booting: this.#booting.size,
        maxBooting: MAX_CONCURRENT_BOOTS,
      });
      for (let i = 0; i < forks; i++) this.#fork();
      // Tries that the busy runners are about to take are looked at again once their pace may have changed.
      this.#armBootTimer(forks === 0 ? now + wait / 4 : 0);
    }, Math.max(0, due - performance.now()));
  }

  #isWarm(): boolean {
    return this.closed || this.#idle.length >= this.#o.poolSize || this.#bootFailures >= MAX_BOOT_FAILURES;
  }

  #onMessage(r: RunnerProcess, m: FromRunner): void {
    if (m.type === 'ready') {
      this.#bootFailures = 0;
      const forkedAt = this.#booting.get(r);
      if (forkedAt === undefined) return;
      this.#booting.delete(r);
      this.#bootEstimateMs = 0.7 * this.#bootEstimateMs + 0.3 * (performance.now() - forkedAt);
      // Booting runners keep the owner's process alive, briefly, so whenWarm() can settle.
      this.#release(r);
      this.#armBootTimer();
      if (!this.#tries.has(r) && this.#lastDagFile !== null) {
        r.dagFiles.add(this.#lastDagFile);
        r.send({ type: 'preload', dagFile: this.#lastDagFile, reuseDags: this.#o.reuseDags });
      }
      if (this.#isWarm()) for (const resolve of this.#warmWaiters.splice(0)) resolve();
      return;
    }
    if (m.type === 'cancelled') {
      if (this.#ahead.get(r)?.seq === m.seq) this.#takeBackAhead(r);
      return;
    }
    const t = this.#tries.get(r);
    // A message about another try than the runner's current one (or a task's own process.send) is not taken.
    if (!t || t.forgotten || m.seq !== t.seq) return;
    switch (m.type) {
      case 'started':
        if (t.started) return;
        t.started = { at: m.at, pid: m.pid };
        this.emit({ type: 'started', key: t.key, pid: m.pid, hostname: m.hostname, at: m.at });
        if (t.workload.executionTimeoutMs !== null) {
          const ms = t.workload.executionTimeoutMs;
          t.timers.push(setTimeout(() => this.#stop(t, toTryError(new TaskTimeoutError(t.workload.taskId, ms)), `Timeout: ${ms} ms (executionTimeout) passed`), ms));
        }
        return;
      case 'log':
        if (t.verdict === null) this.emit({ type: 'log', key: t.key, source: m.source, record: m.record });
        return;
      case 'xcom':
        void this.#xcom(t, m.id, m.op, m.arg);
        return;
      case 'finished':
        if (t.verdict !== null || t.reported !== null) return;
        if (m.exiting === null) return this.#reuse(t, r, m);
        t.reported = { outcome: m.outcome, startedAt: m.startedAt, endedAt: m.endedAt };
        // The runner exits without starting the try it holds.
        this.#takeBackAhead(r);
        // The runner exits right after reporting; one that hangs in its exit is not left behind.
        t.timers.push(setTimeout(() => r.kill('SIGKILL'), this.#o.killGraceMs));
        return;
    }
  }

  /** The runner reported its try and waits for the next one: the try ends now, and the runner goes back to work. */
  #reuse(t: LocalTry, r: RunnerProcess, m: Extract<FromRunner, { type: 'finished' }>): void {
    for (const timer of t.timers) clearTimeout(timer);
    this.#tries.delete(r);
    // First: the try's time counts for its DAG's pace before the runner is handed its next try.
    this.#finished(t, m.outcome, m.startedAt, m.endedAt);
    this.#release(r);
  }

  /**
   * Reports the end of a try once its earlier XComs are cleared, so nothing downstream can read them after it: a
   * try that succeeded while they could not be cleared fails (retryable), as it would have in the runner.
   */
  #finished(t: LocalTry, outcome: TryOutcome, startedAt: Date, endedAt: Date): void {
    const pace = this.#pace.get(t.workload.dagId) ?? [];
    pace.push(endedAt.getTime() - startedAt.getTime());
    if (pace.length > PACE_WINDOW) pace.shift();
    this.#pace.set(t.workload.dagId, pace);
    void t.xcomsCleared.then((error) => {
      const reported: TryOutcome = error !== null && outcome.state !== 'failed' ? { state: 'failed', error, retryable: true } : outcome;
      this.emit({ type: 'finished', key: t.key, outcome: reported, startedAt, endedAt, durationMs: endedAt.getTime() - startedAt.getTime() });
    });
  }

  /** Stops a started try with the executor's verdict: SIGTERM, then SIGKILL after the grace. */
  #stop(t: LocalTry, error: ReturnType<typeof toTryError>, why: string): void {
    if (t.verdict !== null || t.reported !== null) return;
    t.verdict = { state: 'failed', error, retryable: true };
    this.#note(t, 'error', `${why}: stopping the task runner (pid ${t.runner?.pid ?? '?'}) with SIGTERM, then SIGKILL after ${this.#o.killGraceMs} ms`);
    const runner = t.runner as RunnerProcess;
    runner.kill('SIGTERM');
    t.timers.push(setTimeout(() => runner.kill('SIGKILL'), this.#o.killGraceMs));
  }

  async #xcom(t: LocalTry, id: number, op: XComOp, arg: unknown): Promise<void> {
    const b = this.#o.xcoms;
    const k = t.key;
    // The try's calls come after the clearing of its earlier XComs, and fail as it did.
    const cleared = await t.xcomsCleared;
    if (cleared !== null) {
      t.runner?.send({ type: 'xcom-result', id, ok: false, error: cleared });
      return;
    }
    try {
      // A task may call process.send itself; it only reaches its own run, and only writes its own XComs.
      const ref = arg as Partial<XComEntry>;
      if (typeof ref !== 'object' || ref === null || ref.dagId !== k.dagId || ref.runId !== k.runId) throw new Error(`XCom ${op} outside the try's DAG run`);
      if ((op === 'push' || op === 'clear') && ref.taskId !== k.taskId) throw new Error(`XCom ${op} for another task than the try's`);
      if (op === 'push' && ref.tryNumber !== k.tryNumber) throw new Error('XCom push for another try');
      let value: unknown;
      if (op === 'push') value = await b.push(ref as XComEntry);
      else if (op === 'pull') value = await b.pull(ref as XComRef);
      else if (op === 'clear') value = await b.clear(ref as Omit<XComRef, 'key'>);
      else if (op === 'list') value = await b.list({ dagId: k.dagId, runId: k.runId });
      else throw new Error(`unknown XCom operation ${String(op)}`);
      t.runner?.send({ type: 'xcom-result', id, ok: true, value });
    } catch (e) {
      t.runner?.send({ type: 'xcom-result', id, ok: false, error: toTryError(e) });
    }
  }

  #onOutput(r: RunnerProcess, source: 'stdout' | 'stderr', line: string): void {
    const record: LogRecord = { at: new Date(), level: source === 'stdout' ? 'info' : 'warn', message: line };
    const t = this.#tries.get(r);
    if (t) {
      if (t.forgotten) return;
      safeAppend(t.logFile, record);
      if (t.verdict === null) this.emit({ type: 'log', key: t.key, source, record });
      return;
    }
    const early = this.#earlyOutput.get(r) ?? [];
    if (early.length < MAX_EARLY_LINES) early.push(record);
    this.#earlyOutput.set(r, early);
  }

  #onHeartbeat(r: RunnerProcess): void {
    const t = this.#tries.get(r);
    if (t?.started && !t.forgotten && t.verdict === null && t.reported === null) this.emit({ type: 'heartbeat', key: t.key, at: new Date() });
  }

  #onExit(r: RunnerProcess, exitCode: number | null, signal: NodeJS.Signals | null): void {
    this.#exitResolvers.get(r)?.();
    this.#exitResolvers.delete(r);
    this.#exits.delete(r);
    const early = this.#earlyOutput.get(r) ?? [];
    this.#earlyOutput.delete(r);
    const wasBooting = this.#booting.delete(r);
    // It died before reporting its current try, or after, without starting the one it held: that one runs elsewhere.
    this.#takeBackAhead(r);
    const idleAt = this.#idle.indexOf(r);
    if (idleAt >= 0) this.#idle.splice(idleAt, 1);
    clearTimeout(this.#idleTimers.get(r));
    this.#idleTimers.delete(r);
    const t = this.#tries.get(r);
    this.#tries.delete(r);
    if (!t) {
      if (wasBooting) {
        this.#bootFailures += 1;
        // The oldest waiting try would have had this runner: it is lost with it, so a runner that cannot boot
        // fails tries instead of being forked forever.
        const waiting = this.#pending.shift();
        if (waiting) {
          // What the runner printed (Node refusing a flag, say) explains the loss.
          for (const record of early) safeAppend(waiting.logFile, record);
          this.#lose(waiting, r, exitCode, signal);
        }
      }
      this.#refill();
      if (this.#isWarm()) for (const resolve of this.#warmWaiters.splice(0)) resolve();
      return;
    }
    for (const timer of t.timers) clearTimeout(timer);
    // The pool lost a runner: one takes its place while fewer than `poolSize` are left.
    this.#refill();
    if (t.forgotten) return;
    const endedAt = new Date();
    if (t.verdict !== null || t.reported !== null) {
      const startedAt = t.reported?.startedAt ?? t.started?.at ?? endedAt;
      const end = t.verdict === null ? (t.reported?.endedAt ?? endedAt) : endedAt;
      const outcome = t.verdict ?? (t.reported as NonNullable<LocalTry['reported']>).outcome;
      this.#finished(t, outcome, startedAt, end);
      return;
    }
    this.#lose(t, r, exitCode, signal);
  }

  #lose(t: LocalTry, r: RunnerProcess, exitCode: number | null, signal: NodeJS.Signals | null): void {
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${String(exitCode)}`;
    this.#note(t, 'error', `The task runner (pid ${r.pid ?? '?'}) ${how} ${t.started ? 'before reporting a result' : 'before starting the try'}`);
    this.emit({ type: 'lost', key: t.key, at: new Date(), started: t.started !== null, pid: r.pid, exitCode, signal });
  }

  /** A line of the executor's own in the try's log file and events. */
  #note(t: LocalTry, level: LogRecord['level'], message: string): void {
    const record: LogRecord = { at: new Date(), level, message };
    const source: LogSource = 'executor';
    safeAppend(t.logFile, record);
    this.emit({ type: 'log', key: t.key, source, record });
  }
}

/** The executor's lines in a try's log are a courtesy: failing to write them must not take the executor down. */
function safeAppend(path: string, record: LogRecord): void {
  try {
    appendLogRecord(path, record);
  } catch {
    // The runner reports the same problem (it cannot open the file) as the try's failure.
  }
}
