import type { JsonValue } from './json.js';
import type { DataInterval } from './schedule.js';
import type { DagRunType } from './states.js';

/** Writes to the log of the current try; in `dags test` it also goes to the terminal. */
export interface TaskLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** What to pull: Airflow's `xcom_pull(task_ids=..., key=...)`. */
export interface XComPullOptions<T extends string | readonly string[] = string | readonly string[]> {
  /** One task id (returns one value) or several (returns a value per id, in order). */
  taskIds: T;
  /** Defaults to `return_value`, where a task's returned value is stored. */
  key?: string;
}

/** The XCom key under which a task's returned value is stored. */
export const RETURN_VALUE_KEY = 'return_value';

/** The current task instance, Airflow's `ti`. */
export interface TaskInstanceContext {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  /** The number of this try, from 1. */
  readonly tryNumber: number;
  /** `retries + 1`. */
  readonly maxTries: number;
  /** Stores a JSON value for downstream tasks. A retry of this task clears what earlier tries pushed. */
  xcomPush(key: string, value: unknown): Promise<void>;
  /** Reads a value pushed by a task of this run; `undefined` when that task pushed nothing under the key. */
  xcomPull<T extends JsonValue = JsonValue>(options: XComPullOptions<string>): Promise<T | undefined>;
  xcomPull<T extends JsonValue = JsonValue>(options: XComPullOptions<readonly string[]>): Promise<(T | undefined)[]>;
}

/** The DAG run a try belongs to. */
export interface DagRunContext {
  readonly dagId: string;
  readonly runId: string;
  readonly runType: DagRunType;
  /** Null for a run triggered without a logical date. */
  readonly logicalDate: Date | null;
  readonly dataInterval: DataInterval | null;
  /** The JSON given when the run was triggered. */
  readonly conf: Readonly<Record<string, JsonValue>>;
}

/**
 * What a task's callable receives, Airflow's task context. `P` types the DAG's params.
 */
export interface TaskContext<P extends Record<string, JsonValue> = Record<string, JsonValue>> {
  readonly ti: TaskInstanceContext;
  readonly dagRun: DagRunContext;
  readonly runId: string;
  readonly logicalDate: Date | null;
  /** The logical date as `YYYY-MM-DD` (Airflow's `ds`), or null. */
  readonly ds: string | null;
  readonly dataInterval: DataInterval | null;
  readonly conf: Readonly<Record<string, JsonValue>>;
  /** The DAG's params, with the run's conf applied and validated. */
  readonly params: Readonly<P>;
  readonly log: TaskLogger;
  /** Aborted when the try must stop (execution timeout, or the run was stopped). Pass it to long operations. */
  readonly signal: AbortSignal;
  /** Ends this try as `skipped`. */
  skip(reason?: string): never;
  /** Fails this try at once, with no retry. */
  fail(reason?: string): never;
}

/** A task's body. Its resolved return value, when not `undefined`, becomes the XCom `return_value`. */
export type TaskCallable<P extends Record<string, JsonValue> = Record<string, JsonValue>> = (
  context: TaskContext<P>,
) => unknown;
