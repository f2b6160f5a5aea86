import type { MetadataStore } from '@updraft/store';
import { isAbsolute, join, resolve } from 'node:path';
import { ApiOptionsError } from './errors.js';
import type { ApiEventSource } from './live/events.js';
import { API_VERSION } from './version.js';

/** Options of `createApiServer`. The CLI reads the environment and passes them; the library reads none. */
export interface ApiServerOptions {
  /** The metadata store; required. The server does not close it. */
  store: MetadataStore;
  /** Updraft's home folder: users file, generated admin password, token secret. Required. */
  home: string;
  /** Interface to bind; default `127.0.0.1` (loopback only). */
  host?: string;
  /** TCP port; default 8080 (0 picks a free one). */
  port?: number;
  /** Root of task logs (`dag_id=.../run_id=.../task_id=.../attempt=N.log`); default `<home>/logs`. */
  logsFolder?: string;
  /** Folders whose files `/ui/outputs/<name>/<path>` serves (reports, models ...), by name; default none. */
  outputFolders?: Record<string, string>;
  /** A built web UI served at `/` (index.html for unknown non-API paths); default none. */
  uiFolder?: string | null;
  /**
   * Secret that signs tokens, at least 32 bytes; default: the content of `<home>/api-secret.key`, created
   * with 256 random bits and mode 0600 on first start, so tokens outlive a restart.
   */
  secretKey?: string | Uint8Array;
  /** Lifetime of a token and of the browser session, in seconds; default 86400 (Airflow's). */
  tokenTtlSeconds?: number;
  /** Marks the session cookies `Secure` (when served over HTTPS); default false. */
  secureCookies?: boolean;
  /** Origins allowed to call the API from a browser (CORS); default none: CORS is off. */
  corsOrigins?: string[];
  /** Largest request body accepted, in bytes; default 1048576 (1 MiB). */
  bodyLimitBytes?: number;
  /** Login attempts allowed per client address in each window; default 10 per 60000 ms. */
  loginRateLimit?: { max: number; windowMs: number };
  /** Largest page a listing returns; a larger `limit` is capped to it, as Airflow's `maximum_page_limit`; default 100. */
  maximumPageLimit?: number;
  /** A scheduler or DAG processor whose last heartbeat is older than this is unhealthy, in seconds; default 30. */
  healthCheckThresholdSeconds?: number;
  /** Job type of the scheduler's heartbeat rows; default `SchedulerJob`. */
  schedulerJobType?: string;
  /** Job type of the DAG processor's heartbeat rows; default `DagProcessorJob`. */
  dagProcessorJobType?: string;
  /** In-process source of state changes for the live stream; default none (the stream polls the store). */
  events?: ApiEventSource | null;
  /** How often the live stream polls the store and log files, in milliseconds; default 1000. */
  pollIntervalMs?: number;
  /** scrypt cost (log2 N) of new password hashes; default 15. */
  scryptLogN?: number;
  /** Version `/api/v2/version` reports; default this package's version. */
  version?: string;
  /** Fastify's request logger: false (default), true, or pino options. */
  logger?: boolean | Record<string, unknown>;
  /** Clock for timestamps the server writes; default `() => new Date()`. */
  now?: () => Date;
}

/** `ApiServerOptions` with defaults filled in. */
export interface ResolvedApiServerOptions
  extends Required<Omit<ApiServerOptions, 'secretKey' | 'events' | 'uiFolder' | 'outputFolders'>> {
  secretKey: Uint8Array | null;
  events: ApiEventSource | null;
  uiFolder: string | null;
  outputFolders: Record<string, string>;
}

