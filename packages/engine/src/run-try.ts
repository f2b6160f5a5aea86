import {
  type DAG,
  type DagRunContext,
  FailTaskError,
  findJsonProblem,
  type JsonValue,
  RETURN_VALUE_KEY,
  SkipTaskError,
  type Task,
  type TaskContext,
  type TaskInstanceContext,
  type TaskLogger,
  UnknownTaskError,
  XComValueError,
  type XComPullOptions,
} from '@updraft/core';
import { TaskTimeoutError, TryEndedError, XComTooLargeError } from './errors.js';
import { deepFreeze } from './freeze.js';
import type { XComBackend } from './xcom.js';

/** Default largest XCom, as JSON bytes. XComs carry results and paths, not data sets. */
export const DEFAULT_XCOM_SIZE_LIMIT_BYTES = 1024 * 1024;

/** Everything one try needs. */
export interface TaskTryOptions {
  dag: DAG;
  task: Task;
  run: DagRunContext;
  /** The DAG's params resolved against the run's conf. */
  params: Record<string, JsonValue>;
  /** From 1. */
  tryNumber: number;
  /** Clear the task's XComs from earlier tries first. Default true; false when the caller has cleared them. */
  clearXComs?: boolean;
  xcoms: XComBackend;
  log: TaskLogger;
  /** Largest XCom value in JSON bytes. Default {@link DEFAULT_XCOM_SIZE_LIMIT_BYTES}. */
  xcomSizeLimitBytes?: number;
  /** Aborting it stops the try (the run was stopped). */
  signal?: AbortSignal;
}

/** A failure, in a form that crosses process boundaries. */
export interface TryError {
  name: string;
  message: string;
  stack: string | null;
}

/** How a try ended. `retryable` is false when the task asked to fail without retries. */
export type TryOutcome =
  | { state: 'success'; returnValue: JsonValue | undefined }
  | { state: 'skipped'; reason: string }
  | { state: 'failed'; error: TryError; retryable: boolean };

/**
 * Runs one try of a task: clears the task's XComs from earlier tries, builds its context, calls it, stores its
 * return value as XCom `return_value`, and classifies the result. Never throws for a failure of the task.
 * In process, a timeout can only stop a task that awaits or watches `ctx.signal`; the task runner process is
 * killed instead when the try runs in its own process.
 */
export async function runTaskTry(o: TaskTryOptions): Promise<TryOutcome> {
  const limit = o.xcomSizeLimitBytes ?? DEFAULT_XCOM_SIZE_LIMIT_BYTES;
  const { dag, task, run } = o;
  if (o.clearXComs !== false) await o.xcoms.clear({ dagId: dag.dagId, runId: run.runId, taskId: task.taskId });
  const controller = new AbortController();
  const onStop = (): void => controller.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onStop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  try {
    const push = async (key: string, value: unknown): Promise<void> => {
      if (ended) throw new TryEndedError(task.taskId, o.tryNumber, String(key));
      if (typeof key !== 'string' || key === '') throw new XComValueError(task.taskId, String(key), '$', 'the key must be a non-empty string');
      const problem = findJsonProblem(value);
      if (problem) throw new XComValueError(task.taskId, key, problem.path, problem.problem);
      const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
      if (size > limit) throw new XComTooLargeError(task.taskId, key, size, limit);
      await o.xcoms.push({ dagId: dag.dagId, runId: run.runId, taskId: task.taskId, key, value: value as JsonValue, tryNumber: o.tryNumber });
    };
    const pullOne = async (taskId: string, key: string): Promise<JsonValue | undefined> => {
      if (!dag.hasTask(taskId)) throw new UnknownTaskError(dag.dagId, taskId, 'xcomPull');
      return o.xcoms.pull({ dagId: dag.dagId, runId: run.runId, taskId, key });
    };
    const ti: TaskInstanceContext = {
      dagId: dag.dagId,
      taskId: task.taskId,
      runId: run.runId,
      tryNumber: o.tryNumber,
      maxTries: task.args.retries + 1,
      xcomPush: push,
      xcomPull: (async (opts: XComPullOptions) => {
        const key = opts.key ?? RETURN_VALUE_KEY;
        if (typeof opts.taskIds === 'string') return pullOne(opts.taskIds, key);
        return Promise.all(opts.taskIds.map((id) => pullOne(id, key)));
      }) as TaskInstanceContext['xcomPull'],
    };
    const ctx: TaskContext = {
      ti,
      dagRun: run,
      runId: run.runId,
      logicalDate: run.logicalDate,
      ds: run.logicalDate ? run.logicalDate.toISOString().slice(0, 10) : null,
      dataInterval: run.dataInterval,
      conf: run.conf,
      // Each try gets its own frozen copy: a task cannot change what other tasks, or its next try, see.
      params: deepFreeze(structuredClone(o.params)),
      log: o.log,
      signal: controller.signal,
      skip: (reason?: string): never => {
        throw new SkipTaskError(reason ?? 'skipped by the task');
      },
      fail: (reason?: string): never => {
        throw new FailTaskError(reason ?? 'failed by the task');
      },
    };
    const body = Promise.resolve().then(() => (task.callable as (c: TaskContext) => unknown)(ctx));
    const timeoutMs = task.args.executionTimeoutMs;
    const result =
      timeoutMs === null
        ? await body
        : await Promise.race([
            body,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => {
                // The try is over from this moment: the abort below resumes the task's code before this function
                // regains control, and what that code pushes now must not count.
                ended = true;
                const err = new TaskTimeoutError(task.taskId, timeoutMs);
                controller.abort(err);
                reject(err);
              }, timeoutMs);
            }),
          ]);
    if (result !== undefined) await push(RETURN_VALUE_KEY, result);
    return { state: 'success', returnValue: result as JsonValue | undefined };
  } catch (e) {
    if (SkipTaskError.is(e)) return { state: 'skipped', reason: e.message };
    return { state: 'failed', error: toTryError(e), retryable: !FailTaskError.is(e) };
  } finally {
    ended = true;
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onStop);
  }
}

/** Normalizes anything thrown into a {@link TryError}. */
export function toTryError(e: unknown): TryError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack ?? null };
  return { name: 'Error', message: typeof e === 'string' ? e : `non-Error thrown: ${JSON.stringify(e) ?? String(e)}`, stack: null };
}
