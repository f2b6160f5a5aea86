import { Cron } from 'croner';
import { type Duration, isDurationLike, toMilliseconds } from './duration.js';
import { InvalidArgumentError } from './errors.js';

/**
 * When a DAG runs, as Airflow's `schedule` argument: `null` (only when triggered), a preset (`'@daily'`), a
 * cron expression (`'30 6 * * 1-5'`), or a duration between runs (`{ days: 1 }`, `'PT6H'`).
 */
export type Schedule = null | SchedulePreset | string | Duration;

/** Airflow's schedule presets. */
export type SchedulePreset = '@once' | '@hourly' | '@daily' | '@weekly' | '@monthly' | '@quarterly' | '@yearly' | '@annually';

const PRESETS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

/**
 * A schedule in normal form, serializable, which the scheduler works from without importing the DAG file.
 * - `cron`: Airflow 3's `CronTriggerTimetable`: a run fires at each cron time; its logical date is that time and
 *   its data interval is empty (`start == end`).
 * - `interval`: Airflow 3's `DeltaDataIntervalTimetable`: back-to-back data intervals of `everyMs`; a run covers
 *   one interval, its logical date is the interval's start, and it runs once the interval has ended.
 * - `once`: a single run at the start date. `none`: manual triggers only.
 */
export type ScheduleSpec =
  | { kind: 'none' }
  | { kind: 'once' }
  | { kind: 'cron'; expression: string; timezone: string; summary: string }
  | { kind: 'interval'; everyMs: number; summary: string };

/** The data interval of a run: the span of time it processes. */
export interface DataInterval {
  start: Date;
  end: Date;
}

/** What the schedule says about the next run: its logical date, data interval, and earliest time to create it. */
export interface DagRunInfo {
  logicalDate: Date;
  dataInterval: DataInterval;
  /** The run may be created once the clock passes this time. */
  runAfter: Date;
}

/** The bounds within which a schedule may produce runs. */
export interface ScheduleRestriction {
  /** The DAG's `startDate`. */
  earliest: Date | null;
  /** The DAG's `endDate`. */
  latest: Date | null;
  /** When false, missed intervals are skipped and only the latest one runs. */
  catchup: boolean;
}

/**
 * Normalizes a schedule argument.
 * @throws InvalidArgumentError naming `schedule` when the value is not a preset, a valid cron expression or a duration.
 */
export function parseSchedule(schedule: Schedule | undefined, timezone = 'UTC', dagId?: string): ScheduleSpec {
  if (schedule === null || schedule === undefined) return { kind: 'none' };
  if (schedule === '@once') return { kind: 'once' };
  if (typeof schedule === 'string') {
    const preset = PRESETS[schedule];
    const expression = preset ?? schedule;
    if (preset === undefined && !schedule.startsWith('@') && isDurationLike(schedule)) {
      return intervalSpec(schedule, dagId);
    }
    if (expression.trim().split(/\s+/).length !== 5) {
      throw new InvalidArgumentError(dagId, 'schedule', "null, a preset such as '@daily', a 5-field cron expression or a duration", schedule);
    }
    try {
      new Cron(expression, { timezone, paused: true });
    } catch (cause) {
      const err = new InvalidArgumentError(dagId, 'schedule', `a valid cron expression (${(cause as Error).message})`, schedule);
      err.cause = cause;
      throw err;
    }
    return { kind: 'cron', expression, timezone, summary: schedule };
  }
  if (isDurationLike(schedule)) return intervalSpec(schedule, dagId);
  throw new InvalidArgumentError(dagId, 'schedule', "null, a preset such as '@daily', a cron expression or a duration", schedule);
}

function intervalSpec(value: Duration, dagId: string | undefined): ScheduleSpec {
  const everyMs = toMilliseconds(value, 'schedule', dagId);
  if (everyMs <= 0) throw new InvalidArgumentError(dagId, 'schedule', 'a duration longer than zero', value);
  return { kind: 'interval', everyMs, summary: describeInterval(everyMs) };
}

