import { DuplicateTryError, type Executor, type ExecutorEvent, type ExecutorListener, ExecutorClosedError, type TaskWorkload, validateWorkload } from '@updraft/engine';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { type BullMqExecutorOptions, resolveBullMqExecutorOptions, type ResolvedBullMqExecutorOptions } from './executor-options.js';
import { createRedisClient, evictionPolicy, evictionWarning } from './redis.js';
import { sweepOrphans } from './orphans.js';
import { endEventOf, failedJobEvent } from './results.js';
import { bullQueueName, encodeWorkload, tryJobId } from './wire.js';

interface InFlight {
  workload: TaskWorkload;
  jobId: string;
  queue: string;
  /** True once Redis has the job. */
  added: boolean;
  /** When the job was last added, for the reconciliation's grace. */
  addedAt: number;
  adding: Promise<void> | null;
}

interface QueueHandle {
  queue: Queue;
  events: QueueEvents;
  ready: Promise<void>;
}

/** Longest wait, in `end()`, for jobs Redis has not taken yet. */
const END_FLUSH_MS = 10_000;

/**
 * The scheduler's side of distributed execution: each try becomes a job on the BullMQ queue named by the task's
 * `queue` (`updraft worker` processes take them), with a job id derived from the try, so queueing the same try
 * twice never makes two jobs. The workers write what happens into the metadata store; this executor only learns
 * when a try ends (BullMQ's queue events, checked against Redis every `reconcileIntervalMs`), to free its slot
 * and wake the scheduler.
 *
 * Differences from a local executor, by design: `end()` and `terminate()` do not wait for or stop the tries on
 * the workers (they belong to the queue and finish without this scheduler), and `terminate()` returns no
 * workload (nothing is taken back from the queue).
 */
export class BullMqExecutor implements Executor {
  readonly parallelism: number;
  readonly options: ResolvedBullMqExecutorOptions;
  readonly #client: Redis;
  readonly #queues = new Map<string, QueueHandle>();
  readonly #inFlight = new Map<string, InFlight>();
  readonly #listeners = new Set<ExecutorListener>();
  readonly #timer: NodeJS.Timeout;
  readonly #checked: Promise<void>;
  #reconciling = false;
  #closed = false;
  #released: Promise<void> | null = null;

