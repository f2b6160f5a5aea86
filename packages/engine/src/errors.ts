/** A DAG file could not be imported, or its DAGs could not be accepted. */
export class DagImportError extends Error {
  override name = 'DagImportError';
  /** Absolute path of the file. */
  readonly file: string;
  /** 1-based line in the file where the problem is, when known. */
  readonly line: number | null;
  constructor(file: string, message: string, line: number | null, options?: ErrorOptions) {
    super(message, options);
    this.file = file;
    this.line = line;
  }
}

/** No DAG with this id was found in the DAGs folder. Carries the HTTP status the API maps it to. */
export class DagNotFoundError extends Error {
  override name = 'DagNotFoundError';
  readonly status = 404;
  readonly dagId: string;
  /** Import errors in the folder, which may explain why the DAG is missing. */
  readonly importErrors: readonly DagImportError[];
  constructor(dagId: string, dagsFolder: string, importErrors: readonly DagImportError[] = []) {
    const hint = importErrors.length > 0 ? ` (${importErrors.length} file(s) failed to import: ${importErrors.map((e) => e.file).join(', ')})` : '';
    super(`DAG '${dagId}' not found in ${dagsFolder}${hint}`);
    this.dagId = dagId;
    this.importErrors = importErrors;
  }
}

/** An XCom value is larger than the configured limit. */
export class XComTooLargeError extends Error {
  override name = 'XComTooLargeError';
  readonly taskId: string;
  readonly key: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(taskId: string, key: string, sizeBytes: number, limitBytes: number) {
    super(`task '${taskId}': XCom '${key}' is ${sizeBytes} bytes of JSON, over the limit of ${limitBytes} bytes; store large data in a file and push its path`);
    this.taskId = taskId;
    this.key = key;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** A try ran longer than its task's `executionTimeout`. */
export class TaskTimeoutError extends Error {
  override name = 'TaskTimeoutError';
  readonly timeoutMs: number;
  constructor(taskId: string, timeoutMs: number) {
    super(`task '${taskId}' timed out after ${timeoutMs} ms (executionTimeout)`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A try pushed an XCom after it had ended (it timed out, or the run was stopped, and its code kept going). The
 * value is refused so that it cannot land among the XComs of the next try.
 */
export class TryEndedError extends Error {
  override name = 'TryEndedError';
  readonly taskId: string;
  readonly tryNumber: number;
  readonly key: string;
  constructor(taskId: string, tryNumber: number, key: string) {
    super(`task '${taskId}': try ${tryNumber} has ended; its XCom '${key}' is refused`);
    this.taskId = taskId;
    this.tryNumber = tryNumber;
    this.key = key;
  }
}
