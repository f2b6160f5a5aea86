/**
 * Growing a forest's trees, and predicting, on several threads while `fit` and `predict` stay synchronous. A
 * persistent pool of worker threads (unreferenced, so it never keeps a process alive) receives the training set, or
 * the packed forest and the rows, on shared memory; the calling thread works too, taking tree indices (or blocks of
 * rows) from the same shared counter, then blocks on `Atomics.wait` until every worker has answered and reads the
 * answers with `receiveMessageOnPort`. Each tree depends only on its own seed, and each row's prediction is summed
 * by one thread in tree order, so the results are the same whatever the number of threads.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createGrower } from './grow.js';
import type { GrowSpec, GrownTree } from './grow.js';
import type { PredictionRows } from './input.js';
import type { PackedForest } from './packed.js';
import { DONE, NEXT_TREE } from './pool-protocol.js';
import type { PredictJob, WorkerJob, WorkerReply } from './pool-protocol.js';
import { predictBlocks } from './predict.js';

/** A worker thread failed while growing trees. */
export class ForestWorkerError extends Error {
  override name = 'ForestWorkerError';
  /** The worker's own error, as `name: message`. */
  readonly detail: string;
  constructor(detail: string) {
    super(`a forest worker thread failed: ${detail}`);
    this.detail = detail;
  }
}

interface PoolWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
}

const workers: PoolWorker[] = [];

/**
 * Boots a worker from the TypeScript sources (tests, development): registers tsx's loader in the thread first,
 * since a worker's entry module does not go through the parent's loader hooks.
 */