  constructor(options: BullMqExecutorOptions) {
    this.options = resolveBullMqExecutorOptions(options);
    this.parallelism = this.options.parallelism;
    this.#client = createRedisClient(this.options.redisUrl, 'updraft-scheduler');
    this.#checked = evictionPolicy(this.#client).then((p) => {
      const w = evictionWarning(p, this.options.redisUrl);
      if (w) this.options.onWarning(w);
    });
    this.#timer = setInterval(() => void this.#reconcile(), this.options.reconcileIntervalMs);
    this.#timer.unref();
  }

  /** Resolves once the Redis server's eviction policy has been checked (and warned about). */
  whenChecked(): Promise<void> {
    return this.#checked;
  }

  /** Tries that Redis holds as jobs and that have not ended. */
  get runningCount(): number {
    let n = 0;
    for (const f of this.#inFlight.values()) if (f.added) n++;
    return n;
  }

  /** Tries waiting to be added to Redis (it is unreachable, or the add is under way). */
  get queuedCount(): number {
    return this.#inFlight.size - this.runningCount;
  }

  get freeSlots(): number {
    return Math.max(0, this.parallelism - this.#inFlight.size);
  }

  queue(workload: TaskWorkload): void {
    if (this.#closed) throw new ExecutorClosedError('BullMqExecutor');
    const w = validateWorkload(workload);
    const jobId = tryJobId(w);
    if (this.#inFlight.has(jobId)) throw new DuplicateTryError(w);
    const f: InFlight = { workload: w, jobId, queue: bullQueueName(w.queue), added: false, addedAt: 0, adding: null };
    this.#inFlight.set(jobId, f);
    this.#startAdd(f);
  }

  onEvent(listener: ExecutorListener): () => void {
    const entry: ExecutorListener = (e) => listener(e);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** Stops taking tries, hands the ones not yet in Redis over to it (waiting up to 10 s), and disconnects. */
  async end(): Promise<void> {
    this.#closed = true;
    this.#released ??= this.#release();
    await this.#released;
  }

  /** As {@link end}: the tries on the workers go on, so there is nothing to take back. */
  async terminate(): Promise<TaskWorkload[]> {
    await this.end();
    return [];
  }

  #handle(queue: string): QueueHandle {
    let h = this.#queues.get(queue);
    if (!h) {
      const connection = this.#client;
      const q = new Queue(queue, { connection, prefix: this.options.prefix });
      const events = new QueueEvents(queue, { connection, prefix: this.options.prefix });
      q.on('error', () => undefined);
      events.on('error', () => undefined);
      events.on('completed', ({ jobId, returnvalue }) => this.#settle(jobId, (f) => endEventOf(f.workload, returnvalue, this.options.now())));
      events.on('failed', ({ jobId }) => this.#settle(jobId, (f) => failedJobEvent(f.workload, this.options.now())));
      // Events are read from the moment the reader is ready; jobs are added only after, so none is missed.
      h = { queue: q, events, ready: events.waitUntilReady().then(() => undefined) };
      this.#queues.set(queue, h);
    }
    return h;
  }

  #startAdd(f: InFlight): void {
    if (f.adding) return;
    f.adding = this.#add(f).finally(() => {
      f.adding = null;
    });
  }

  async #add(f: InFlight): Promise<void> {
    const h = this.#handle(f.queue);
    let warned = false;
    for (let attempt = 0; this.#inFlight.get(f.jobId) === f; attempt++) {
      try {
        await h.ready;
        await h.queue.add('try', encodeWorkload(f.workload, this.options.now()), {
          jobId: f.jobId,
          attempts: 1,
          removeOnComplete: { age: this.options.keepFinishedJobsSeconds },
          removeOnFail: { age: this.options.keepFinishedJobsSeconds },
        });
        f.added = true;
        f.addedAt = Date.now();
        return;
      } catch (e) {
        if (!warned) this.options.onWarning(`could not queue try ${f.workload.tryNumber} of ${f.workload.dagId}.${f.workload.taskId} on Redis (retrying): ${(e as Error).message}`);
        warned = true;
        if (this.#closed && attempt > 3) return;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5000)));
      }
    }
  }

  #settle(jobId: string, event: (f: InFlight) => ExecutorEvent): void {
    const f = this.#inFlight.get(jobId);
    if (!f) return;
    this.#inFlight.delete(jobId);
    const e = event(f);
    for (const listener of [...this.#listeners]) listener(e);
  }

  /** Checks the tries in flight against Redis: reports ends whose event was missed, adds again jobs Redis lost. */
  async #reconcile(): Promise<void> {
    if (this.#reconciling || this.#closed) return;
    this.#reconciling = true;
    try {
      const due = Date.now() - this.options.reconcileIntervalMs;
      for (const f of [...this.#inFlight.values()]) {
        if (!f.added || f.addedAt > due || this.#inFlight.get(f.jobId) !== f) continue;
        const { queue } = this.#handle(f.queue);
        const state = await queue.getJobState(f.jobId);
        if (state === 'completed' || state === 'failed') {
          const job = await queue.getJob(f.jobId);
          if (state === 'completed') this.#settle(f.jobId, (x) => endEventOf(x.workload, job?.returnvalue, this.options.now()));
          else this.#settle(f.jobId, (x) => failedJobEvent(x.workload, this.options.now()));
        } else if (state === 'unknown') {
          // Redis lost the job (restarted without persistence): add it again. The worker that takes it checks the
          // store first, so a try that already ran, or still runs elsewhere, is not run twice.
          f.added = false;
          this.#startAdd(f);
        }
      }
      const { store } = this.options;
      if (store) {
        const swept = await sweepOrphans(store, (name) => this.#handle(name).queue, this.options.now(), this.options.orphanAfterMs);
        if (swept > 0) this.options.onWarning(`${swept} queued tries had no job in Redis (it lost them while no scheduler held them); they are scheduled again`);
      }
    } catch {
      // Redis or the store is unreachable: the next round tries again.
    } finally {
      this.#reconciling = false;
    }
  }

  async #release(): Promise<void> {
    clearInterval(this.#timer);
    const adding = [...this.#inFlight.values()].map((f) => f.adding).filter((p): p is Promise<void> => p !== null);
    if (adding.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const flushed = await Promise.race([Promise.all(adding).then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), END_FLUSH_MS)))]);
      clearTimeout(timer);
      if (!flushed) this.options.onWarning(`${[...this.#inFlight.values()].filter((f) => !f.added).length} queued tries could not be handed to Redis before the executor ended; they stay queued in the store`);
    }
    // The eviction check may still wait for an unreachable Redis: disconnecting ends it.
    void this.#checked.catch(() => undefined);
    for (const h of this.#queues.values()) {
      // Closing waits for Redis; an unreachable one must not keep the scheduler from stopping.
      await bounded(h.events.close());
      await bounded(h.queue.close());
    }
    this.#client.disconnect();
  }
}

/** Waits for `p` at most `ms`, ignoring its failure. */
async function bounded(p: Promise<unknown>, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
