/** Base class of every error the store throws; `cause` holds the driver's error when there is one. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** Bad input to a store method or option: `field` names what was wrong. */
export class StoreInputError extends StoreError {
  override name = 'StoreInputError';
  constructor(
    /** The option, argument or field at fault, e.g. `limit` or `xcom.value`. */
    readonly field: string,
    /** What was expected, as a sentence fragment: "a non-negative integer". */
    readonly expected: string,
    /** The offending value, when it is useful to show. */
    readonly received?: unknown,
  ) {
    super(`${field}: expected ${expected}${received === undefined ? '' : `, got ${describe(received)}`}`);
  }
}

/** A write referred to a row that does not exist (a run of an unknown DAG, a task instance of an unknown run ...). */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
  constructor(
    /** The kind of row that was missing. */
    readonly resource: 'dag' | 'dagRun' | 'taskInstance',
    /** The key that was looked up, readable: `mlops_pipeline` or `mlops_pipeline/manual__2024-01-01`. */
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`no ${resource} ${key}`, options);
  }
}

/** A DAG run with the same `(dagId, runId)`, or the same `(dagId, logicalDate)`, exists already. */
export class DagRunExistsError extends StoreError {
  override name = 'DagRunExistsError';
  constructor(
    /** The DAG of the run that could not be created. */
    readonly dagId: string,
    /** The run id asked for. */
    readonly runId: string,
    /** The logical date asked for. */
    readonly logicalDate: Date | null,
    /** Which unique key clashed. */
    readonly conflict: 'runId' | 'logicalDate',
    options?: ErrorOptions,
  ) {
    super(
      conflict === 'runId'
        ? `DAG ${dagId} already has a run with run_id ${runId}`
        : `DAG ${dagId} already has a run with logical_date ${logicalDate?.toISOString() ?? 'null'}`,
      options,
    );
  }
}

/** An XCom value whose JSON form is larger than the store's limit. */
export class XComTooLargeError extends StoreError {
  override name = 'XComTooLargeError';
  constructor(
    /** Which XCom was refused: DAG, run, task and key. */
    readonly dagId: string,
    readonly runId: string,
    readonly taskId: string,
    readonly key: string,
    /** Size of the JSON-encoded value, in UTF-8 bytes. */
    readonly sizeBytes: number,
    /** The limit that was exceeded, in bytes. */
    readonly limitBytes: number,
  ) {
    super(
      `XCom ${key} of ${dagId}/${runId}/${taskId} is ${sizeBytes} bytes as JSON, over the limit of ${limitBytes} bytes;` +
        ' store large data as a file and push its path instead',
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  return typeof value;
}
