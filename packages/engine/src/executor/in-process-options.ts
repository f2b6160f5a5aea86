import { type DAG, isDag } from '@updraft/core';
import { DEFAULT_XCOM_SIZE_LIMIT_BYTES } from '../run-try.js';
import type { XComBackend } from '../xcom.js';
import { InvalidExecutorOptionError } from './errors.js';
import { intOption, optionsObject, xcomBackendOption } from './option-checks.js';

/** Options of the {@link InProcessExecutor}. */
export interface InProcessExecutorOptions {
  /** Where tries push and pull XComs. Required. */
  xcoms: XComBackend;
  /** Root of the try log files (Airflow's layout); null writes none, the `log` events still come. Default null. */
  logsFolder?: string | null;
  /** DAGs to run by id, e.g. the one `dags test` loaded; a workload of another DAG imports its `dagFile`. Default none. */
  dags?: readonly DAG[];
  /** Most tries running at once. Default 32, Airflow's `[core] parallelism`. */
  parallelism?: number;
  /** How often a running try is reported alive. Default 1000 ms. */
  heartbeatIntervalMs?: number;
  /** Largest XCom in JSON bytes. Default 1 MiB. */
  xcomSizeLimitBytes?: number;
}

/** {@link InProcessExecutorOptions} with every default filled; the DAGs by id. */
export interface ResolvedInProcessExecutorOptions {
  xcoms: XComBackend;
  logsFolder: string | null;
  dags: ReadonlyMap<string, DAG>;
  parallelism: number;
  heartbeatIntervalMs: number;
  xcomSizeLimitBytes: number;
}

const NAME = 'InProcessExecutor';
const KNOWN = ['xcoms', 'logsFolder', 'dags', 'parallelism', 'heartbeatIntervalMs', 'xcomSizeLimitBytes'] as const;

/**
 * The one place that checks {@link InProcessExecutorOptions} and fills their defaults.
 * @throws InvalidExecutorOptionError naming the option and what was expected.
 */
export function resolveInProcessExecutorOptions(options: InProcessExecutorOptions): ResolvedInProcessExecutorOptions {
  optionsObject(NAME, options, KNOWN);
  const o = options;
  const logsFolder = o.logsFolder ?? null;
  if (logsFolder !== null && (typeof logsFolder !== 'string' || logsFolder === '')) throw new InvalidExecutorOptionError(NAME, 'logsFolder', 'null or a folder path', logsFolder);
  const list: unknown = o.dags ?? [];
  if (!Array.isArray(list) || !list.every(isDag)) throw new InvalidExecutorOptionError(NAME, 'dags', 'an array of DAGs', list);
  const dags = new Map<string, DAG>();
  for (const dag of list) {
    if (dags.has(dag.dagId)) throw new InvalidExecutorOptionError(NAME, 'dags', 'DAGs with distinct ids', dag.dagId);
    dags.set(dag.dagId, dag);
  }
  return {
    xcoms: xcomBackendOption(NAME, o.xcoms),
    logsFolder,
    dags,
    parallelism: intOption(NAME, 'parallelism', o.parallelism, 32, 1),
    heartbeatIntervalMs: intOption(NAME, 'heartbeatIntervalMs', o.heartbeatIntervalMs, 1000, 1),
    xcomSizeLimitBytes: intOption(NAME, 'xcomSizeLimitBytes', o.xcomSizeLimitBytes, DEFAULT_XCOM_SIZE_LIMIT_BYTES, 1),
  };
}
