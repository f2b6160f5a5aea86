import { accumulateRows } from './packed.js';
import { NEXT_TREE } from './pool-protocol.js';
import type { PredictJob } from './pool-protocol.js';

/** Takes blocks of rows from the job's counter until none is left and adds the forest's class fractions for them. */
export function predictBlocks(job: PredictJob): void {
  const blocks = Math.ceil(job.nSamples / job.blockRows);
  for (;;) {
    const block = Atomics.add(job.counter, NEXT_TREE, 1);
    if (block >= blocks) return;
    const start = block * job.blockRows;
    accumulateRows(job.forest, job.rows, job.nFeatures, start, Math.min(job.nSamples, start + job.blockRows), job.out);
  }
}