function describeInterval(ms: number): string {
  const seconds = ms / 1000;
  const d = Math.floor(seconds / 86_400);
  const rest = new Date((seconds % 86_400) * 1000).toISOString().slice(11, 19);
  return d > 0 ? `${d} day${d === 1 ? '' : 's'}, ${rest}` : rest;
}

/**
 * The next automated run after `last` (the data interval of the latest scheduled run, or null), as Airflow 3's
 * timetables compute it. Returns null when the schedule has no more runs.
 * @param now - the current time; passed in so schedules can be tested under fake time.
 */
export function nextDagRunInfo(
  spec: ScheduleSpec,
  last: DataInterval | null,
  restriction: ScheduleRestriction,
  now: Date,
): DagRunInfo | null {
  switch (spec.kind) {
    case 'none':
      return null;
    case 'once': {
      if (last !== null || restriction.earliest === null) return null;
      const at = restriction.earliest;
      if (restriction.latest !== null && at > restriction.latest) return null;
      return { logicalDate: at, dataInterval: { start: at, end: at }, runAfter: at };
    }
    case 'cron':
      return nextCronRun(spec, last, restriction, now);
    case 'interval':
      return nextIntervalRun(spec.everyMs, last, restriction, now);
  }
}

function nextCronRun(
  spec: { expression: string; timezone: string },
  last: DataInterval | null,
  restriction: ScheduleRestriction,
  now: Date,
): DagRunInfo | null {
  const cron = new Cron(spec.expression, { timezone: spec.timezone, paused: true });
  const alignNext = (t: Date): Date | null => (cron.match(t) ? t : cron.nextRun(t));
  const alignPrev = (t: Date): Date | null => (cron.match(t) ? t : (cron.previousRuns(1, t)[0] ?? null));
  let next: Date | null;
  if (restriction.catchup) {
    if (last !== null) next = cron.nextRun(last.end);
    else next = restriction.earliest === null ? alignNext(now) : alignNext(restriction.earliest);
  } else {
    const candidates: (Date | null)[] = [alignPrev(now)];
    if (last !== null) candidates.push(cron.nextRun(last.end));
    if (restriction.earliest !== null) candidates.push(alignNext(restriction.earliest));
    next = maxDate(candidates);
  }
  if (next === null) return null;
  if (restriction.latest !== null && next > restriction.latest) return null;
  return { logicalDate: next, dataInterval: { start: next, end: next }, runAfter: next };
}

function nextIntervalRun(everyMs: number, last: DataInterval | null, restriction: ScheduleRestriction, now: Date): DagRunInfo | null {
  let earliest = restriction.earliest;
  if (!restriction.catchup) {
    // Skip missed intervals: the latest complete interval ends now at the earliest.
    const latestStart = new Date(now.getTime() - everyMs);
    earliest = earliest === null || latestStart > earliest ? latestStart : earliest;
  }
  let start: Date;
  if (last === null) {
    if (earliest === null) return null;
    start = earliest;
  } else {
    start = last.end;
    if (earliest !== null && earliest > start) start = earliest;
  }
  if (restriction.latest !== null && start > restriction.latest) return null;
  const end = new Date(start.getTime() + everyMs);
  return { logicalDate: start, dataInterval: { start, end }, runAfter: end };
}

/**
 * The data interval Airflow gives a manually triggered run with the given logical date: empty for cron
 * schedules and manual-only DAGs; for duration schedules, one interval ending at the logical date (Airflow's
 * `infer_manual_data_interval`).
 */
export function manualDataInterval(spec: ScheduleSpec, logicalDate: Date): DataInterval {
  if (spec.kind === 'interval') return { start: new Date(logicalDate.getTime() - spec.everyMs), end: logicalDate };
  return { start: logicalDate, end: logicalDate };
}

function maxDate(dates: (Date | null)[]): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d !== null && (best === null || d > best)) best = d;
  return best;
}
