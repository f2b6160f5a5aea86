import {
  type DataInterval,
  DagRunState,
  DagRunType,
  type JsonValue,
  manualDataInterval,
  nextDagRunInfo,
  resolveParams,
  type SerializedDag,
} from '@updraft/core';
import { DagRunExistsError, type DagRun, type MetadataStore } from '@updraft/store';

/** Airflow's run id for a run of the given type and logical date: `scheduled__2025-01-01T00:00:00+00:00`. */
export function generateRunId(type: DagRunType, at: Date): string {
  return `${type}__${at.toISOString().replace(/\.000Z$/, '+00:00').replace(/Z$/, '+00:00')}`;
}

/** Options of {@link triggerDagRun}. */
export interface TriggerOptions {
  conf?: Record<string, JsonValue>;
  /** Null for a run without a logical date (Airflow 3 allows it); default: now. */
  logicalDate?: Date | null;
  runId?: string;
  /** Who or what triggered it: `cli`, `rest_api`, `ui`. */
  triggeredBy?: string;
  note?: string | null;
  now?: Date;
}

/**
 * Creates a manual run, queued for the scheduler, after checking its conf against the DAG's params.
 * @throws ParamValidationError, DagRunExistsError.
 */
export async function triggerDagRun(store: MetadataStore, dag: SerializedDag, options: TriggerOptions = {}): Promise<DagRun> {
  const now = options.now ?? new Date();
  const conf = options.conf ?? {};
  resolveParams(dag.dagId, dag.params, conf);
  const logicalDate = options.logicalDate === undefined ? now : options.logicalDate;
  const interval: DataInterval | null = logicalDate === null ? null : manualDataInterval(dag.schedule, logicalDate);
  return store.createDagRun({
    dagId: dag.dagId,
    runId: options.runId ?? generateRunId(DagRunType.MANUAL, logicalDate ?? now),
    runType: DagRunType.MANUAL,
    state: DagRunState.QUEUED,
    logicalDate,
    runAfter: logicalDate ?? now,
    dataIntervalStart: interval?.start ?? null,
    dataIntervalEnd: interval?.end ?? null,
    conf,
    note: options.note ?? null,
    triggeredBy: options.triggeredBy ?? 'cli',
    queuedAt: now,
  });
}

/**
 * Creates the scheduled runs that are due for one DAG, as many as `maxActiveRuns` allows, and returns the next
 * planned run (for the DAG's "next run" fields). Another scheduler creating the same run first is not an error.
 */
export async function createDueRuns(store: MetadataStore, dag: SerializedDag, now: Date): Promise<{ created: DagRun[]; next: ReturnType<typeof nextDagRunInfo> }> {
  const created: DagRun[] = [];
  if (dag.schedule.kind === 'none') return { created, next: null };
  const latest = (await store.listDagRuns({ dagIds: [dag.dagId], runTypes: [DagRunType.SCHEDULED], orderBy: 'logicalDate', direction: 'desc', limit: 1 })).items[0];
  let last: DataInterval | null =
    latest && latest.dataIntervalStart && latest.dataIntervalEnd ? { start: latest.dataIntervalStart, end: latest.dataIntervalEnd } : null;
  const restriction = {
    earliest: dag.startDate ? new Date(dag.startDate) : null,
    latest: dag.endDate ? new Date(dag.endDate) : null,
    catchup: dag.catchup,
  };
  const active = await store.countActiveRuns(dag.dagId);
  let activeCount = active.queued + active.running;
  let next = nextDagRunInfo(dag.schedule, last, restriction, now);
  while (next && next.runAfter <= now && activeCount < dag.maxActiveRuns) {
    try {
      created.push(
        await store.createDagRun({
          dagId: dag.dagId,
          runId: generateRunId(DagRunType.SCHEDULED, next.logicalDate),
          runType: DagRunType.SCHEDULED,
          state: DagRunState.QUEUED,
          logicalDate: next.logicalDate,
          runAfter: next.runAfter,
          dataIntervalStart: next.dataInterval.start,
          dataIntervalEnd: next.dataInterval.end,
          conf: {},
          triggeredBy: 'timetable',
          queuedAt: now,
        }),
      );
      activeCount++;
    } catch (e) {
      if (!(e instanceof DagRunExistsError)) throw e;
    }
    last = next.dataInterval;
    next = nextDagRunInfo(dag.schedule, last, restriction, now);
  }
  return { created, next };
}
