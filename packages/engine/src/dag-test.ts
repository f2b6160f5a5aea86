import {
  countUpstream,
  type DAG,
  type DagRunContext,
  DagRunState,
  DagRunType,
  evaluateTriggerRule,
  FINISHED_TI_STATES,
  InvalidArgumentError,
  type JsonValue,
  manualDataInterval,
  resolveParams,
  retryDelayMs,
  TaskInstanceState,
  UnknownTaskError,
} from '@updraft/core';
import { deepFreeze } from './freeze.js';
import { createTaskLogger, type LogRecord } from './task-logger.js';
import { runTaskTry, type TryError } from './run-try.js';
import { MemoryXComBackend, type XComBackend, type XComEntry } from './xcom.js';

/** Options of {@link runDagTest}. */
export interface DagTestOptions {
  /** The run's conf, checked against the DAG's params. Default `{}`. */
  conf?: Record<string, JsonValue>;
  /** Default: now. */
  logicalDate?: Date;
  /** Default: `manual__<logical date ISO>`, as Airflow. */
  runId?: string;
  /** Retry at once instead of waiting `retryDelay` (tests and debugging). Default false. */
  skipRetryDelay?: boolean;
  /** Tries running at once, a positive integer (async tasks interleave; CPU-bound ones run one after another). Default the DAG's `maxActiveTasks`. */
  concurrency?: number;
  /**
   * Only these tasks run (`updraft tasks test`); the others count as succeeded for their trigger rules, and the
   * run's state follows the selected tasks that have no selected downstream. Default all.
   */
  taskIds?: readonly string[];
  /** Where XComs go. Default a fresh in-memory backend. */
  xcoms?: XComBackend;
  /** Largest XCom in JSON bytes. Default 1 MiB. */
  xcomSizeLimitBytes?: number;
  /** Called for every state change and log line, in order. */
  onEvent?: (event: DagTestEvent) => void;
  /** Stops the run: running tries are asked to stop, nothing new starts. */
  signal?: AbortSignal;
}

/** Something that happened during a test run. */
export type DagTestEvent =
  | { type: 'task-state'; taskId: string; state: TaskInstanceState; tryNumber: number; at: Date; durationMs?: number; error?: TryError; nextTryInMs?: number; reason?: string }
  | { type: 'log'; taskId: string; tryNumber: number; record: LogRecord };

/** One task instance at the end of a test run. */
export interface TaskInstanceResult {
  taskId: string;
  state: TaskInstanceState | null;
  /** The number of the last try, 0 when it never ran. */
  tryNumber: number;
  startDate: Date | null;
  endDate: Date | null;
  durationMs: number | null;
  error: TryError | null;
}

/** The outcome of {@link runDagTest}. */
export interface DagTestResult {
  dagId: string;
  runId: string;
  state: DagRunState;
  logicalDate: Date;
  startDate: Date;
  endDate: Date;
  taskInstances: TaskInstanceResult[];
  xcoms: XComEntry[];
}

interface TiState extends TaskInstanceResult {
  /** When an up_for_retry task may run again (ms since epoch). */
  retryAt: number;
}

/** {@link DagTestOptions} checked, with their defaults. */
interface ResolvedDagTestOptions {
  conf: Record<string, JsonValue>;
  logicalDate: Date;
  runId: string;
  skipRetryDelay: boolean;
  concurrency: number;
  taskIds: ReadonlySet<string> | null;
  xcoms: XComBackend;
  xcomSizeLimitBytes: number | undefined;
  onEvent: (event: DagTestEvent) => void;
  signal: AbortSignal | undefined;
}

