/** A workload given to `Executor.queue` is malformed. */
export class InvalidWorkloadError extends Error {
  override name = 'InvalidWorkloadError';
  /** Dotted path of the bad field, e.g. `run.logicalDate`. */
  readonly field: string;
  constructor(field: string, expected: string, got: unknown) {
    super(`invalid task workload: ${field}: expected ${expected}, got ${describe(got)}`);
    this.field = field;
  }
}

/** An executor option has the wrong type or value. */
export class InvalidExecutorOptionError extends Error {
  override name = 'InvalidExecutorOptionError';
  /** The executor, e.g. `LocalExecutor`. */
  readonly executor: string;
  /** The option's name. */
  readonly option: string;
  constructor(executor: string, option: string, expected: string, got: unknown) {
    super(`${executor}: invalid option ${option}: expected ${expected}, got ${describe(got)}`);
    this.executor = executor;
    this.option = option;
  }
}

/** `queue` was called after `end()` or `terminate()`. */
export class ExecutorClosedError extends Error {
  override name = 'ExecutorClosedError';
  constructor(executor: string) {
    super(`${executor} is closed (end() or terminate() was called); it accepts no more work`);
  }
}

/** The same try (dag, run, task, try number) was queued while an earlier queueing of it is not done. */
export class DuplicateTryError extends Error {
  override name = 'DuplicateTryError';
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly tryNumber: number;
  constructor(key: { dagId: string; runId: string; taskId: string; tryNumber: number }) {
    super(`try ${key.tryNumber} of ${key.dagId}.${key.taskId} in run '${key.runId}' is already queued or running`);
    this.dagId = key.dagId;
    this.runId = key.runId;
    this.taskId = key.taskId;
    this.tryNumber = key.tryNumber;
  }
}

/** A try was stopped by `Executor.terminate()`. Reported as the error of its failed outcome. */
export class TaskTerminatedError extends Error {
  override name = 'TaskTerminatedError';
  readonly taskId: string;
  constructor(taskId: string, why: string) {
    super(`task '${taskId}' was terminated: ${why}`);
    this.taskId = taskId;
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}
