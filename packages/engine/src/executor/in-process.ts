import { hostname } from 'node:os';
import { TaskTimeoutError } from '../errors.js';
import { toTryError, type TryOutcome } from '../run-try.js';
import { executeTry } from '../runner/execute.js';
import { TryLogFile } from '../runner/log-file.js';
import type { LogRecord } from '../task-logger.js';
import { ExecutorBase } from './base.js';
import type { LogSource, TaskWorkload } from './contract.js';
import { TaskTerminatedError } from './errors.js';
import { type InProcessExecutorOptions, resolveInProcessExecutorOptions, type ResolvedInProcessExecutorOptions } from './in-process-options.js';
import { tryKeyOf } from './workload.js';
import { tryLogPath } from './log-path.js';

interface InProcessTry {
  workload: TaskWorkload;
  controller: AbortController;
  startedAt: Date | null;
  done: boolean;
  timers: NodeJS.Timeout[];
  file: TryLogFile | null;
}

/**
 * Runs tries in this process with `runTaskTry`, for `dags test` and tests. Tries share this process: a task that
 * blocks the event loop blocks everything, and one that ignores `ctx.signal` keeps running after its timeout or
 * `terminate()`, although its try is reported ended and its slot freed at once.
 */
export class InProcessExecutor extends ExecutorBase {
  readonly #o: ResolvedInProcessExecutorOptions;
  readonly #tries = new Set<InProcessTry>();

  constructor(options: InProcessExecutorOptions) {
    const o = resolveInProcessExecutorOptions(options);
    super('InProcessExecutor', o.parallelism);
    this.#o = o;
  }

  protected launch(workload: TaskWorkload): void {
    const t: InProcessTry = { workload, controller: new AbortController(), startedAt: null, done: false, timers: [], file: null };
    this.#tries.add(t);
    // Started on the next turn: the owner is still inside queue().
    setImmediate(() => this.#start(t));
  }

  #start(t: InProcessTry): void {
    if (t.done) return;
    const w = t.workload;
    const key = tryKeyOf(w);
    t.startedAt = new Date();
    this.emit({ type: 'started', key, pid: process.pid, hostname: hostname(), at: t.startedAt });
    const log = (source: LogSource, record: LogRecord): void => {
      if (t.done) return;
      t.file?.write(record);
      this.emit({ type: 'log', key, source, record });
    };
    const beat = setInterval(() => this.emit({ type: 'heartbeat', key, at: new Date() }), this.#o.heartbeatIntervalMs);
    t.timers.push(beat);
    try {
      if (this.#o.logsFolder !== null) t.file = new TryLogFile(tryLogPath(this.#o.logsFolder, w));
    } catch (e) {
      this.#finish(t, { state: 'failed', error: toTryError(e), retryable: true });
      return;
    }
    const timeoutMs = w.executionTimeoutMs;
    if (timeoutMs !== null) {
      t.timers.push(
        setTimeout(() => {
          const error = new TaskTimeoutError(w.taskId, timeoutMs);
          log('executor', { at: new Date(), level: 'error', message: error.message });
          t.controller.abort(error);
          this.#finish(t, { state: 'failed', error: toTryError(error), retryable: true });
        }, timeoutMs),
      );
    }
    void executeTry({
      workload: w,
      xcoms: this.#o.xcoms,
      xcomSizeLimitBytes: this.#o.xcomSizeLimitBytes,
      onLog: log,
      dag: this.#o.dags.get(w.dagId),
      signal: t.controller.signal,
    }).then((outcome) => this.#finish(t, outcome));
  }

  #finish(t: InProcessTry, outcome: TryOutcome): void {
    if (t.done) return;
    t.done = true;
    this.#tries.delete(t);
    for (const timer of t.timers) clearTimeout(timer);
    t.file?.close();
    const startedAt = t.startedAt as Date;
    const endedAt = new Date();
    this.emit({ type: 'finished', key: tryKeyOf(t.workload), outcome, startedAt, endedAt, durationMs: endedAt.getTime() - startedAt.getTime() });
  }

  protected stopAll(): Promise<TaskWorkload[]> {
    const notStarted: TaskWorkload[] = [];
    for (const t of [...this.#tries]) {
      if (t.startedAt === null) {
        t.done = true;
        this.#tries.delete(t);
        notStarted.push(t.workload);
        this.forget(t.workload);
        continue;
      }
      const error = new TaskTerminatedError(t.workload.taskId, 'the executor was terminated');
      t.controller.abort(error);
      this.#finish(t, { state: 'failed', error: toTryError(error), retryable: true });
    }
    return Promise.resolve(notStarted);
  }

  protected releaseResources(): Promise<void> {
    return Promise.resolve();
  }
}