function resolveDagTestOptions(dag: DAG, o: DagTestOptions): ResolvedDagTestOptions {
  const positiveInt = (field: string, value: number | undefined): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new InvalidArgumentError(dag.dagId, field, 'a positive integer', value);
  };
  positiveInt('concurrency', o.concurrency);
  positiveInt('xcomSizeLimitBytes', o.xcomSizeLimitBytes);
  if (o.logicalDate !== undefined && (!(o.logicalDate instanceof Date) || Number.isNaN(o.logicalDate.getTime()))) {
    throw new InvalidArgumentError(dag.dagId, 'logicalDate', 'a valid Date', o.logicalDate);
  }
  if (o.taskIds !== undefined) {
    const ids: unknown = o.taskIds;
    if (!Array.isArray(ids) || ids.length === 0) throw new InvalidArgumentError(dag.dagId, 'taskIds', 'a non-empty array of task ids', ids);
    for (const id of ids as unknown[]) if (typeof id !== 'string' || !dag.hasTask(id)) throw new UnknownTaskError(dag.dagId, String(id), 'taskIds');
  }
  const logicalDate = o.logicalDate ?? new Date();
  return {
    conf: o.conf ?? {},
    logicalDate,
    runId: o.runId ?? `manual__${logicalDate.toISOString()}`,
    skipRetryDelay: o.skipRetryDelay ?? false,
    concurrency: o.concurrency ?? dag.maxActiveTasks,
    taskIds: o.taskIds ? new Set(o.taskIds) : null,
    xcoms: o.xcoms ?? new MemoryXComBackend(),
    xcomSizeLimitBytes: o.xcomSizeLimitBytes,
    onEvent: o.onEvent ?? (() => undefined),
    signal: o.signal,
  };
}

/**
 * Runs a DAG once in this process, with no database or server (`updraft dags test`): tasks start when their
 * trigger rules allow, failed tries are retried after their delay, XComs pass between tasks, and the run's state
 * is decided from its leaves as the scheduler does: failed when a leaf failed or is upstream_failed, or when tasks
 * were left that could never run; success otherwise.
 * @throws ParamValidationError when the conf does not satisfy the DAG's params; InvalidArgumentError or
 * UnknownTaskError for bad options; DagCycleError for a cyclic DAG.
 */
