import type { Executor, ExecutorEvent, ExecutorListener, TaskWorkload } from './contract.js';
import { DuplicateTryError, ExecutorClosedError } from './errors.js';
import { tryKeyId, validateWorkload } from './workload.js';

/**
 * What every executor shares: the FIFO of waiting tries, the slots bounded by `parallelism`, the listeners, and
 * the closing protocol. A subclass only starts tries (`launch`) and stops them.
 */
export abstract class ExecutorBase implements Executor {
  readonly parallelism: number;
  readonly #name: string;
  readonly #listeners = new Set<ExecutorListener>();
  readonly #waiting: TaskWorkload[] = [];
  readonly #running = new Map<string, TaskWorkload>();
  readonly #whenIdle: (() => void)[] = [];
  #closed = false;
  #released: Promise<void> | null = null;

  protected constructor(name: string, parallelism: number) {
    this.#name = name;
    this.parallelism = parallelism;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  get queuedCount(): number {
    return this.#waiting.length;
  }

  get freeSlots(): number {
    return Math.max(0, this.parallelism - this.#running.size - this.#waiting.length);
  }

  /** True once `end()` or `terminate()` was called. */
  protected get closed(): boolean {
    return this.#closed;
  }

  queue(workload: TaskWorkload): void {
    if (this.#closed) throw new ExecutorClosedError(this.#name);
    const w = validateWorkload(workload);
    const id = tryKeyId(w);
    if (this.#running.has(id) || this.#waiting.some((q) => tryKeyId(q) === id)) throw new DuplicateTryError(w);
    this.#waiting.push(w);
    this.#pump();
  }

  onEvent(listener: ExecutorListener): () => void {
    // Wrapped, so subscribing the same function twice gives two independent subscriptions.
    const entry: ExecutorListener = (e) => listener(e);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  async end(): Promise<void> {
    this.#closed = true;
    await this.#idle();
    await this.#release();
  }

  async terminate(): Promise<TaskWorkload[]> {
    this.#closed = true;
    const notStarted = this.#waiting.splice(0);
    notStarted.push(...(await this.stopAll()));
    await this.#idle();
    await this.#release();
    return notStarted;
  }

  /**
   * Starts a try that now holds a slot. It must not emit synchronously (the owner is still inside `queue`), and
   * must end with exactly one `finished` or `lost` event, or with `forget` (only from `stopAll`).
   */
  protected abstract launch(workload: TaskWorkload): void;

  /**
   * Stops every running try: started ones are reported `finished` (failed, TaskTerminatedError) once stopped,
   * the others are forgotten and returned.
   */
  protected abstract stopAll(): Promise<TaskWorkload[]>;

  /** Frees what is left once nothing runs (warm runners, timers). Called once. */
  protected abstract releaseResources(): Promise<void>;

  /** Hands an event to the listeners; a `finished` or `lost` event frees the try's slot first. */
  protected emit(event: ExecutorEvent): void {
    const ends = event.type === 'finished' || event.type === 'lost';
    if (ends) this.#running.delete(tryKeyId(event.key));
    for (const listener of [...this.#listeners]) listener(event);
    if (ends) this.#afterSlotFreed();
  }

  /** Frees the slot of a try that never started, without an event (see `stopAll`). */
  protected forget(workload: TaskWorkload): void {
    if (this.#running.delete(tryKeyId(workload))) this.#afterSlotFreed();
  }

  #afterSlotFreed(): void {
    this.#pump();
    if (this.#running.size === 0 && this.#waiting.length === 0) for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  #pump(): void {
    while (this.#running.size < this.parallelism && this.#waiting.length > 0) {
      const w = this.#waiting.shift() as TaskWorkload;
      this.#running.set(tryKeyId(w), w);
      this.launch(w);
    }
  }

  #idle(): Promise<void> {
    if (this.#running.size === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  #release(): Promise<void> {
    this.#released ??= this.releaseResources();
    return this.#released;
  }
}
