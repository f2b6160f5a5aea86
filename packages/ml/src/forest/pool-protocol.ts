/** What the forest pool and its worker threads exchange. */
import type { GrowSpec, GrownTree } from './grow.js';

/** Index in the shared counter of the next tree to grow. */
export const NEXT_TREE = 0;
/** Index in the shared counter of the number of workers that have answered. */
export const DONE = 1;

/** A job posted to a worker. */
export interface WorkerJob {
  readonly spec: GrowSpec;
  readonly seeds: Uint32Array;
  readonly counter: Int32Array;
}

/** A worker's answer: the trees it grew, or what went wrong. */
export interface WorkerReply {
  readonly trees: ReadonlyArray<{ readonly index: number; readonly tree: GrownTree }>;
  readonly error?: string;
}