const SOURCE_BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.entry); });
`;

function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const entry = manifest.exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
  return pathToFileURL(join(dirname(manifestPath), entry)).href;
}

function startWorker(): PoolWorker {
  const { port1, port2 } = new MessageChannel();
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  const options = { workerData: { port: port2, entry: entry.href, tsxApi: fromSource ? tsxApiUrl() : '' }, transferList: [port2], execArgv: [] };
  const worker = fromSource ? new Worker(SOURCE_BOOT, { ...options, eval: true }) : new Worker(entry, options);
  worker.unref();
  port1.unref();
  // A worker that dies between fits is dropped from the pool and replaced by the next parallel fit.
  worker.on('exit', () => {
    const i = workers.findIndex((w) => w.worker === worker);
    if (i >= 0) workers.splice(i, 1);
  });
  worker.on('error', () => undefined);
  return { worker, port: port1 };
}

/** The number of worker threads in the pool now (0 until a fit with `nJobs > 1`, and after `closeForestPool`). */
export function forestPoolSize(): number {
  return workers.length;
}

/**
 * Stops the pool's worker threads. The pool never keeps a process alive, so this is only needed to free the
 * threads early (or to leave none behind in tests); a later parallel fit starts new ones.
 */
export async function closeForestPool(): Promise<void> {
  const stopping = workers.splice(0, workers.length);
  await Promise.all(stopping.map(async ({ worker, port }) => {
    port.close();
    await worker.terminate();
  }));
}

function shared<T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(array.byteLength));
  (copy as unknown as { set(a: T): void }).set(array);
  return copy;
}

function sharedSpec(spec: GrowSpec): GrowSpec {
  if (spec.kind === 'histogram') {
    const d = spec.data;
    const data = { ...d, bins: shared(d.bins), ranks: shared(d.ranks), rankValues: shared(d.rankValues), rankOffset: shared(d.rankOffset) };
    return { ...spec, data: { ...data, edges: shared(d.edges), nBins: shared(d.nBins), exactBins: shared(d.exactBins), yIndex: shared(d.yIndex) } };
  }
  const d = spec.data;
  return { ...spec, data: { ...d, columns: shared(d.columns), yIndex: shared(d.yIndex) } };
}

/**
 * Below this many samples times trees, a fit runs on the calling thread alone: handing the work to other threads
 * would cost about as much as it saves (iris, wine and breast_cancer with 100 trees stay below it).
 */
export const MIN_PARALLEL_WORK = 100_000;

/**
 * Below this many rows times trees, a prediction runs on the calling thread alone: handing blocks of rows to other
 * threads costs about as much as it saves (digits' test rows with 100 trees stay below it).
 */
export const MIN_PARALLEL_PREDICT = 200_000;

/**
 * Grows one tree per seed on `nThreads` threads (the calling one included) and returns them in seed order.
 * Throws `ForestWorkerError` when a worker fails or dies.
 */
export function growTrees(spec: GrowSpec, seeds: Uint32Array, nThreads: number): GrownTree[] {
  const small = spec.data.nSamples * seeds.length < MIN_PARALLEL_WORK;
  const nWorkers = small ? 0 : Math.min(nThreads, seeds.length) - 1;
  if (nWorkers <= 0) {
    const grower = createGrower(spec);
    return Array.from(seeds, (seed) => grower.grow(seed));
  }
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const job: WorkerJob = { kind: 'grow', spec: sharedSpec(spec), seeds: shared(seeds), counter };
  const trees = new Array<GrownTree | undefined>(seeds.length);
  const replies = runOnTeam(job, nWorkers, () => {
    const grower = createGrower(spec);
    for (;;) {
      const index = Atomics.add(counter, NEXT_TREE, 1);
      if (index >= seeds.length) break;
      trees[index] = grower.grow(seeds[index] as number);
    }
  });
  for (const reply of replies) for (const { index, tree } of reply.trees) trees[index] = tree;
  return trees.map((tree) => {
    if (tree === undefined) throw new ForestWorkerError('a tree was never grown');
    return tree;
  });
}

/**
 * Adds a packed forest's class fractions for every row to `out` on `nThreads` threads (the calling one included),
 * blocks of rows shared out through a counter. Each row is summed by one thread in tree order, so the sums are the
 * same whatever the number of threads. `rows` and `out` must be on shared memory.
 * Throws `ForestWorkerError` when a worker fails or dies.
 */
export function predictOnThreads(forest: PackedForest, rows: PredictionRows, out: Float64Array, nThreads: number): void {
  const counter = new Int32Array(new SharedArrayBuffer(8));
  // Two blocks per thread: each block walks every tree over its rows, and a tree's nodes are read again for every
  // block, so blocks are few and large; two per thread let a fast thread take over part of a slow one's share.
  const blockRows = Math.max(64, Math.ceil(rows.nSamples / (2 * nThreads)));
  const job: PredictJob = { kind: 'predict', forest, rows: rows.values, nFeatures: rows.nFeatures, nSamples: rows.nSamples, blockRows, out, counter };
  const blocks = Math.ceil(rows.nSamples / blockRows);
  runOnTeam(job, Math.min(nThreads, blocks) - 1, () => predictBlocks(job));
}

/**
 * Posts `job` to `nWorkers` pool threads, does the caller's share with `onCaller`, then waits for every worker's
 * reply. Throws `ForestWorkerError` with the first failure, the caller's or a worker's.
 */
function runOnTeam(job: WorkerJob, nWorkers: number, onCaller: () => void): WorkerReply[] {
  while (workers.length < nWorkers) workers.push(startWorker());
  const team = workers.slice(0, nWorkers);
  for (const { worker } of team) worker.postMessage(job);
  let failure: string | undefined;
  try {
    onCaller();
  } catch (error) {
    // Stop the workers from taking more work: the call fails anyway.
    Atomics.store(job.counter, NEXT_TREE, 2 ** 30);
    failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  const replies: WorkerReply[] = [];
  const pending = new Set(team);
  while (pending.size > 0) {
    const done = Atomics.load(job.counter, DONE);
    for (const member of pending) {
      const received = receiveMessageOnPort(member.port);
      if (received === undefined) continue;
      const reply = received.message as WorkerReply;
      pending.delete(member);
      if (reply.error !== undefined) failure ??= reply.error;
      replies.push(reply);
    }
    if (pending.size === 0) break;
    // A worker counts itself done after posting, so its message is readable by the time the count says so; the
    // short wait only guards against a port that delivers late. A worker killed by the system (out of memory)
    // while working is not detected here: the calling thread would wait for it.
    Atomics.wait(job.counter, DONE, done, done >= team.length ? 1 : Infinity);
  }
  if (failure !== undefined) throw new ForestWorkerError(failure);
  return replies;
}
