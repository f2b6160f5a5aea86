import { parseRedisUrl } from './redis.js';
import { emitWarning, functionOption, intOption, optionsObject, prefixOption, stringOption } from './option-checks.js';

/** Options of the {@link BullMqExecutor}. */
export interface BullMqExecutorOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS). Required. */
  redisUrl: string;
  /** Prefix of the BullMQ keys in Redis; workers must use the same. Default `updraft`. */
  prefix?: string;
  /**
   * Most tries this scheduler keeps queued or running on the workers at once (Airflow's `[core] parallelism`).
   * Default 32.
   */
  parallelism?: number;
  /**
   * How often the tries still in flight are checked against Redis: a job whose end event was missed is
   * reported, and a job Redis lost (a restart without persistence) is added again. Default 5000 ms.
   */
  reconcileIntervalMs?: number;
  /**
   * How long a finished job stays in Redis, so that queueing the same try again is a no-op and a missed end
   * event can still be read. Default 3600 s.
   */
  keepFinishedJobsSeconds?: number;
  /** Receives warnings (Redis may evict jobs, Redis is unreachable). Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Clock, for the time written into each job. Default `() => new Date()`. */
  now?: () => Date;
}

/** {@link BullMqExecutorOptions} with every default filled. */
export type ResolvedBullMqExecutorOptions = Required<BullMqExecutorOptions>;

const NAME = 'BullMqExecutor';
const KNOWN = ['redisUrl', 'prefix', 'parallelism', 'reconcileIntervalMs', 'keepFinishedJobsSeconds', 'onWarning', 'now'] as const;

/**
 * The one place that checks {@link BullMqExecutorOptions} and fills their defaults.
 * @throws InvalidDistributedOptionError naming the option; InvalidRedisUrlError for a bad URL.
 */
export function resolveBullMqExecutorOptions(options: BullMqExecutorOptions): ResolvedBullMqExecutorOptions {
  optionsObject(NAME, options, KNOWN);
  const o = options;
  const redisUrl = stringOption(NAME, 'redisUrl', o.redisUrl);
  parseRedisUrl(redisUrl);
  return {
    redisUrl,
    prefix: prefixOption(NAME, o.prefix),
    parallelism: intOption(NAME, 'parallelism', o.parallelism, 32, 1),
    reconcileIntervalMs: intOption(NAME, 'reconcileIntervalMs', o.reconcileIntervalMs, 5000, 1),
    keepFinishedJobsSeconds: intOption(NAME, 'keepFinishedJobsSeconds', o.keepFinishedJobsSeconds, 3600, 1),
    onWarning: functionOption(NAME, 'onWarning', o.onWarning, emitWarning),
    now: functionOption(NAME, 'now', o.now, () => new Date()),
  };
}