export async function runDagTest(dag: DAG, options: DagTestOptions = {}): Promise<DagTestResult> {
  const o = resolveDagTestOptions(dag, options);
  const params = resolveParams(dag.dagId, dag.params, o.conf);
  const { logicalDate, xcoms, onEvent: emit, concurrency, taskIds: selected, signal } = o;
  const run: DagRunContext = {
    dagId: dag.dagId,
    runId: o.runId,
    runType: DagRunType.MANUAL,
    logicalDate,
    dataInterval: manualDataInterval(dag.schedule, logicalDate),
    conf: deepFreeze(structuredClone(o.conf)),
  };
  const order = dag.topologicalOrder();
  const tis = new Map<string, TiState>(
    order.map((taskId) => [taskId, { taskId, state: null, tryNumber: 0, startDate: null, endDate: null, durationMs: null, error: null, retryAt: 0 }]),
  );
  const isSelected = (taskId: string): boolean => selected === null || selected.has(taskId);
  const startDate = new Date();

  const setState = (ti: TiState, state: TaskInstanceState, extra: Partial<Extract<DagTestEvent, { type: 'task-state' }>> = {}): void => {
    ti.state = state;
    emit({ type: 'task-state', taskId: ti.taskId, state, tryNumber: ti.tryNumber, at: new Date(), ...extra });
  };

  const running = new Map<string, Promise<void>>();
  const startTry = (ti: TiState): void => {
    const task = dag.getTask(ti.taskId);
    ti.tryNumber += 1;
    ti.startDate = new Date();
    ti.endDate = null;
    ti.error = null;
    const tryNumber = ti.tryNumber;
    setState(ti, TaskInstanceState.RUNNING);
    const log = createTaskLogger((record) => emit({ type: 'log', taskId: ti.taskId, tryNumber, record }));
    const promise = runTaskTry({ dag, task, run, params, tryNumber, xcoms, log, xcomSizeLimitBytes: o.xcomSizeLimitBytes, signal }).then((outcome) => {
      ti.endDate = new Date();
      ti.durationMs = ti.endDate.getTime() - (ti.startDate as Date).getTime();
      const timing = { durationMs: ti.durationMs };
      if (outcome.state === 'success') {
        setState(ti, TaskInstanceState.SUCCESS, timing);
      } else if (outcome.state === 'skipped') {
        setState(ti, TaskInstanceState.SKIPPED, { ...timing, reason: outcome.reason });
      } else {
        ti.error = outcome.error;
        log.error('Task failed: %s', outcome.error.stack ?? `${outcome.error.name}: ${outcome.error.message}`);
        const canRetry = outcome.retryable && tryNumber <= task.args.retries && !signal?.aborted;
        if (canRetry) {
          const delay = o.skipRetryDelay ? 0 : retryDelayMs(task.args, { dagId: dag.dagId, taskId: task.taskId, logicalDate, tryNumber });
          ti.retryAt = Date.now() + delay;
          setState(ti, TaskInstanceState.UP_FOR_RETRY, { ...timing, error: outcome.error, nextTryInMs: delay });
        } else {
          setState(ti, TaskInstanceState.FAILED, { ...timing, error: outcome.error });
        }
      }
    });
    running.set(ti.taskId, promise.finally(() => running.delete(ti.taskId)));
  };

  for (;;) {
    let nextRetryAt = Infinity;
    for (const taskId of order) {
      const ti = tis.get(taskId) as TiState;
      if (ti.state !== null && ti.state !== TaskInstanceState.UP_FOR_RETRY) continue;
      if (!isSelected(taskId)) continue;
      if (ti.state === TaskInstanceState.UP_FOR_RETRY) {
        if (ti.retryAt > Date.now()) {
          nextRetryAt = Math.min(nextRetryAt, ti.retryAt);
          continue;
        }
      } else {
        const upstream = [...dag.getTask(taskId).upstreamTaskIds].map((id) => (isSelected(id) ? tis.get(id)?.state : TaskInstanceState.SUCCESS));
        const decision = evaluateTriggerRule(dag.getTask(taskId).args.triggerRule, countUpstream(upstream));
        if (decision.action === 'wait') continue;
        if (decision.action === 'finish') {
          setState(ti, decision.state);
          continue;
        }
      }
      if (signal?.aborted || running.size >= concurrency) continue;
      startTry(ti);
    }
    if (running.size === 0) {
      if (nextRetryAt === Infinity || signal?.aborted) break;
      await sleep(nextRetryAt - Date.now(), signal).promise;
    } else {
      const retryTimer = nextRetryAt === Infinity ? null : sleep(nextRetryAt - Date.now(), signal);
      await Promise.race(retryTimer ? [Promise.race(running.values()), retryTimer.promise] : running.values());
      retryTimer?.cancel();
    }
  }

  // The run follows its leaves; with a selection, the selected tasks that no selected task depends on.
  const leaves = order.filter((id) => isSelected(id) && ![...dag.getTask(id).downstreamTaskIds].some(isSelected)).map((id) => tis.get(id) as TiState);
  const failed = leaves.some((ti) => ti.state === TaskInstanceState.FAILED || ti.state === TaskInstanceState.UPSTREAM_FAILED);
  const allDone = [...tis.values()].every((ti) => !isSelected(ti.taskId) || (ti.state !== null && FINISHED_TI_STATES.has(ti.state)));
  const state = !failed && allDone ? DagRunState.SUCCESS : DagRunState.FAILED;
  return {
    dagId: dag.dagId,
    runId: run.runId,
    state,
    logicalDate,
    startDate,
    endDate: new Date(),
    taskInstances: order.map((id) => {
      const { retryAt: _r, ...result } = tis.get(id) as TiState;
      return result;
    }),
    xcoms: await xcoms.list({ dagId: dag.dagId, runId: run.runId }),
  };
}

/** A timer that ends early when `signal` aborts (at once if it already has), and can be cancelled. */
function sleep(ms: number, signal?: AbortSignal): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
    cancel = done;
  });
  return { promise, cancel };
}
