import type { TaskCallable } from './context.js';
import { type Duration, toMilliseconds } from './duration.js';
import { DagCycleError, DagDefinitionError, describe, DuplicateTaskIdError, InvalidArgumentError } from './errors.js';
import type { JsonValue } from './json.js';
import { checkParamSchemas, normalizeParams, type NormalizedParams, type ParamsSpec } from './params.js';
import { checkTimezone, parseSchedule, type Schedule, type ScheduleSpec } from './schedule.js';
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
   * not "now": a moving start date would move the schedule every time the file is parsed. A string is ISO 8601
   * (`'2025-01-01'`, `'2025-01-01T06:00:00+02:00'`); without an offset it is UTC, whatever the machine's zone.
   */
  startDate?: Date | string;
  /** No run is scheduled after this date (same forms as `startDate`). Default none. */
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
  readonly [DAG_BRAND] = true;

  /** Holds the stack of `new DAG`, formatted only when {@link DAG.definedAt} is first read. */
  readonly #creation: Error;
  #definedAt: { file: string; line: number; column: number } | null | undefined;
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
    // Two frames (the constructor, its caller), no more. V8 formats a stack when it is first read, and with source
    // maps on (the engine turns them on) formatting a frame looks its module's map up: a fifth of a millisecond per
    // DAG at import, for a line that only an error ever shows. So the frames are kept, and read in `definedAt`.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 2;
    try {
      this.#creation = new Error();
    } finally {
      Error.stackTraceLimit = limit;
    }
    if (options.description != null && typeof options.description !== 'string') {
      throw new InvalidArgumentError(dagId, 'description', 'a string', options.description);
    }
    this.description = options.description ?? null;
    if (options.defaultArgs != null && !isPlainObject(options.defaultArgs)) {
      throw new InvalidArgumentError(dagId, 'defaultArgs', 'an object of task arguments such as { retries: 2 }', options.defaultArgs);
    }
    this.defaultArgs = Object.freeze({ ...(options.defaultArgs ?? {}) });
    // Validate defaultArgs now, so a bad one is an import error even in a DAG without tasks.
    resolveTaskArgs(dagId, 'defaultArgs', {}, this.defaultArgs);
    this.timezone = checkTimezone(options.timezone ?? 'UTC', dagId);
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
    if (options.params != null && !isPlainObject(options.params)) {
      throw new InvalidArgumentError(dagId, 'params', 'an object of param name to a default value or { default, type, ... }', options.params);
    }
    this.params = normalizeParams(options.params);
    checkParamSchemas(dagId, this.params);
    if (options.docMd != null && typeof options.docMd !== 'string') throw new InvalidArgumentError(dagId, 'docMd', 'a string', options.docMd);
    this.docMd = options.docMd ?? null;
    if (options.isPausedUponCreation != null && typeof options.isPausedUponCreation !== 'boolean') {
      throw new InvalidArgumentError(dagId, 'isPausedUponCreation', 'a boolean or null', options.isPausedUponCreation);
    }
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
    const task = new Task(this, taskId, callable, resolved);
    this.#tasks.set(taskId, task);
    this.#upstream.set(taskId, new Set());
    this.#downstream.set(taskId, new Set());
    return task;
  }

  /** @internal Called by `Task.then` and friends. */
  addEdge(upstream: Task, downstream: Task): void {
    for (const t of [upstream, downstream]) {
      if (typeof t !== 'object' || t === null || typeof (t as Partial<Task>).taskId !== 'string') {
        throw new DagDefinitionError(`DAG '${this.dagId}': dependencies link tasks (or arrays of tasks), got ${describe(t)}`, this.dagId);
      }
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

  /**
   * Where `new DAG` was called, as the stack trace shows it (file URL or path, 1-based line and column), so
   * loaders can point errors such as cycles at it. Null when the stack does not say.
   */
  get definedAt(): { file: string; line: number; column: number } | null {
    if (this.#definedAt === undefined) this.#definedAt = callerLocation(this.#creation.stack);
    return this.#definedAt;
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
   * The task ids in an order where each comes after its upstream tasks; among the tasks ready at each step, the
   * one added first comes first, so the order is stable for a given DAG file.
   * @throws DagCycleError naming the tasks of a cycle.
   */
  topologicalOrder(): string[] {
    const position = new Map<string, number>();
    const indegree = new Map<string, number>();
    for (const id of this.#tasks.keys()) {
      position.set(id, position.size);
      indegree.set(id, this.upstreamOf(id).size);
    }
    // Ready tasks, latest added first, so pop() takes the earliest added.
    const ready = [...this.#tasks.keys()].filter((id) => indegree.get(id) === 0).reverse();
    const byPositionDesc = (id: string): number => {
      const p = position.get(id) as number;
      let lo = 0;
      let hi = ready.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((position.get(ready[mid] as string) as number) > p) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const order: string[] = [];
    while (ready.length > 0) {
      const id = ready.pop() as string;
      order.push(id);
      for (const d of this.downstreamOf(id)) {
        const n = (indegree.get(d) ?? 0) - 1;
        indegree.set(d, n);
        if (n === 0) ready.splice(byPositionDesc(d), 0, d);
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
function callerLocation(stack: string | undefined): { file: string; line: number; column: number } | null {
  const frame = stack?.split('\n')[2];
  const m = frame ? /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/.exec(frame.trim()) : null;
  return m ? { file: m[1] as string, line: Number(m[2]), column: Number(m[3]) } : null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A Date from a Date or an ISO 8601 string (UTC unless it has an offset); null when not given. */
function toDate(value: Date | string | undefined | null, field: string, dagId: string): Date | null {
  if (value === undefined || value === null) return null;
  const fail = (): never => {
    throw new InvalidArgumentError(dagId, field, "a Date or an ISO 8601 string such as '2025-01-01' or '2025-01-01T06:00:00Z'", value);
  };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? fail() : new Date(value.getTime());
  if (typeof value !== 'string') return fail();
  const m = ISO_DATE.exec(value.trim());
  if (!m) return fail();
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const ms = Number(`0.${m[7] ?? '0'}`) * 1000;
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  // Date.UTC rolls 2025-02-30 over to March; a date that does not exist is a typo, not a wish.
  if (wall.getUTCFullYear() !== y || wall.getUTCMonth() !== mo - 1 || wall.getUTCDate() !== d || wall.getUTCHours() !== h || wall.getUTCMinutes() !== mi) return fail();
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) as RegExpExecArray;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  return new Date(wall.getTime() + Math.round(ms) - offsetMin * 60_000);
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
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
