/**
 * `@updraft/distributed`: Updraft on many machines. The scheduler queues tries on BullMQ queues in Redis with the
 * {@link BullMqExecutor}; `updraft worker` processes ({@link Worker}) run them and write what happens into the
 * shared metadata store.
 */
export { BullMqExecutor } from './executor.js';
export { resolveBullMqExecutorOptions } from './executor-options.js';
export type { BullMqExecutorOptions, ResolvedBullMqExecutorOptions } from './executor-options.js';
export { Worker, WORKER_JOB } from './worker.js';
export { resolveWorkerOptions } from './worker-options.js';
export type { WorkerOptions, ResolvedWorkerOptions } from './worker-options.js';
export { parseRedisUrl, createRedisClient, evictionPolicy, evictionWarning } from './redis.js';
export type { RedisTarget } from './redis.js';
export { tryJobId, bullQueueName, encodeWorkload, decodeWorkload, JOB_FORMAT } from './wire.js';
export type { TryJobData, TryJobResult } from './wire.js';
export { claimTry } from './claim.js';
export type { JobDecision } from './claim.js';
export { InvalidRedisUrlError, InvalidDistributedOptionError, InvalidTryJobError, maskRedisUrl } from './errors.js';
