import { joinInside } from '../safe-path.js';

/** Where a try's log is: `<logs>/dag_id=<dag>/run_id=<run>/task_id=<task>[/map_index=<n>]/attempt=<try>.log`. */
export function logFilePath(logsFolder: string, key: { dagId: string; runId: string; taskId: string; mapIndex: number }, tryNumber: number): string {
  const segments = [`dag_id=${key.dagId}`, `run_id=${key.runId}`, `task_id=${key.taskId}`];
  if (key.mapIndex >= 0) segments.push(`map_index=${key.mapIndex}`);
  segments.push(`attempt=${tryNumber}.log`);
  return joinInside(logsFolder, segments);
}
