/**
 * Entry of a forest worker thread. Jobs come from the pool on `parentPort`; the worker takes tree indices (or blocks
 * of rows to predict) from the job's shared counter until none is left, answers on its own port with the trees it
 * grew, and only then counts itself done in the shared counter, so that the waiting thread finds the answer on the
 * port when it wakes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createGrower } from './grow.js';
import { predictBlocks } from './predict.js';
import type { GrownTree } from './grow.js';
import { DONE, NEXT_TREE } from './pool-protocol.js';
import type { WorkerJob, WorkerReply } from './pool-protocol.js';

const port = (workerData as { port: MessagePort }).port;

function run(job: WorkerJob): WorkerReply {
  const trees: Array<{ index: number; tree: GrownTree }> = [];
  try {
    if (job.kind === 'predict') {
      predictBlocks(job);
      return { trees };
    }
    const grower = createGrower(job.spec);
    for (;;) {
      const index = Atomics.add(job.counter, NEXT_TREE, 1);
      if (index >= job.seeds.length) break;
      trees.push({ index, tree: grower.grow(job.seeds[index] as number) });
    }
    return { trees };
  } catch (error) {
    // Stop the other threads from taking more work: the call fails anyway.
    Atomics.store(job.counter, NEXT_TREE, 2 ** 30);
    return { trees: [], error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

parentPort?.on('message', (job: WorkerJob) => {
  const reply = run(job);
  const transfer = reply.trees.flatMap(({ tree }) => [tree.feature.buffer, tree.threshold.buffer, tree.left.buffer, tree.right.buffer, tree.values.buffer, tree.importances.buffer]);
  port.postMessage(reply, transfer as ArrayBuffer[]);
  Atomics.add(job.counter, DONE, 1);
  Atomics.notify(job.counter, DONE);
});
