import type { TaskCallable } from './context.js';
import { type Duration, toMilliseconds } from './duration.js';
import { InvalidArgumentError } from './errors.js';
import { isTriggerRule, TriggerRule } from './trigger-rules.js';

/** Per-task arguments, also usable as a DAG's `defaultArgs` (Airflow's `BaseOperator` arguments). */
export interface TaskArgs {
  /** Shown in the UI and listings. Default `'updraft'`. */
  owner?: string;
  /** Tries after the first one fails. Default 0. */
  retries?: number;
  /** Wait before a retry. Default 5 minutes. */
  retryDelay?: Duration;
  /** Doubles the wait at each retry, with Airflow's jitter. Default false. */
  retryExponentialBackoff?: boolean;
  /** Upper bound of the wait between tries when `retryExponentialBackoff` is on (Airflow ignores it otherwise). Default none. */
  maxRetryDelay?: Duration | null;
  /** A try running longer is stopped and fails. Default none. */
  executionTimeout?: Duration | null;
  /** When the task may run, from its upstream states. Default `'all_success'`. */
  triggerRule?: TriggerRule;
  /** The queue a distributed executor routes this task to. Default `'default'`. */
  queue?: string;
  /** Markdown shown in the UI. */
  doc?: string;
}

/** A DAG's `defaultArgs`: any task argument, applied to every task that does not set it. */
export type DefaultArgs = TaskArgs;

/** Task arguments after defaults are applied, durations in milliseconds. */
export interface ResolvedTaskArgs {
  owner: string;
  retries: number;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs: number | null;
  executionTimeoutMs: number | null;
  triggerRule: TriggerRule;
  queue: string;
  doc: string | null;
}

/** Defaults of every task argument, Airflow's where it has one. */
export const TASK_ARG_DEFAULTS: ResolvedTaskArgs = {
  owner: 'updraft',
  retries: 0,
  retryDelayMs: 300_000,
  retryExponentialBackoff: false,
  maxRetryDelayMs: null,
  executionTimeoutMs: null,
  triggerRule: TriggerRule.ALL_SUCCESS,
  queue: 'default',
  doc: null,
};

const TASK_ARG_KEYS = new Set<string>(['owner', 'retries', 'retryDelay', 'retryExponentialBackoff', 'maxRetryDelay', 'executionTimeout', 'triggerRule', 'queue', 'doc']);

/** The one place that validates task arguments and fills their defaults. */
export function resolveTaskArgs(dagId: string, where: string, defaults: TaskArgs, own: TaskArgs): ResolvedTaskArgs {
  for (const [label, args] of [['defaultArgs', defaults], [where, own]] as const) {
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new InvalidArgumentError(dagId, label, 'an object of task arguments', args);
    for (const key of Object.keys(args)) {
      if (!TASK_ARG_KEYS.has(key)) {
        throw new InvalidArgumentError(dagId, `${label}.${key}`, `one of ${[...TASK_ARG_KEYS].join(', ')}`, key);
      }
    }
  }
  // An argument set to undefined on the task falls back to defaultArgs, as if it were not given.
  const setOnTask = (key: keyof TaskArgs): boolean => own[key] !== undefined;
  const merged: TaskArgs = { ...defaults };
  for (const key of TASK_ARG_KEYS as Set<keyof TaskArgs>) if (setOnTask(key)) (merged as Record<string, unknown>)[key] = own[key];
  const field = (key: keyof TaskArgs): string => `${setOnTask(key) ? where : 'defaultArgs'}.${key}`;
  const out: ResolvedTaskArgs = { ...TASK_ARG_DEFAULTS };
  if (merged.owner !== undefined) {
    if (typeof merged.owner !== 'string' || merged.owner === '') throw new InvalidArgumentError(dagId, field('owner'), 'a non-empty string', merged.owner);
    out.owner = merged.owner;
  }
  if (merged.retries !== undefined) {
    if (!Number.isInteger(merged.retries) || merged.retries < 0) throw new InvalidArgumentError(dagId, field('retries'), 'a non-negative integer', merged.retries);
    out.retries = merged.retries;
  }
  if (merged.retryDelay !== undefined) out.retryDelayMs = toMilliseconds(merged.retryDelay, field('retryDelay'), dagId);
  if (merged.retryExponentialBackoff !== undefined) {
    if (typeof merged.retryExponentialBackoff !== 'boolean') throw new InvalidArgumentError(dagId, field('retryExponentialBackoff'), 'a boolean', merged.retryExponentialBackoff);
    out.retryExponentialBackoff = merged.retryExponentialBackoff;
  }
  if (merged.maxRetryDelay != null) out.maxRetryDelayMs = toMilliseconds(merged.maxRetryDelay, field('maxRetryDelay'), dagId);
  if (merged.executionTimeout != null) {
    out.executionTimeoutMs = toMilliseconds(merged.executionTimeout, field('executionTimeout'), dagId);
    if (out.executionTimeoutMs <= 0) throw new InvalidArgumentError(dagId, field('executionTimeout'), 'a duration longer than zero', merged.executionTimeout);
  }
  if (merged.triggerRule !== undefined) {
    if (!isTriggerRule(merged.triggerRule)) throw new InvalidArgumentError(dagId, field('triggerRule'), `one of ${Object.values(TriggerRule).join(', ')}`, merged.triggerRule);
    out.triggerRule = merged.triggerRule;
  }
  if (merged.queue !== undefined) {
    if (typeof merged.queue !== 'string' || !/^[\w.-]{1,100}$/.test(merged.queue)) throw new InvalidArgumentError(dagId, field('queue'), 'a queue name of letters, digits, _ . -', merged.queue);
    out.queue = merged.queue;
  }
  if (merged.doc !== undefined) {
    if (typeof merged.doc !== 'string') throw new InvalidArgumentError(dagId, field('doc'), 'a string', merged.doc);
    out.doc = merged.doc;
  }
  return out;
}

