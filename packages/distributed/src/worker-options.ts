import { hostname as osHostname } from 'node:os';
import type { MetadataStore } from '@updraft/store';
import { InvalidDistributedOptionError } from './errors.js';
import { emitWarning, functionOption, intOption, optionsObject, prefixOption, stringOption } from './option-checks.js';
import { parseRedisUrl } from './redis.js';

/** Options of a {@link Worker}. */
export interface WorkerOptions {
  /** The metadata store the worker writes each try's states and XComs into. Required. */
  store: MetadataStore;
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`), the scheduler's. Required. */
  redisUrl: string;
  /**
   * Root of the try logs, in Airflow's layout. The API reads logs from its own logs folder: both must be the same
   * storage (see ADR-001-logs.md). Required.
   */
  logsFolder: string;
  /** The queues to take tries from (a task's `queue` argument). Default `['default']`. */
  queues?: readonly string[];
  /** Most tries running at once on this worker, over all its queues. Default 16, Airflow's `worker_concurrency`. */
  concurrency?: number;
  /** Prefix of the BullMQ keys in Redis; the scheduler's must be the same. Default `updraft`. */
  prefix?: string;
  /**
   * How long a taken job stays locked to this worker without a renewal (renewed every half of it). A worker that
   * dies is noticed after at most `lockDurationMs + stalledIntervalMs`. Default 30000 ms, BullMQ's.
   */
  lockDurationMs?: number;
  /** How often the workers look for jobs whose lock expired. Default 30000 ms, BullMQ's. */
  stalledIntervalMs?: number;
  /**
   * How often a job may stall (its worker died) and be taken over before it fails; its try is then lost, and
   * retried if the task may be. Default 1, BullMQ's.
   */
  maxStalledCount?: number;
  /**
   * A try found running in the store is taken over only when its last heartbeat is older than this: a job that
   * stalled while its worker still runs the try (a slow lock renewal, Redis restarted) is watched, not run twice.
   * Default `lockDurationMs`.
   */
  takeoverAfterMs?: number;
  /** How often a watched try is looked up in the store. Default 1000 ms. */
  watchIntervalMs?: number;
  /** How often a running try's runner reports it is alive. Default 1000 ms. */
  heartbeatIntervalMs?: number;
  /**
   * How long the runner's start of a try (its pid and start time) waits to be written. The claim already made the
   * try running on this worker; a try that ends meanwhile writes its start with its end, one statement rather than
   * two. A longer try's start is written after this delay, or at its first heartbeat if that comes first.
   * Default 100 ms.
   */
  startWriteDelayMs?: number;
  /** Task runner processes kept booted and waiting. Default 2. */
  poolSize?: number;
  /** Time a runner has to stop after SIGTERM before SIGKILL. Default 60000 ms. */
  killGraceMs?: number;
  /** Largest XCom in JSON bytes. Default 1 MiB. */
  xcomSizeLimitBytes?: number;
  /** Extra Node flags of runner processes. Default none. */
  runnerExecArgv?: readonly string[];
  /** How often the worker's `WorkerJob` row in the store heartbeats (health checks read it). Default 5000 ms. */
  jobHeartbeatIntervalMs?: number;
  /** Host name written with each try. Default the machine's. */
  hostname?: string;
  /** Receives warnings (Redis may evict jobs, a store write failed and is retried). Default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** {@link WorkerOptions} with every default filled. */
export type ResolvedWorkerOptions = Required<Omit<WorkerOptions, 'xcomSizeLimitBytes'>> & { xcomSizeLimitBytes: number | undefined };

const NAME = 'Worker';
const KNOWN = [
  'store', 'redisUrl', 'logsFolder', 'queues', 'concurrency', 'prefix', 'lockDurationMs', 'stalledIntervalMs', 'maxStalledCount', 'takeoverAfterMs',
  'watchIntervalMs', 'heartbeatIntervalMs', 'startWriteDelayMs', 'poolSize', 'killGraceMs', 'xcomSizeLimitBytes', 'runnerExecArgv', 'jobHeartbeatIntervalMs', 'hostname', 'onWarning',
] as const;

/**
 * The one place that checks {@link WorkerOptions} and fills their defaults.
 * @throws InvalidDistributedOptionError naming the option; InvalidRedisUrlError for a bad URL.
 */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  optionsObject(NAME, options, KNOWN);
  const o = options;
  const store = o.store as Partial<MetadataStore> | undefined;
  if (typeof store !== 'object' || store === null || typeof store.getTaskInstance !== 'function') {
    throw new InvalidDistributedOptionError(NAME, 'store', 'a MetadataStore', o.store);
  }
  const redisUrl = stringOption(NAME, 'redisUrl', o.redisUrl);
  parseRedisUrl(redisUrl);
  const queues: unknown = o.queues ?? ['default'];
  if (!Array.isArray(queues) || queues.length === 0 || queues.some((q) => typeof q !== 'string' || q === '')) {
    throw new InvalidDistributedOptionError(NAME, 'queues', 'a non-empty array of queue names', queues);
  }
  const argv: unknown = o.runnerExecArgv ?? [];
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) throw new InvalidDistributedOptionError(NAME, 'runnerExecArgv', 'an array of strings', argv);
  const lockDurationMs = intOption(NAME, 'lockDurationMs', o.lockDurationMs, 30_000, 100);
  return {
    store: o.store,
    redisUrl,
    logsFolder: stringOption(NAME, 'logsFolder', o.logsFolder),
    queues: [...new Set(queues as string[])],
    concurrency: intOption(NAME, 'concurrency', o.concurrency, 16, 1),
    prefix: prefixOption(NAME, o.prefix),
    lockDurationMs,
    stalledIntervalMs: intOption(NAME, 'stalledIntervalMs', o.stalledIntervalMs, 30_000, 100),
    maxStalledCount: intOption(NAME, 'maxStalledCount', o.maxStalledCount, 1, 0),
    takeoverAfterMs: intOption(NAME, 'takeoverAfterMs', o.takeoverAfterMs, lockDurationMs, 1),
    watchIntervalMs: intOption(NAME, 'watchIntervalMs', o.watchIntervalMs, 1000, 1),
    heartbeatIntervalMs: intOption(NAME, 'heartbeatIntervalMs', o.heartbeatIntervalMs, 1000, 1),
    startWriteDelayMs: intOption(NAME, 'startWriteDelayMs', o.startWriteDelayMs, 100, 0),
    poolSize: intOption(NAME, 'poolSize', o.poolSize, 2, 0),
    killGraceMs: intOption(NAME, 'killGraceMs', o.killGraceMs, 60_000, 0),
    xcomSizeLimitBytes: o.xcomSizeLimitBytes === undefined ? undefined : intOption(NAME, 'xcomSizeLimitBytes', o.xcomSizeLimitBytes, 0, 1),
    runnerExecArgv: [...(argv as string[])],
    jobHeartbeatIntervalMs: intOption(NAME, 'jobHeartbeatIntervalMs', o.jobHeartbeatIntervalMs, 5000, 1),
    hostname: stringOption(NAME, 'hostname', o.hostname, osHostname()),
    onWarning: functionOption(NAME, 'onWarning', o.onWarning, emitWarning),
  };
}
