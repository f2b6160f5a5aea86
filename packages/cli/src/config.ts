import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from './errors.js';

/**
 * Updraft's settings as the CLI reads them: the only place that looks at environment variables. Each library
 * component receives its options from here.
 */
export interface CliConfig {
  /** `UPDRAFT_HOME`: the database, logs and generated passwords live here. Default `./.updraft`. */
  home: string;
  /** `UPDRAFT_DATABASE_URL`: a `postgres://` URL, or unset for SQLite at `$UPDRAFT_HOME/updraft.db`. */
  databaseUrl: string | undefined;
  /** `UPDRAFT_LOGS_FOLDER`: try logs (Airflow's layout below it). Default `$UPDRAFT_HOME/logs`. */
  logsFolder: string;
  /** `UPDRAFT_PARALLELISM`: tries running at once in this process's executor. Default 32. */
  parallelism: number | undefined;
  /** `UPDRAFT_HEARTBEAT_TIMEOUT`: seconds without a heartbeat before a running try is a zombie. Default 30. */
  heartbeatTimeoutMs: number | undefined;
  /** `UPDRAFT_DAGS_ARE_PAUSED_AT_CREATION`: `true` (default, as Airflow) or `false`. */
  dagsArePausedAtCreation: boolean;
  /** `UPDRAFT_DAG_FILE_PROCESSOR_TIMEOUT`: seconds one DAG file may take to import. Default 30. */
  parseTimeoutMs: number | undefined;
  /** `UPDRAFT_XCOM_SIZE_LIMIT`: largest XCom in bytes. Default 1 MiB. */
  xcomSizeLimitBytes: number | undefined;
  /** `UPDRAFT_EXECUTOR`: `local` (default; tries run on the scheduler's machine) or `bullmq` (on `updraft worker`s). */
  executor: 'local' | 'bullmq';
  /** `UPDRAFT_REDIS_URL`: `redis://[[user]:password@]host[:port][/db]`; required by `bullmq` and `updraft worker`. */
  redisUrl: string | undefined;
  /** `UPDRAFT_REDIS_PREFIX`: prefix of the queue keys in Redis, the same for schedulers and workers. Default `updraft`. */
  redisPrefix: string | undefined;
  /** `UPDRAFT_WORKER_LOCK_DURATION`: seconds a worker's job lock lasts without renewal. Default 30. */
  workerLockDurationMs: number | undefined;
  /** `UPDRAFT_WORKER_STALLED_INTERVAL`: seconds between looks for jobs whose worker died. Default 30. */
  workerStalledIntervalMs: number | undefined;
  /** `UPDRAFT_WORKER_MAX_STALLED_COUNT`: times a job may be taken over before its try is lost. Default 1. */
  workerMaxStalledCount: number | undefined;
  /** `_UPDRAFT_WWW_USER_USERNAME` and `_UPDRAFT_WWW_USER_PASSWORD`: the admin `db migrate --create-admin-from-env` creates. */
  wwwUser: { username: string | undefined; password: string | undefined };
}

/** Reads the configuration from the environment. @throws CliError naming the variable that is wrong. */
export function readConfig(env: NodeJS.ProcessEnv): CliConfig {
  const home = resolve(env.UPDRAFT_HOME || '.updraft');
  return {
    home,
    databaseUrl: env.UPDRAFT_DATABASE_URL || undefined,
    logsFolder: env.UPDRAFT_LOGS_FOLDER ? resolve(env.UPDRAFT_LOGS_FOLDER) : join(home, 'logs'),
    parallelism: positiveInt(env, 'UPDRAFT_PARALLELISM'),
    heartbeatTimeoutMs: seconds(env, 'UPDRAFT_HEARTBEAT_TIMEOUT'),
    dagsArePausedAtCreation: bool(env, 'UPDRAFT_DAGS_ARE_PAUSED_AT_CREATION', true),
    parseTimeoutMs: seconds(env, 'UPDRAFT_DAG_FILE_PROCESSOR_TIMEOUT'),
    xcomSizeLimitBytes: positiveInt(env, 'UPDRAFT_XCOM_SIZE_LIMIT'),
    executor: executorName(env),
    redisUrl: env.UPDRAFT_REDIS_URL || undefined,
    redisPrefix: env.UPDRAFT_REDIS_PREFIX || undefined,
    workerLockDurationMs: seconds(env, 'UPDRAFT_WORKER_LOCK_DURATION'),
    workerStalledIntervalMs: seconds(env, 'UPDRAFT_WORKER_STALLED_INTERVAL'),
    workerMaxStalledCount: positiveInt(env, 'UPDRAFT_WORKER_MAX_STALLED_COUNT', 0),
    wwwUser: { username: env._UPDRAFT_WWW_USER_USERNAME || undefined, password: env._UPDRAFT_WWW_USER_PASSWORD || undefined },
  };
}

/** True when a metadata database exists to read (PostgreSQL configured, or the SQLite file is there). */
export function hasDatabase(config: CliConfig): boolean {
  return config.databaseUrl !== undefined || existsSync(join(config.home, 'updraft.db'));
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, min = 1): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer from ${min}, got ${JSON.stringify(raw)}`, 2);
  return n;
}

function executorName(env: NodeJS.ProcessEnv): CliConfig['executor'] {
  const raw = (env.UPDRAFT_EXECUTOR || 'local').toLowerCase();
  if (raw === 'local' || raw === 'bullmq') return raw;
  throw new CliError(`UPDRAFT_EXECUTOR must be local or bullmq, got ${JSON.stringify(env.UPDRAFT_EXECUTOR)}`, 2);
}

function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${name} must be a positive number of seconds, got ${JSON.stringify(raw)}`, 2);
  return n * 1000;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new CliError(`${name} must be true or false, got ${JSON.stringify(env[name])}`, 2);
}