/** Validates `ApiServerOptions` and fills in the defaults. @throws ApiOptionsError naming the field. */
export function resolveApiServerOptions(options: ApiServerOptions): ResolvedApiServerOptions {
  const o = options as Partial<ApiServerOptions>;
  if (typeof o !== 'object' || o === null) throw new ApiOptionsError('(options)', 'an object', o);
  const store = o.store;
  if (typeof store !== 'object' || store === null || typeof store.listDags !== 'function') throw new ApiOptionsError('store', 'a MetadataStore', store);
  const home = absolutePath(o.home, 'home');
  const int = (field: keyof ApiServerOptions, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ApiOptionsError(field, `an integer from ${min} to ${max}`, v);
    return v;
  };
  const str = (field: keyof ApiServerOptions, fallback: string): string => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v === '') throw new ApiOptionsError(field, 'a non-empty string', v);
    return v;
  };
  const outputFolders: Record<string, string> = {};
  if (o.outputFolders !== undefined) {
    if (typeof o.outputFolders !== 'object' || o.outputFolders === null) throw new ApiOptionsError('outputFolders', 'an object of name to folder', o.outputFolders);
    for (const [name, folder] of Object.entries(o.outputFolders)) {
      if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name) || name === '.' || name === '..') {
        throw new ApiOptionsError(`outputFolders.${name}`, 'a name of letters, digits, _ . -', name);
      }
      outputFolders[name] = absolutePath(folder, `outputFolders.${name}`);
    }
  }
  let secretKey: Uint8Array | null = null;
  if (o.secretKey !== undefined) {
    secretKey = typeof o.secretKey === 'string' ? new TextEncoder().encode(o.secretKey) : o.secretKey;
    if (!(secretKey instanceof Uint8Array) || secretKey.length < 32) throw new ApiOptionsError('secretKey', 'a string or bytes of at least 32 bytes', o.secretKey);
  }
  const corsOrigins = o.corsOrigins ?? [];
  if (!Array.isArray(corsOrigins) || !corsOrigins.every((x) => typeof x === 'string' && /^https?:\/\/[^/\s]+$/.test(x))) {
    throw new ApiOptionsError('corsOrigins', 'an array of origins such as "https://ci.example.com"', corsOrigins);
  }
  const rate = o.loginRateLimit ?? { max: 10, windowMs: 60_000 };
  if (typeof rate !== 'object' || rate === null || !Number.isInteger(rate.max) || rate.max < 1 || !Number.isInteger(rate.windowMs) || rate.windowMs < 1) {
    throw new ApiOptionsError('loginRateLimit', '{ max, windowMs } with positive integers', rate);
  }
  const events = o.events ?? null;
  if (events !== null && typeof events.subscribe !== 'function') throw new ApiOptionsError('events', 'an object with subscribe(listener)', events);
  const now = o.now ?? (() => new Date());
  if (typeof now !== 'function') throw new ApiOptionsError('now', 'a function returning a Date', now);
  const logger = o.logger ?? false;
  if (typeof logger !== 'boolean' && (typeof logger !== 'object' || logger === null)) throw new ApiOptionsError('logger', 'a boolean or pino options', logger);
  return {
    store,
    home,
    host: str('host', '127.0.0.1'),
    port: int('port', 8080, 0, 65535),
    logsFolder: o.logsFolder === undefined ? join(home, 'logs') : absolutePath(o.logsFolder, 'logsFolder'),
    outputFolders,
    uiFolder: o.uiFolder == null ? null : absolutePath(o.uiFolder, 'uiFolder'),
    secretKey,
    tokenTtlSeconds: int('tokenTtlSeconds', 86_400, 60),
    secureCookies: bool(o.secureCookies, false, 'secureCookies'),
    corsOrigins,
    bodyLimitBytes: int('bodyLimitBytes', 1024 * 1024, 1024),
    loginRateLimit: { max: rate.max, windowMs: rate.windowMs },
    maximumPageLimit: int('maximumPageLimit', 100, 1),
    healthCheckThresholdSeconds: int('healthCheckThresholdSeconds', 30, 1),
    schedulerJobType: str('schedulerJobType', 'SchedulerJob'),
    dagProcessorJobType: str('dagProcessorJobType', 'DagProcessorJob'),
    events,
    pollIntervalMs: int('pollIntervalMs', 1000, 10),
    scryptLogN: int('scryptLogN', 15, 1, 20),
    version: str('version', API_VERSION),
    logger,
    now,
  };
}

function absolutePath(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) throw new ApiOptionsError(field, 'a folder path', value);
  return isAbsolute(value) ? value : resolve(value);
}

function bool(value: unknown, fallback: boolean, field: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ApiOptionsError(field, 'a boolean', value);
  return value;
}
