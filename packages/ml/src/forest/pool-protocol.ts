/** What the forest pool and its worker threads exchange. */
import type { GrowSpec, GrownTree } from './grow.js';
import type { PackedForest } from './packed.js';

/** Index in the shared counter of the next tree to grow, or of the next block of rows to predict. */
export const NEXT_TREE = 0;
/** Index in the shared counter of the number of workers that have answered. */
export const DONE = 1;

/** Grow trees: one per seed, taking seed indices from the counter. */
export interface GrowJob {
  readonly kind: 'grow';
  readonly spec: GrowSpec;
  readonly seeds: Uint32Array;
  readonly counter: Int32Array;
}

/** Predict: add every tree's class fractions for blocks of rows, taking block indices from the counter. */
export interface PredictJob {
  readonly kind: 'predict';
  readonly forest: PackedForest;
  /** Row-major features on shared memory. */
  readonly rows: Float32Array | Float64Array;
  readonly nFeatures: number;
  readonly nSamples: number;
  readonly blockRows: number;
  /** Shared sums, `nClasses` per row; each block of rows is written by one thread. */
  readonly out: Float64Array;
  readonly counter: Int32Array;
}

/** A job posted to a worker. */
export type WorkerJob = GrowJob | PredictJob;

/** A worker's answer: the trees it grew (none for a prediction), or what went wrong. */
export interface WorkerReply {
  readonly trees: ReadonlyArray<{ readonly index: number; readonly tree: GrownTree }>;
  readonly error?: string;
}
