import { isAbsolute } from 'node:path';
import { DagRunType, findJsonProblem, type JsonValue } from '@updraft/core';
import type { TaskWorkload, TryKey } from './contract.js';
import { InvalidWorkloadError } from './errors.js';
import { checkLogPathIds } from './log-path.js';

const RUN_TYPES = new Set<string>(Object.values(DagRunType));

/**
 * Checks a workload from the owner and returns a frozen copy, so later changes by the owner cannot reach a
 * queued try.
 * @throws InvalidWorkloadError naming the first bad field.
 */
export function validateWorkload(w: TaskWorkload): TaskWorkload {
  if (typeof w !== 'object' || w === null) throw new InvalidWorkloadError('workload', 'an object', w);
  for (const field of ['dagId', 'runId', 'taskId', 'queue', 'dagFile'] as const) {
    if (typeof w[field] !== 'string' || w[field] === '') throw new InvalidWorkloadError(field, 'a non-empty string', w[field]);
  }
  checkLogPathIds(w);
  if (!isAbsolute(w.dagFile)) throw new InvalidWorkloadError('dagFile', 'an absolute path', w.dagFile);
  if (!Number.isInteger(w.tryNumber) || w.tryNumber < 1) throw new InvalidWorkloadError('tryNumber', 'an integer from 1', w.tryNumber);
  if (!Number.isInteger(w.maxTries) || w.maxTries < 1) throw new InvalidWorkloadError('maxTries', 'an integer from 1', w.maxTries);
  const t = w.executionTimeoutMs;
  if (t !== null && (typeof t !== 'number' || !Number.isFinite(t) || t <= 0)) throw new InvalidWorkloadError('executionTimeoutMs', 'null or a positive number of milliseconds', t);
  const run = w.run as TaskWorkload['run'] | undefined;
  if (typeof run !== 'object' || run === null) throw new InvalidWorkloadError('run', 'an object', run);
  if (!RUN_TYPES.has(run.runType)) throw new InvalidWorkloadError('run.runType', `one of ${[...RUN_TYPES].join(', ')}`, run.runType);
  if (run.logicalDate !== null && !isValidDate(run.logicalDate)) throw new InvalidWorkloadError('run.logicalDate', 'null or a valid Date', run.logicalDate);
  const di = run.dataInterval;
  if (di !== null && (typeof di !== 'object' || !isValidDate(di.start) || !isValidDate(di.end))) {
    throw new InvalidWorkloadError('run.dataInterval', 'null or { start: Date, end: Date }', di);
  }
  const conf = jsonObject('run.conf', run.conf);
  const params = jsonObject('params', w.params);
  return Object.freeze({
    dagId: w.dagId,
    runId: w.runId,
    taskId: w.taskId,
    tryNumber: w.tryNumber,
    maxTries: w.maxTries,
    dagFile: w.dagFile,
    run: Object.freeze({
      runType: run.runType,
      logicalDate: run.logicalDate === null ? null : new Date(run.logicalDate.getTime()),
      dataInterval: di === null ? null : Object.freeze({ start: new Date(di.start.getTime()), end: new Date(di.end.getTime()) }),
      conf,
    }),
    params,
    queue: w.queue,
    executionTimeoutMs: t,
  });
}

/** The key of a try, without the rest of its workload. */
export function tryKeyOf(k: TryKey): TryKey {
  return Object.freeze({ dagId: k.dagId, runId: k.runId, taskId: k.taskId, tryNumber: k.tryNumber });
}

/** A string that identifies a try, for maps. */
export function tryKeyId(k: TryKey): string {
  return JSON.stringify([k.dagId, k.runId, k.taskId, k.tryNumber]);
}

function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function jsonObject(field: string, value: unknown): Readonly<Record<string, JsonValue>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidWorkloadError(field, 'a JSON object', value);
  const problem = findJsonProblem(value);
  if (problem) throw new InvalidWorkloadError(`${field}${problem.path.slice(1)}`, `JSON (${problem.problem})`, value);
  // A deep copy through JSON: the same value crosses to a runner process, so both executors see the same thing.
  return Object.freeze(JSON.parse(JSON.stringify(value)) as Record<string, JsonValue>);
}
