import type { Executor, ExecutorEvent, ExecutorListener, TaskWorkload, TryKey } from '@updraft/engine';

/** An executor whose tries end when the test says so: it only holds what it was queued and reports what it is told. */
export class ScriptedExecutor implements Executor {
  readonly parallelism: number;
  readonly queued: TaskWorkload[] = [];
  readonly #listeners = new Set<ExecutorListener>();
  readonly #running = new Map<string, TaskWorkload>();

  constructor(parallelism: number) {
    this.parallelism = parallelism;
  }

  get runningCount(): number {
    return this.#running.size;
  }
  get queuedCount(): number {
    return 0;
  }
  get freeSlots(): number {
    return Math.max(0, this.parallelism - this.#running.size);
  }

  queue(workload: TaskWorkload): void {
    this.queued.push(workload);
    this.#running.set(workload.taskId, workload);
  }

  onEvent(listener: ExecutorListener): () => void {
    const entry: ExecutorListener = (e) => listener(e);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** Ends the running try of `taskId` with success, as a runner would report it. */
  succeed(taskId: string, at = new Date()): void {
    const w = this.#running.get(taskId);
    if (!w) throw new Error(`${taskId} is not running`);
    this.#running.delete(taskId);
    const key: TryKey = { dagId: w.dagId, runId: w.runId, taskId: w.taskId, tryNumber: w.tryNumber };
    this.#emit({ type: 'finished', key, outcome: { state: 'success', returnValue: undefined }, startedAt: at, endedAt: at, durationMs: 0 });
  }

  #emit(e: ExecutorEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }

  end(): Promise<void> {
    return Promise.resolve();
  }

  terminate(): Promise<TaskWorkload[]> {
    return Promise.resolve([...this.#running.values()]);
  }
}