/** What a task knows of the DAG it belongs to; the DAG implements it. */
export interface TaskGraph {
  readonly dagId: string;
  /** Records the edge `upstream >> downstream`. */
  addEdge(upstream: Task, downstream: Task): void;
  upstreamOf(taskId: string): ReadonlySet<string>;
  downstreamOf(taskId: string): ReadonlySet<string>;
}

/** The ids that Airflow accepts for DAGs and tasks. */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,250}$/;

/** One task of a DAG (Airflow's operator instance). Create it with `dag.task(...)`. */
export class Task {
  readonly taskId: string;
  readonly args: Readonly<ResolvedTaskArgs>;
  readonly callable: TaskCallable<never>;
  readonly #graph: TaskGraph;

  /** @internal Use `dag.task(...)`. */
  constructor(graph: TaskGraph, taskId: string, callable: TaskCallable<never>, args: ResolvedTaskArgs) {
    this.#graph = graph;
    this.taskId = taskId;
    this.callable = callable;
    this.args = Object.freeze(args);
  }

  get dagId(): string {
    return this.#graph.dagId;
  }

  /** Ids of the direct upstream tasks. */
  get upstreamTaskIds(): ReadonlySet<string> {
    return this.#graph.upstreamOf(this.taskId);
  }

  /** Ids of the direct downstream tasks. */
  get downstreamTaskIds(): ReadonlySet<string> {
    return this.#graph.downstreamOf(this.taskId);
  }

  /**
   * `this >> next`: `next` runs after this task. Returns `next`, so `a.then(b).then(c)` reads like `a >> b >> c`;
   * an array fans out and returns the array.
   */
  then<T extends Task | readonly Task[]>(next: T): T {
    for (const t of toList(next)) this.#graph.addEdge(this, t);
    return next;
  }

  /** `this << previous`: this task runs after every one of `previous` (fan-in). Returns this task. */
  after(...previous: (Task | readonly Task[])[]): this {
    for (const p of previous.flatMap(toList)) this.#graph.addEdge(p, this);
    return this;
  }

  /** Airflow's `set_downstream`. */
  setDownstream(...tasks: (Task | readonly Task[])[]): void {
    for (const t of tasks.flatMap(toList)) this.#graph.addEdge(this, t);
  }

  /** Airflow's `set_upstream`. */
  setUpstream(...tasks: (Task | readonly Task[])[]): void {
    this.after(...tasks);
  }

  toString(): string {
    return `<Task ${this.dagId}.${this.taskId}>`;
  }
}

function toList(t: Task | readonly Task[]): readonly Task[] {
  return isTaskList(t) ? t : [t];
}

// Array.isArray narrows a readonly array to any[]; this keeps the element type.
function isTaskList(t: Task | readonly Task[]): t is readonly Task[] {
  return Array.isArray(t);
}
