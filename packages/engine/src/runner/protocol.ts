/**
 * Messages between the local executor and its task runner processes, over the IPC channel of `fork` with the
 * "advanced" serialization (structured clone), so Dates cross as Dates.
 */
import type { LogSource, TaskWorkload } from '../executor/contract.js';
import type { TryError, TryOutcome } from '../run-try.js';
import type { LogRecord } from '../task-logger.js';

/** The XCom operations a runner asks its parent to perform on the owner's backend. */
export type XComOp = 'push' | 'pull' | 'clear' | 'list';

/** When a runner stops taking tries and exits after the one it ran (see ADR-002). */
export interface RecyclePolicy {
  /** Tries one runner process runs before it exits; 1 is a process per try. */
  maxTries: number;
  /** Resident memory, in bytes, above which a runner exits after its try. */
  maxRssBytes: number;
}

/** Parent to runner. */
export type ToRunner =
  /**
   * Run this try. `seq` numbers the tries of one runner; every message about the try carries it, so nothing a
   * finished try left behind is taken for the next one's. One that comes while a try runs is held, and started as
   * soon as that try has ended (see ADR-004): a runner holds at most one.
   */
  | {
      type: 'run';
      seq: number;
      workload: TaskWorkload;
      logFile: string;
      heartbeatIntervalMs: number;
      xcomSizeLimitBytes: number;
      recycle: RecyclePolicy;
      /** Take the DAG from the runner's cache when its file is unchanged (ADR-003); false imports it afresh. */
      reuseDags: boolean;
    }
  /**
   * Drop the try `seq` that came while another ran (see ADR-004), unless it has started: the runner answers
   * `cancelled` if it dropped it, and otherwise has sent or will send its `started`.
   */
  | { type: 'cancel'; seq: number }
  /** While idle, import this DAG file so that its modules (and, with `reuseDags`, its DAGs) are loaded when a try of it comes. */
  | { type: 'preload'; dagFile: string; reuseDags: boolean }
  /** The answer to an `xcom` request. */
  | { type: 'xcom-result'; id: number; ok: true; value: unknown }
  | { type: 'xcom-result'; id: number; ok: false; error: TryError };

/** Why a runner exits after a try instead of taking the next one. */
export type RecycleReason = 'max-tries' | 'max-rss' | 'left-handles' | 'uncaught-error' | 'terminated';

/** Runner to parent. */
export type FromRunner =
  /** Booted (modules loaded) and waiting for a `run`. */
  | { type: 'ready' }
  /** The next try `seq`, sent while another ran, was dropped on `cancel` before it started. */
  | { type: 'cancelled'; seq: number }
  | { type: 'started'; seq: number; pid: number; hostname: string; at: Date }
  | { type: 'log'; seq: number; source: LogSource; record: LogRecord }
  | { type: 'xcom'; seq: number; id: number; op: XComOp; arg: unknown }
  /**
   * The try ended. With `exiting` null the runner starts the next try it holds, if any, or waits for the next
   * `run`; otherwise it exits right after this message, for the reason given, and drops the try it holds.
   */
  | { type: 'finished'; seq: number; outcome: TryOutcome; startedAt: Date; endedAt: Date; exiting: RecycleReason | null };

/**
 * What a runner actually sends: its messages in order, several at a time, so that a short try costs the parent a
 * couple of wakeups rather than one per log line.
 */
export interface RunnerBatch {
  type: 'batch';
  messages: FromRunner[];
}

/**
 * The file descriptor, in the runner, of the pipe its heartbeat thread writes one byte to per beat. A pipe of its
 * own, written from a worker thread, keeps beats flowing while a task blocks the main thread with CPU work.
 */
export const HEARTBEAT_FD = 4;
