import { createHash } from 'node:crypto';
import type { JsonValue } from '@updraft/core';
import { type TaskWorkload, type TryKey, type TryOutcome, validateWorkload } from '@updraft/engine';
import { InvalidTryJobError } from './errors.js';

/** Version of the job format; a worker refuses jobs of another. */
export const JOB_FORMAT = 1;

/** What a BullMQ job holds: one try's workload, with dates as ISO strings. */
export interface TryJobData {
  v: typeof JOB_FORMAT;
  workload: Omit<TaskWorkload, 'run'> & {
    run: {
      runType: TaskWorkload['run']['runType'];
      logicalDate: string | null;
      dataInterval: { start: string; end: string } | null;
      conf: Readonly<Record<string, JsonValue>>;
    };
  };
  /** When the scheduler queued it, for the queue-to-start latency. */
  queuedAt: string;
}

/**
 * What a worker returns for a job, and so what the scheduler's executor reports:
 * `finished` and `lost` as the worker's task runner saw them, `recorded` when the worker's write of the end into the
 * store went through (applied or refused by its compare-and-set); `observed` when the try was run (or taken over)
 * elsewhere and this job only saw its end in the store.
 */
export type TryJobResult =
  | { kind: 'finished'; outcome: TryOutcome; startedAt: string; endedAt: string; durationMs: number; hostname: string; recorded?: boolean }
  | { kind: 'lost'; at: string; started: boolean; pid: number | null; exitCode: number | null; signal: NodeJS.Signals | null; hostname: string; recorded?: boolean }
  | { kind: 'observed'; state: string | null; tryNumber: number; at: string };

/**
 * The job id of a try: the same for every queueing of the same try, so adding it again (a scheduler restarted,
 * Redis lost its data, two schedulers raced) is a no-op while the job exists, and never a second run. A hash,
 * because BullMQ ids may not contain `:`, which run ids do.
 */
export function tryJobId(k: TryKey): string {
  const h = createHash('sha256').update(JSON.stringify([k.dagId, k.runId, k.taskId, k.tryNumber])).digest('hex');
  return `try-${h.slice(0, 40)}`;
}

/**
 * The BullMQ queue of a task's `queue` argument. BullMQ forbids `:` in queue names, so names are
 * percent-encoded; `default` and other plain names stay as they are.
 */
export function bullQueueName(queue: string): string {
  return encodeURIComponent(queue);
}

/** The job data of a workload. */
export function encodeWorkload(w: TaskWorkload, queuedAt: Date): TryJobData {
  return {
    v: JOB_FORMAT,
    workload: {
      ...w,
      run: {
        runType: w.run.runType,
        logicalDate: w.run.logicalDate?.toISOString() ?? null,
        dataInterval: w.run.dataInterval ? { start: w.run.dataInterval.start.toISOString(), end: w.run.dataInterval.end.toISOString() } : null,
        conf: w.run.conf,
      },
    },
    queuedAt: queuedAt.toISOString(),
  };
}

/**
 * The workload of a job, checked as the executor checks what it queues.
 * @throws InvalidTryJobError for a job of another format; InvalidWorkloadError for a malformed workload.
 */
export function decodeWorkload(jobId: string, data: unknown): { workload: TaskWorkload; queuedAt: Date } {
  const d = data as Partial<TryJobData> | null;
  if (typeof d !== 'object' || d === null || d.v !== JOB_FORMAT) throw new InvalidTryJobError(jobId, `expected job format ${JOB_FORMAT}, got ${JSON.stringify((d as { v?: unknown } | null)?.v)}`);
  const w = d.workload;
  if (typeof w !== 'object' || w === null || typeof w.run !== 'object' || w.run === null) throw new InvalidTryJobError(jobId, 'no workload');
  const date = (s: unknown): Date => (typeof s === 'string' ? new Date(s) : (s as Date));
  const run = w.run;
  const workload = validateWorkload({
    ...w,
    run: {
      runType: run.runType,
      logicalDate: run.logicalDate === null ? null : date(run.logicalDate),
      dataInterval: run.dataInterval === null ? null : { start: date(run.dataInterval?.start), end: date(run.dataInterval?.end) },
      conf: run.conf,
    },
  });
  const queuedAt = typeof d.queuedAt === 'string' ? new Date(d.queuedAt) : new Date(Number.NaN);
  return { workload, queuedAt };
}
