import type { TaskWorkload } from '../../src/index.js';

/** The first try of a task in a plain run (no dates, no conf, no params). Type-only imports: scripts that load the built engine use it too. */
export function plainWorkload(dagId: string, dagFile: string, taskId: string, runId: string): TaskWorkload {
  return {
    dagId,
    runId,
    taskId,
    tryNumber: 1,
    maxTries: 1,
    dagFile,
    run: { runType: 'manual', logicalDate: null, dataInterval: null, conf: {} },
    params: {},
    queue: 'default',
    executionTimeoutMs: null,
  };
}
