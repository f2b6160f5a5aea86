import { DEFAULT_XCOM_SIZE_LIMIT_BYTES } from '../run-try.js';
import type { XComBackend } from '../xcom.js';
import { InvalidExecutorOptionError } from './errors.js';
import { booleanOption, intOption, optionsObject, xcomBackendOption } from './option-checks.js';

/** Options of the {@link LocalExecutor}. */
export interface LocalExecutorOptions {
  /** Where tries push and pull XComs; runners reach it through the parent. Required. */
  xcoms: XComBackend;
  /** Root of the try logs, `<logsFolder>/dag_id=…/run_id=…/task_id=…/attempt=<n>.log`. Required. */
  logsFolder: string;
  /** Most tries running at once. Default 32, Airflow's `[core] parallelism`. */
  parallelism?: number;
  /**
   * Runner processes kept booted and waiting while no try runs, so a try starts without paying Node's boot. Each
   * holds about 65 MB. Under load the pool grows to as many runners as tries run at once (at most `parallelism`);
   * the extra ones exit after `idleRunnerTimeoutMs` without work. 0 keeps none waiting. Default 2.
   */
  poolSize?: number;
  /**
   * Tries one runner process runs, one after another, before it exits and a fresh one takes its place (Celery's
   * `worker_max_tasks_per_child`). 1 gives every try a process of its own, as before runner reuse. See ADR-002 and
   * ADR-003. Default 1000.
   */
  maxTriesPerRunner?: number;
  /**
   * A runner keeps the DAGs a file defines from one try to the next while the file's code (its source and the
   * local modules it imports) is unchanged, instead of importing the file for every try; module-level state of the
   * DAG file then lives as long as the runner, as its imports' always did. false imports the file afresh for each
   * try. See ADR-003. Default true.
   */
  reuseDags?: boolean;
  /**
   * A runner whose resident memory is above this after a try exits instead of taking another (Celery's
   * `worker_max_memory_per_child`). Default 512 MiB.
   */
  maxRunnerRssBytes?: number;
  /**
   * A busy runner is handed its next try before it is free, when the tries of its current try's DAG have been
   * short lately, so that it starts that try the moment it reports the current one instead of waiting for this
   * process to answer (Celery's prefetch, one try deep). A handed try that has not started within a tenth of a
   * second is taken back for another runner. See ADR-004. false hands a runner a try only once it is free.
   * Default true.
   */
  prefetch?: boolean;
  /** A runner beyond `poolSize` that has waited this long without a try exits. Default 30000 ms. */
  idleRunnerTimeoutMs?: number;
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
const KNOWN = [
  'xcoms',
  'logsFolder',
  'parallelism',
  'poolSize',
  'maxTriesPerRunner',
  'reuseDags',
  'prefetch',
  'maxRunnerRssBytes',
  'idleRunnerTimeoutMs',
  'heartbeatIntervalMs',
  'killGraceMs',
  'xcomSizeLimitBytes',
  'runnerExecArgv',
] as const;

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
    maxTriesPerRunner: intOption(NAME, 'maxTriesPerRunner', o.maxTriesPerRunner, 1000, 1),
    reuseDags: booleanOption(NAME, 'reuseDags', o.reuseDags, true),
    prefetch: booleanOption(NAME, 'prefetch', o.prefetch, true),
    maxRunnerRssBytes: intOption(NAME, 'maxRunnerRssBytes', o.maxRunnerRssBytes, 512 * 2 ** 20, 1),
    idleRunnerTimeoutMs: intOption(NAME, 'idleRunnerTimeoutMs', o.idleRunnerTimeoutMs, 30_000, 1),
    heartbeatIntervalMs: intOption(NAME, 'heartbeatIntervalMs', o.heartbeatIntervalMs, 1000, 1),
    killGraceMs: intOption(NAME, 'killGraceMs', o.killGraceMs, 60_000, 0),
    xcomSizeLimitBytes: intOption(NAME, 'xcomSizeLimitBytes', o.xcomSizeLimitBytes, DEFAULT_XCOM_SIZE_LIMIT_BYTES, 1),
    runnerExecArgv: [...(argv as string[])],
  };
}
