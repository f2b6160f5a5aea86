import type { DagRunType, DataInterval, JsonValue } from '@updraft/core';
import type { TryOutcome } from '../run-try.js';
import type { LogRecord } from '../task-logger.js';

/** Identifies one try of one task instance. */
export interface TryKey {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** From 1. */
  readonly tryNumber: number;
}

/** The run a try belongs to, as the task's context shows it. */
export interface WorkloadRun {
  readonly runType: DagRunType;
  /** Null for a run triggered without a logical date. */
  readonly logicalDate: Date | null;
  readonly dataInterval: DataInterval | null;
  /** The JSON given when the run was triggered. */
  readonly conf: Readonly<Record<string, JsonValue>>;
}

/**
 * Everything an executor needs to run one try, and nothing that needs a database: the scheduler builds it from
 * the task instance, the DAG run and the serialized DAG.
 */
export interface TaskWorkload extends TryKey {
  /** `retries + 1` as the scheduler sees it; shown in the try's log. */
  readonly maxTries: number;
  /** Absolute path of the DAG file that defines the DAG. */
  readonly dagFile: string;
  readonly run: WorkloadRun;
  /** The DAG's params resolved against the run's conf. */
  readonly params: Readonly<Record<string, JsonValue>>;
  /** The task's queue; executors that route work (distributed ones) use it. */
  readonly queue: string;
  /** The try is stopped and fails after this long; null for no limit. */
  readonly executionTimeoutMs: number | null;
}

/** Where a log line came from. */
export type LogSource = 'task' | 'stdout' | 'stderr' | 'executor';

/** The timing of a finished try. */
export interface TryTiming {
  startedAt: Date;
  endedAt: Date;
  durationMs: number;
}

/** What an ending event may say besides the end. */
export interface EndRecording {
  /**
   * True when whoever ran the try has already written its end into the metadata store (a distributed worker does):
   * the owner need not write it again, and learns from the event that the try's slot is free. Local executors
   * never set it.
   */
  recorded?: true;
}

/** Something that happened to a try. Every queued try ends with exactly one `finished` or `lost`. */
export type ExecutorEvent =
  /** The runner took the try and is about to load the DAG file. */
  | { type: 'started'; key: TryKey; pid: number; hostname: string; at: Date }
  /** The runner of a started try is alive. */
  | { type: 'heartbeat'; key: TryKey; at: Date }
  /**
   * A line of the try's log (also written to its log file when there is one, at once). Lines may arrive in
   * batches: a runner process sends what a try logged at the end of its event-loop turn, so a task that blocks its
   * thread delays its events, not its file.
   */
  | { type: 'log'; key: TryKey; source: LogSource; record: LogRecord }
  /** The try ended with an outcome; its slot is free. */
  | ({ type: 'finished'; key: TryKey; outcome: TryOutcome } & TryTiming & EndRecording)
  /**
   * The runner died without reporting an outcome (killed, out of memory, `process.exit` in the task); its slot
   * is free. `started` tells whether the try had started, so the owner knows if it may have had effects.
   */
  | ({ type: 'lost'; key: TryKey; at: Date; started: boolean; pid: number | null; exitCode: number | null; signal: NodeJS.Signals | null } & EndRecording);

/** Receives an executor's events, in the order they happened for each try. */
export type ExecutorListener = (event: ExecutorEvent) => void;

/**
 * Runs task tries and reports what happens to them. It never touches a database: its owner (the scheduler, or
 * `dags test`) gives it an XCom backend and a logs folder, and persists states from the events.
 */
export interface Executor {
  /** Most tries running at once. */
  readonly parallelism: number;
  /** Tries running now (started or being handed to a runner). */
  readonly runningCount: number;
  /** Tries waiting for a slot. */
  readonly queuedCount: number;
  /** Tries that can be queued now and start at once: `parallelism - running - queued`, never below 0. */
  readonly freeSlots: number;
  /**
   * Queues a try; it starts as soon as a slot is free, in queueing order.
   * @throws InvalidWorkloadError for a malformed workload; DuplicateTryError when the same try is queued or
   * running; ExecutorClosedError after `end()` or `terminate()`.
   */
  queue(workload: TaskWorkload): void;
  /** Subscribes to events; returns the function that unsubscribes. */
  onEvent(listener: ExecutorListener): () => void;
  /** Accepts no more work, waits for the queued and running tries to end, then releases every resource. */
  end(): Promise<void>;
  /**
   * Accepts no more work, stops the running tries (each reported `finished` as failed with a
   * `TaskTerminatedError`) and releases every resource. Resolves with the workloads that never started, for the
   * owner to put back.
   */
  terminate(): Promise<TaskWorkload[]>;
}
