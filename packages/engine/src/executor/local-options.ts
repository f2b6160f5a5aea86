import { DEFAULT_XCOM_SIZE_LIMIT_BYTES } from '../run-try.js';
import type { XComBackend } from '../xcom.js';
import { InvalidExecutorOptionError } from './errors.js';
import { intOption, optionsObject, xcomBackendOption } from './option-checks.js';

/** Options of the {@link LocalExecutor}. */
export interface LocalExecutorOptions {
  /** Where tries push and pull XComs; runners reach it through the parent. Required. */
  xcoms: XComBackend;
  /** Root of the try logs, `<logsFolder>/dag_id=…/run_id=…/task_id=…/attempt=<n>.log`. Required. */
  logsFolder: string;
  /** Most tries running at once. Default 32, Airflow's `[core] parallelism`. */
  parallelism?: number;
  /**
   * Runner processes kept booted and waiting, so a try starts without paying Node's boot. Each holds about
   * 65 MB; 0 forks a runner for each try. Default 2.
   */
  poolSize?: number;
  /** How often a running try's runner reports it is alive. Default 1000 ms. */
  heartbeatIntervalMs?: number;
  /**
   * Time a runner has to stop after SIGTERM (timeout, terminate) before SIGKILL. Default 60000 ms, Airflow's
   * `killed_task_cleanup_time`.
   */
  killGraceMs?: number;
  /** Largest XCom in JSON bytes. Default 1 MiB. */
  xcomSizeLimitBytes?: number;
  /** Extra Node flags of runner processes, e.g. `['--max-old-space-size=8192']`. Default none. */
  runnerExecArgv?: readonly string[];
}

/** {@link LocalExecutorOptions} with every default filled. */
export type ResolvedLocalExecutorOptions = Required<LocalExecutorOptions>;

const NAME = 'LocalExecutor';
const KNOWN = ['xcoms', 'logsFolder', 'parallelism', 'poolSize', 'heartbeatIntervalMs', 'killGraceMs', 'xcomSizeLimitBytes', 'runnerExecArgv'] as const;

/**
 * The one place that checks {@link LocalExecutorOptions} and fills their defaults.
 * @throws InvalidExecutorOptionError naming the option and what was expected.
 */
export function resolveLocalExecutorOptions(options: LocalExecutorOptions): ResolvedLocalExecutorOptions {
  optionsObject(NAME, options, KNOWN);
  const o = options;
  if (typeof o.logsFolder !== 'string' || o.logsFolder === '') throw new InvalidExecutorOptionError(NAME, 'logsFolder', 'a folder path', o.logsFolder);
  const argv: unknown = o.runnerExecArgv ?? [];
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) throw new InvalidExecutorOptionError(NAME, 'runnerExecArgv', 'an array of strings', argv);
  return {
    xcoms: xcomBackendOption(NAME, o.xcoms),
    logsFolder: o.logsFolder,
    parallelism: intOption(NAME, 'parallelism', o.parallelism, 32, 1),
    poolSize: intOption(NAME, 'poolSize', o.poolSize, 2, 0),
    heartbeatIntervalMs: intOption(NAME, 'heartbeatIntervalMs', o.heartbeatIntervalMs, 1000, 1),
    killGraceMs: intOption(NAME, 'killGraceMs', o.killGraceMs, 60_000, 0),
    xcomSizeLimitBytes: intOption(NAME, 'xcomSizeLimitBytes', o.xcomSizeLimitBytes, DEFAULT_XCOM_SIZE_LIMIT_BYTES, 1),
    runnerExecArgv: [...(argv as string[])],
  };
}
