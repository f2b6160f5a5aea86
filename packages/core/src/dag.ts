import type { TaskCallable } from './context.js';
import { type Duration, toMilliseconds } from './duration.js';
import { DagCycleError, DagDefinitionError, DuplicateTaskIdError, InvalidArgumentError } from './errors.js';
import type { JsonValue } from './json.js';
import { checkParamSchemas, normalizeParams, type NormalizedParams, type ParamsSpec } from './params.js';
import { parseSchedule, type Schedule, type ScheduleSpec } from './schedule.js';
import { ID_PATTERN, resolveTaskArgs, Task, type DefaultArgs, type TaskArgs, type TaskGraph } from './task.js';

/** Everything a DAG is made with (Airflow's `DAG(...)` arguments in camelCase). */
export interface DagOptions {
  /** Unique id: letters, digits, `_`, `.`, `-`; at most 250 characters. Required. */
  dagId: string;
  /** One line shown in listings. */
  description?: string;
  /** Arguments applied to every task that does not set them. */
  defaultArgs?: DefaultArgs;
  /** When the DAG runs. Default `null`: only when triggered (Airflow 3's default). */
  schedule?: Schedule;
  /**
   * The first logical date the schedule may produce. Required for a schedule other than `null`. A fixed date,
   * not "now": a moving start date would move the schedule every time the file is parsed.
   */
  startDate?: Date | string;
  /** No run is scheduled after this date. Default none. */
  endDate?: Date | string;
  /** Create the runs missed since `startDate` (or since the last run). Default false, as in Airflow 3. */
  catchup?: boolean;
  /** Runs of this DAG allowed at once. Default 16. */
  maxActiveRuns?: number;
  /** Task instances of this DAG allowed to run at once. Default 16. */
  maxActiveTasks?: number;
  /** A run lasting longer is failed. Default none. */
  dagrunTimeout?: Duration | null;
  /** Labels for filtering. */
  tags?: string[];
  /** Run parameters with defaults and JSON Schemas; a trigger's conf is checked against them. */
  params?: ParamsSpec;
  /** IANA time zone of cron schedules. Default `'UTC'`. */
  timezone?: string;
  /** Markdown shown on the DAG's page. */
  docMd?: string;
  /** Whether the DAG starts paused when first seen; null leaves it to the deployment's setting. */
  isPausedUponCreation?: boolean | null;
}

const DAG_BRAND = Symbol.for('updraft.dag');

/**
 * A DAG: tasks and their dependencies, with a schedule. DAG files export instances of it. `P` types the params
 * that task callables receive (`new DAG<{ epochs: number }>(...)`).
 *
 * ```ts
 * export const dag = new DAG({ dagId: 'etl', schedule: '@daily', startDate: '2025-01-01' });
 * const extract = dag.task('extract', async (ctx) => ...);
 * extract.then(dag.task('load', load));
 * ```
 */
export class DAG<P extends Record<string, JsonValue> = Record<string, JsonValue>> implements TaskGraph {
  readonly dagId: string;
  readonly description: string | null;
  readonly defaultArgs: Readonly<DefaultArgs>;
  readonly schedule: ScheduleSpec;
  readonly startDate: Date | null;
  readonly endDate: Date | null;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  readonly dagrunTimeoutMs: number | null;
  readonly tags: readonly string[];
  readonly params: NormalizedParams;
  readonly timezone: string;
  readonly docMd: string | null;
  readonly isPausedUponCreation: boolean | null;
  /** Where `new DAG` was called (file URL or path, line), so loaders can point errors such as cycles at it. */
  readonly definedAt: { file: string; line: number } | null;
  readonly [DAG_BRAND] = true;

  readonly #tasks = new Map<string, Task>();
  readonly #upstream = new Map<string, Set<string>>();
  readonly #downstream = new Map<string, Set<string>>();

