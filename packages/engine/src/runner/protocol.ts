/**
 * Messages between the local executor and its task runner processes, over the IPC channel of `fork` with the
 * "advanced" serialization (structured clone), so Dates cross as Dates.
 */
import type { LogSource, TaskWorkload } from '../executor/contract.js';
import type { TryError, TryOutcome } from '../run-try.js';
import type { LogRecord } from '../task-logger.js';

/** The XCom operations a runner asks its parent to perform on the owner's backend. */
export type XComOp = 'push' | 'pull' | 'clear' | 'list';

/** Parent to runner. */
export type ToRunner =
  /** Run this try, then exit. */
  | { type: 'run'; workload: TaskWorkload; logFile: string; heartbeatIntervalMs: number; xcomSizeLimitBytes: number }
  /** The answer to an `xcom` request. */
  | { type: 'xcom-result'; id: number; ok: true; value: unknown }
  | { type: 'xcom-result'; id: number; ok: false; error: TryError };

/** Runner to parent. */
export type FromRunner =
  /** Booted (modules loaded) and waiting for a `run`. */
  | { type: 'ready' }
  | { type: 'started'; pid: number; hostname: string; at: Date }
  | { type: 'log'; source: LogSource; record: LogRecord }
  | { type: 'xcom'; id: number; op: XComOp; arg: unknown }
  | { type: 'finished'; outcome: TryOutcome; startedAt: Date; endedAt: Date };

/**
 * The file descriptor, in the runner, of the pipe its heartbeat thread writes one byte to per beat. A pipe of its
 * own, written from a worker thread, keeps beats flowing while a task blocks the main thread with CPU work.
 */
export const HEARTBEAT_FD = 4;
