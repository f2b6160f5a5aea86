/**
 * Errors raised while authoring or validating a DAG. Each carries the fields a caller (CLI, API, DAG processor)
 * needs, so nobody has to parse messages.
 */

/** Base class of every authoring error: a DAG definition that cannot be accepted as written. */
export class DagDefinitionError extends Error {
  override name = 'DagDefinitionError';
  /** The DAG concerned, when known. */
  readonly dagId: string | undefined;
  constructor(message: string, dagId?: string, options?: ErrorOptions) {
    super(message, options);
    this.dagId = dagId;
  }
}

/** Two tasks of one DAG share an id. */
export class DuplicateTaskIdError extends DagDefinitionError {
  override name = 'DuplicateTaskIdError';
  readonly taskId: string;
  constructor(dagId: string, taskId: string) {
    super(`DAG '${dagId}': task id '${taskId}' is used twice; task ids must be unique within a DAG`, dagId);
    this.taskId = taskId;
  }
}

/** The dependencies of a DAG form a cycle. */
export class DagCycleError extends DagDefinitionError {
  override name = 'DagCycleError';
  /** The task ids along the cycle, the first repeated at the end. */
  readonly cycle: readonly string[];
  constructor(dagId: string, cycle: readonly string[]) {
    super(`DAG '${dagId}' has a cycle: ${cycle.join(' >> ')}`, dagId);
    this.cycle = cycle;
  }
}

/** A DAG or task argument has the wrong type or value. */
export class InvalidArgumentError extends DagDefinitionError {
  override name = 'InvalidArgumentError';
  /** Dotted path of the argument, e.g. `defaultArgs.retryDelay`. */
  readonly field: string;
  constructor(dagId: string | undefined, field: string, expected: string, got: unknown) {
    super(
      `${dagId === undefined ? '' : `DAG '${dagId}': `}invalid ${field}: expected ${expected}, got ${describe(got)}`,
      dagId,
    );
    this.field = field;
  }
}

/** A value that must be JSON (an XCom, a conf) is not. */
export class XComValueError extends Error {
  override name = 'XComValueError';
  readonly taskId: string;
  readonly key: string;
  /** Where inside the value the problem is, e.g. `$.model.weights[3]`. */
  readonly path: string;
  constructor(taskId: string, key: string, path: string, problem: string) {
    super(`task '${taskId}': XCom '${key}' is not JSON: ${problem} at ${path}`);
    this.taskId = taskId;
    this.key = key;
    this.path = path;
  }
}

/** `xcomPull` named a task that is not in the DAG. */
export class UnknownTaskError extends Error {
  override name = 'UnknownTaskError';
  readonly dagId: string;
  readonly taskId: string;
  constructor(dagId: string, taskId: string, during: string) {
    super(`DAG '${dagId}': ${during} names task '${taskId}', which is not in the DAG`);
    this.dagId = dagId;
    this.taskId = taskId;
  }
}

/** A run's conf does not satisfy the DAG's params. */
export class ParamValidationError extends Error {
  override name = 'ParamValidationError';
  readonly dagId: string;
  /** One entry per problem: the param's name and what was wrong. */
  readonly problems: readonly { param: string; message: string }[];
  constructor(dagId: string, problems: readonly { param: string; message: string }[]) {
    super(`DAG '${dagId}': invalid params: ${problems.map((p) => `${p.param}: ${p.message}`).join('; ')}`);
    this.dagId = dagId;
    this.problems = problems;
  }
}

const SKIP_BRAND = Symbol.for('updraft.skip-task');
const FAIL_BRAND = Symbol.for('updraft.fail-task');

/**
 * Thrown by a task to end its try as `skipped` (Airflow's `AirflowSkipException`). Tasks downstream then follow
 * their trigger rules.
 */
export class SkipTaskError extends Error {
  override name = 'SkipTaskError';
  readonly [SKIP_BRAND] = true;
  /** True for a SkipTaskError from any copy of this package (a DAG file may resolve its own copy). */
  static is(error: unknown): error is SkipTaskError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[SKIP_BRAND] === true;
  }
}

/** Thrown by a task to fail at once, without the retries it has left (Airflow's `AirflowFailException`). */
export class FailTaskError extends Error {
  override name = 'FailTaskError';
  readonly [FAIL_BRAND] = true;
  /** True for a FailTaskError from any copy of this package. */
  static is(error: unknown): error is FailTaskError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[FAIL_BRAND] === true;
  }
}

/** Short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return `an ${typeof value}`;
  }
}
