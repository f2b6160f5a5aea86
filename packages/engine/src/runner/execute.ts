import { hostname } from 'node:os';
import type { DAG, DagRunContext } from '@updraft/core';
import { DagNotFoundError } from '../errors.js';
import type { LogSource, TaskWorkload } from '../executor/contract.js';
import { type DagFileCache, loadDagFile } from '../loader.js';
import { runTaskTry, toTryError, type TryOutcome } from '../run-try.js';
import { createTaskLogger, type LogLevel, type LogRecord } from '../task-logger.js';
import type { XComBackend } from '../xcom.js';

/** What {@link executeTry} needs besides the workload. */
export interface ExecuteTryOptions {
  workload: TaskWorkload;
  xcoms: XComBackend;
  /** Largest XCom in JSON bytes. */
  xcomSizeLimitBytes: number;
  /** Receives every log line of the try, in order. */
  onLog: (source: LogSource, record: LogRecord) => void;
  /** The DAG when the caller has it; otherwise the workload's DAG file is imported. */
  dag?: DAG;
  /** Where the DAG file's DAGs are taken from when unchanged since an earlier try; without it, imported afresh. */
  dagFiles?: DagFileCache;
  /** Aborted when the try must stop. */
  signal: AbortSignal;
  /** Clear the task's XComs from earlier tries first. Default true; the local executor clears them itself. */
  clearXComs?: boolean;
}

/**
 * Runs one try as a task runner does, in the current process: imports the DAG file, finds the task, runs it with
 * `runTaskTry`, and logs the start and the end as Airflow's runner does. A DAG file that fails to import or
 * lacks the DAG or the task fails the try (retryable: the file may be fixed before the next try).
 */
export async function executeTry(o: ExecuteTryOptions): Promise<TryOutcome> {
  const w = o.workload;
  const log = createTaskLogger((record) => o.onLog('task', record));
  // The runner's own lines are built directly: formatting them as the task's logger does (util.format) cost a
  // no-op try a tenth of its time.
  const say = (level: LogLevel, message: string): void => o.onLog('task', { at: new Date(), level, message });
  say('info', `Starting attempt ${w.tryNumber} of ${w.maxTries}`);
  say('info', `Executing <Task ${w.dagId}.${w.taskId}> of run ${w.runId} on ${hostname()} (pid ${process.pid})`);
  let outcome: TryOutcome;
  try {
    const dag = o.dag ?? (await findDag(w, o.dagFiles));
    const task = dag.getTask(w.taskId);
    const run: DagRunContext = { dagId: w.dagId, runId: w.runId, ...w.run };
    outcome = await runTaskTry({
      dag,
      task,
      run,
      params: { ...w.params },
      tryNumber: w.tryNumber,
      xcoms: o.xcoms,
      log,
      xcomSizeLimitBytes: o.xcomSizeLimitBytes,
      signal: o.signal,
      clearXComs: o.clearXComs,
    });
  } catch (e) {
    outcome = { state: 'failed', error: toTryError(e), retryable: true };
  }
  if (outcome.state === 'success') say('info', 'Task exited with state success');
  else if (outcome.state === 'skipped') say('info', `Task exited with state skipped: ${outcome.reason}`);
  else {
    say('error', `Task failed: ${outcome.error.stack ?? `${outcome.error.name}: ${outcome.error.message}`}`);
    say('info', `Task exited with state failed${outcome.retryable ? '' : ' (no retry: the task asked to fail)'}`);
  }
  return outcome;
}

async function findDag(w: TaskWorkload, cache: DagFileCache | undefined): Promise<DAG> {
  const dags = cache ? await cache.load(w.dagFile) : await loadDagFile(w.dagFile);
  const dag = dags.find((d) => d.dagId === w.dagId);
  if (!dag) throw new DagNotFoundError(w.dagId, w.dagFile);
  return dag;
}
