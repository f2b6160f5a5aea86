import { join, resolve, sep } from 'node:path';
import type { TryKey } from './contract.js';
import { InvalidWorkloadError } from './errors.js';

/** Longest file name on common file systems, in bytes. */
const MAX_NAME_BYTES = 255;

/**
 * Why `value` cannot be one folder name of a log path, or null when it can. Ids are kept verbatim (Airflow keeps
 * `:` and `+` of run ids in its log paths, and users look for them there), so the unsafe ones are refused
 * instead of being encoded.
 */
export function pathComponentProblem(value: string, prefix: string): string | null {
  if (value === '') return 'a non-empty string';
  if (value.includes('/') || value.includes('\\')) return 'no slash or backslash (it names a folder of the log path)';
  if (value.includes('\0')) return 'no NUL character';
  if (value === '.' || value.includes('..')) return "no '..' and not '.' (it names a folder of the log path)";
  if (Buffer.byteLength(prefix + value, 'utf8') > MAX_NAME_BYTES) return `at most ${MAX_NAME_BYTES - prefix.length} bytes`;
  return null;
}

/** Throws InvalidWorkloadError when the ids of `key` cannot name folders of a log path. */
export function checkLogPathIds(key: TryKey): void {
  for (const [field, prefix] of [['dagId', 'dag_id='], ['runId', 'run_id='], ['taskId', 'task_id=']] as const) {
    const value = key[field];
    const problem = pathComponentProblem(value, prefix);
    if (problem !== null) throw new InvalidWorkloadError(field, problem, value);
  }
}

/**
 * The log file of a try, in Airflow's layout:
 * `<logsFolder>/dag_id=<dag>/run_id=<run>/task_id=<task>/attempt=<n>.log`.
 * @throws InvalidWorkloadError when an id cannot be a folder name; the result is always inside `logsFolder`.
 */
export function tryLogPath(logsFolder: string, key: TryKey): string {
  checkLogPathIds(key);
  const root = resolve(logsFolder);
  const path = join(root, `dag_id=${key.dagId}`, `run_id=${key.runId}`, `task_id=${key.taskId}`, `attempt=${key.tryNumber}.log`);
  // The checks above already rule out escaping; this guards them.
  if (!path.startsWith(root + sep)) throw new InvalidWorkloadError('runId', 'ids that keep the log inside the logs folder', key.runId);
  return path;
}