  constructor(options: DagOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(undefined, 'options', 'an object with a dagId', options);
    const { dagId } = options;
    if (typeof dagId !== 'string' || !ID_PATTERN.test(dagId)) {
      throw new InvalidArgumentError(undefined, 'dagId', 'letters, digits, _ . - (1 to 250 characters)', dagId);
    }
    this.dagId = dagId;
    this.definedAt = callerLocation(new Error().stack);
    this.description = options.description ?? null;
    this.defaultArgs = Object.freeze({ ...(options.defaultArgs ?? {}) });
    // Validate defaultArgs now, so a bad one is an import error even in a DAG without tasks.
    resolveTaskArgs(dagId, 'defaultArgs', {}, this.defaultArgs);
    this.timezone = options.timezone ?? 'UTC';
    this.schedule = parseSchedule(options.schedule, this.timezone, dagId);
    this.startDate = toDate(options.startDate, 'startDate', dagId);
    this.endDate = toDate(options.endDate, 'endDate', dagId);
    if (this.schedule.kind !== 'none' && this.startDate === null) {
      throw new InvalidArgumentError(dagId, 'startDate', 'a date, since the DAG has a schedule', options.startDate);
    }
    if (this.startDate && this.endDate && this.endDate < this.startDate) {
      throw new InvalidArgumentError(dagId, 'endDate', `a date after startDate ${this.startDate.toISOString()}`, this.endDate);
    }
    this.catchup = bool(options.catchup, false, 'catchup', dagId);
    this.maxActiveRuns = positiveInt(options.maxActiveRuns, 16, 'maxActiveRuns', dagId);
    this.maxActiveTasks = positiveInt(options.maxActiveTasks, 16, 'maxActiveTasks', dagId);
    this.dagrunTimeoutMs = options.dagrunTimeout == null ? null : toMilliseconds(options.dagrunTimeout, 'dagrunTimeout', dagId);
    const tags = options.tags ?? [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t === '')) {
      throw new InvalidArgumentError(dagId, 'tags', 'an array of non-empty strings', tags);
    }
    this.tags = Object.freeze([...tags]);
    this.params = normalizeParams(options.params);
    checkParamSchemas(dagId, this.params);
    this.docMd = options.docMd ?? null;
    this.isPausedUponCreation = options.isPausedUponCreation ?? null;
  }

  /**
   * Adds a task whose body is `callable`.
   * @throws DuplicateTaskIdError when the id is taken; InvalidArgumentError for a bad id or argument.
   */
  task(taskId: string, callable: TaskCallable<P>, args?: TaskArgs): Task;
  task(definition: TaskArgs & { taskId: string; callable: TaskCallable<P> }): Task;
  task(
    idOrDefinition: string | (TaskArgs & { taskId: string; callable: TaskCallable<P> }),
    maybeCallable?: TaskCallable<P>,
    maybeArgs: TaskArgs = {},
  ): Task {
    let taskId: string;
    let callable: TaskCallable<P> | undefined;
    let args: TaskArgs;
    if (typeof idOrDefinition === 'string') {
      taskId = idOrDefinition;
      callable = maybeCallable;
      args = maybeArgs;
    } else {
      ({ taskId, callable, ...args } = idOrDefinition);
    }
    if (typeof taskId !== 'string' || !ID_PATTERN.test(taskId)) {
      throw new InvalidArgumentError(this.dagId, 'taskId', 'letters, digits, _ . - (1 to 250 characters)', taskId);
    }
    if (this.#tasks.has(taskId)) throw new DuplicateTaskIdError(this.dagId, taskId);
    if (typeof callable !== 'function') throw new InvalidArgumentError(this.dagId, `task '${taskId}' callable`, 'a function (ctx) => value', callable);
    const resolved = resolveTaskArgs(this.dagId, `task '${taskId}'`, this.defaultArgs, args);
    const task = new Task(this, taskId, callable as TaskCallable<never>, resolved);
    this.#tasks.set(taskId, task);
    this.#upstream.set(taskId, new Set());
    this.#downstream.set(taskId, new Set());
    return task;
  }

  /** @internal Called by `Task.then` and friends. */
  addEdge(upstream: Task, downstream: Task): void {
    for (const t of [upstream, downstream]) {
      if (this.#tasks.get(t.taskId) !== t) {
        throw new DagDefinitionError(`DAG '${this.dagId}': ${String(t)} belongs to another DAG; dependencies must stay within one DAG`, this.dagId);
      }
    }
    if (upstream === downstream) throw new DagCycleError(this.dagId, [upstream.taskId, upstream.taskId]);
    this.#downstream.get(upstream.taskId)?.add(downstream.taskId);
    this.#upstream.get(downstream.taskId)?.add(upstream.taskId);
  }

  upstreamOf(taskId: string): ReadonlySet<string> {
    return this.#upstream.get(taskId) ?? new Set();
  }

  downstreamOf(taskId: string): ReadonlySet<string> {
    return this.#downstream.get(taskId) ?? new Set();
  }

  /** The tasks, in the order they were added. */
  get tasks(): readonly Task[] {
    return [...this.#tasks.values()];
  }

  get taskIds(): readonly string[] {
    return [...this.#tasks.keys()];
  }

  hasTask(taskId: string): boolean {
    return this.#tasks.has(taskId);
  }

  /** @throws DagDefinitionError when there is no such task. */
  getTask(taskId: string): Task {
    const t = this.#tasks.get(taskId);
    if (!t) throw new DagDefinitionError(`DAG '${this.dagId}' has no task '${taskId}'`, this.dagId);
    return t;
  }

  /** Tasks without upstream. */
  get roots(): readonly Task[] {
    return this.tasks.filter((t) => this.upstreamOf(t.taskId).size === 0);
  }

  /** Tasks without downstream; their states decide the run's. */
  get leaves(): readonly Task[] {
    return this.tasks.filter((t) => this.downstreamOf(t.taskId).size === 0);
  }

  /**
   * The task ids in an order where each comes after its upstream tasks (ties in insertion order).
   * @throws DagCycleError naming the tasks of a cycle.
   */
  topologicalOrder(): string[] {
    const indegree = new Map<string, number>();
    for (const id of this.#tasks.keys()) indegree.set(id, this.upstreamOf(id).size);
    const ready = [...this.#tasks.keys()].filter((id) => indegree.get(id) === 0);
    const order: string[] = [];
    for (let i = 0; i < ready.length; i++) {
      const id = ready[i] as string;
      order.push(id);
      for (const d of this.downstreamOf(id)) {
        const n = (indegree.get(d) ?? 0) - 1;
        indegree.set(d, n);
        if (n === 0) ready.push(d);
      }
    }
    if (order.length < this.#tasks.size) throw new DagCycleError(this.dagId, this.#findCycle(new Set(order)));
    return order;
  }

  #findCycle(acyclic: Set<string>): string[] {
    // Walk upstream edges among the tasks left over; every one of them has an upstream there, so a walk must repeat.
    const start = [...this.#tasks.keys()].find((id) => !acyclic.has(id)) as string;
    const path: string[] = [];
    const index = new Map<string, number>();
    let at = start;
    while (!index.has(at)) {
      index.set(at, path.length);
      path.push(at);
      at = [...this.upstreamOf(at)].find((u) => !acyclic.has(u)) as string;
    }
    return [...path.slice(index.get(at)), at].reverse();
  }

  /** Checks what can only be checked once all tasks and edges exist: no cycle. Loaders call it after import. */
  validate(): void {
    this.topologicalOrder();
  }

  toString(): string {
    return `<DAG ${this.dagId}>`;
  }
}

/**
 * True for a DAG made by any copy of this package (a DAG file may resolve its own copy), which `instanceof`
 * would miss.
 */
export function isDag(value: unknown): value is DAG {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DAG_BRAND] === true;
}

/** The frame that called the DAG constructor: the third line of a V8 stack ("Error", "at new DAG", caller). */
function callerLocation(stack: string | undefined): { file: string; line: number } | null {
  const frame = stack?.split('\n')[2];
  const m = frame ? /\(?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?$/.exec(frame.trim()) : null;
  return m ? { file: m[1] as string, line: Number(m[2]) } : null;
}

function toDate(value: Date | string | undefined, field: string, dagId: string): Date | null {
  if (value === undefined || value === null) return null;
  const d = value instanceof Date ? new Date(value.getTime()) : typeof value === 'string' ? new Date(value) : null;
  if (d === null || Number.isNaN(d.getTime())) throw new InvalidArgumentError(dagId, field, "a Date or an ISO 8601 string such as '2025-01-01T00:00:00Z'", value);
  return d;
}

function bool(value: unknown, fallback: boolean, field: string, dagId: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(dagId, field, 'a boolean', value);
  return value;
}

function positiveInt(value: unknown, fallback: number, field: string, dagId: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1) throw new InvalidArgumentError(dagId, field, 'a positive integer', value);
  return value as number;
}

/**
 * Airflow's `chain(a, b, [c, d], e)`: each element runs after the one before; arrays fan out and in. Two adjacent
 * arrays of the same length are linked pairwise, as Airflow does.
 */
export function chain(...elements: (Task | readonly Task[])[]): void {
  for (let i = 1; i < elements.length; i++) {
    const prev = elements[i - 1] as Task | readonly Task[];
    const next = elements[i] as Task | readonly Task[];
    if (Array.isArray(prev) && Array.isArray(next)) {
      const a = prev as readonly Task[];
      const b = next as readonly Task[];
      if (a.length !== b.length) {
        throw new DagDefinitionError(`chain: adjacent lists must have the same length to be linked pairwise (got ${a.length} and ${b.length})`);
      }
      a.forEach((t, j) => t.then(b[j] as Task));
    } else if (Array.isArray(prev)) {
      for (const t of prev as readonly Task[]) t.then(next as Task);
    } else {
      (prev as Task).then(next);
    }
  }
}
