import type { MetadataStore } from '@updraft/store';
import { InvalidDistributedOptionError } from './errors.js';
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
  /**
   * The metadata store, to find tries queued there whose job is in no queue (Redis lost it while no scheduler held
   * the try) and put them back to scheduled. Default none: no such sweep.
   */
  store?: MetadataStore | null;
  /** A queued try without a job is put back once it has been queued this long. Default 60000 ms. */
  orphanAfterMs?: number;
  /** Receives warnings (Redis may evict jobs, Redis is unreachable). Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Clock, for the time written into each job. Default `() => new Date()`. */
  now?: () => Date;
}

/** {@link BullMqExecutorOptions} with every default filled. */
export type ResolvedBullMqExecutorOptions = Required<Omit<BullMqExecutorOptions, 'store'>> & { store: MetadataStore | null };

const NAME = 'BullMqExecutor';
const KNOWN = ['redisUrl', 'prefix', 'parallelism', 'reconcileIntervalMs', 'keepFinishedJobsSeconds', 'store', 'orphanAfterMs', 'onWarning', 'now'] as const;

/**
 * The one place that checks {@link BullMqExecutorOptions} and fills their defaults.
 * @throws InvalidDistributedOptionError naming the option; InvalidRedisUrlError for a bad URL.
 */
export function resolveBullMqExecutorOptions(options: BullMqExecutorOptions): ResolvedBullMqExecutorOptions {
  optionsObject(NAME, options, KNOWN);
  const o = options;
  const redisUrl = stringOption(NAME, 'redisUrl', o.redisUrl);
  parseRedisUrl(redisUrl);
  const store = o.store ?? null;
  if (store !== null && (typeof store !== 'object' || typeof store.listTaskInstances !== 'function')) throw new InvalidDistributedOptionError(NAME, 'store', 'a MetadataStore or null', store);
  return {
    redisUrl,
    store,
    orphanAfterMs: intOption(NAME, 'orphanAfterMs', o.orphanAfterMs, 60_000, 1),
    prefix: prefixOption(NAME, o.prefix),
    parallelism: intOption(NAME, 'parallelism', o.parallelism, 32, 1),
    reconcileIntervalMs: intOption(NAME, 'reconcileIntervalMs', o.reconcileIntervalMs, 5000, 1),
    keepFinishedJobsSeconds: intOption(NAME, 'keepFinishedJobsSeconds', o.keepFinishedJobsSeconds, 3600, 1),
    onWarning: functionOption(NAME, 'onWarning', o.onWarning, emitWarning),
    now: functionOption(NAME, 'now', o.now, () => new Date()),
  };
}
