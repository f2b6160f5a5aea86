import { Cron } from 'croner';
import { type Duration, type DurationObject, isDurationLike, toMilliseconds } from './duration.js';
import { InvalidArgumentError } from './errors.js';

/**
 * When a DAG runs, as Airflow's `schedule` argument: `null` (only when triggered), a preset (`'@daily'`), a
 * cron expression (`'30 6 * * 1-5'`), or a duration between runs (`{ days: 1 }`, `'PT6H'`).
 */
// `string & Record<never, never>` keeps the presets offered by editors while any cron or duration string is accepted.
export type Schedule = null | SchedulePreset | (string & Record<never, never>) | number | DurationObject;

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
 * Normalizes a schedule argument; `timezone` is the zone cron expressions are read in.
 * @throws InvalidArgumentError naming `schedule` when the value is not a preset, a valid cron expression or a
 * duration, or naming `timezone` when that is not an IANA zone.
 */
export function parseSchedule(schedule: Schedule | undefined, timezone = 'UTC', dagId?: string): ScheduleSpec {
  checkTimezone(timezone, dagId);
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

/** Python's `str(timedelta)`, which Airflow shows as the summary of a duration schedule: `1 day, 0:00:00`. */
function describeInterval(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  const micros = Math.round((rest - sec * 1000) * 1000);
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}${micros ? `.${String(micros).padStart(6, '0')}` : ''}`;
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}

/**
 * The next automated run after `last` (the data interval of the latest scheduled run, or null), as Airflow 3's
 * timetables compute it: `CronTriggerTimetable` for cron schedules, `DeltaDataIntervalTimetable` for durations,
 * `OnceTimetable` for `@once`. Returns null when the schedule has no more runs. The result may lie in the future:
 * the caller creates the run once `runAfter` has passed.
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
      // Airflow runs @once at the start date, catchup or not.
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

/** Cron arithmetic with Airflow's meaning: next and previous are strict, alignment keeps a time on the schedule. */
class CronClock {
  readonly #cron: Cron;
  constructor(spec: { expression: string; timezone: string }) {
    this.#cron = new Cron(spec.expression, { timezone: spec.timezone, paused: true });
  }
  /** The first fire time strictly after `t`. */
  next(t: Date): Date | null {
    return this.#cron.nextRun(t);
  }
  /** The last fire time strictly before `t`. */
  prev(t: Date): Date | null {
    return this.#cron.previousRuns(1, t)[0] ?? null;
  }
  /** `t` itself when it is a fire time, else the next one. */
  alignNext(t: Date): Date | null {
    return this.#fires(t) ? t : this.next(t);
  }
  /** `t` itself when it is a fire time, else the previous one. */
  alignPrev(t: Date): Date | null {
    return this.#fires(t) ? t : this.prev(t);
  }
  #fires(t: Date): boolean {
    // croner matches to the second; a fire time has no milliseconds.
    return t.getUTCMilliseconds() === 0 && this.#cron.match(t);
  }
}

function nextCronRun(
  spec: { expression: string; timezone: string },
  last: DataInterval | null,
  restriction: ScheduleRestriction,
  now: Date,
): DagRunInfo | null {
  const clock = new CronClock(spec);
  let next: Date | null;
  if (restriction.catchup) {
    if (last !== null) next = clock.next(last.end);
    else next = restriction.earliest === null ? firstCronRun(clock, now) : clock.alignNext(restriction.earliest);
  } else {
    const candidates: (Date | null)[] = [clock.alignPrev(now)];
    if (last !== null) candidates.push(clock.next(last.end));
    else if (restriction.earliest === null) candidates.push(firstCronRun(clock, now));
    if (restriction.earliest !== null) candidates.push(clock.alignNext(restriction.earliest));
    next = maxDate(candidates);
  }
  if (next === null) return null;
  if (restriction.latest !== null && next > restriction.latest) return null;
  return { logicalDate: next, dataInterval: { start: next, end: next }, runAfter: next };
}

/**
 * The first run of a cron schedule without a start date (Airflow's `_calc_first_run` with `run_immediately`
 * unset): the latest fire time when it is recent (within a tenth of the gap between fire times, at least five
 * minutes), else the next one.
 */
function firstCronRun(clock: CronClock, now: Date): Date | null {
  const past = clock.alignPrev(now);
  const next = clock.alignNext(now);
  if (past === null) return next;
  if (next === null) return past;
  const buffer = Math.max((next.getTime() - past.getTime()) / 10, 5 * 60_000);
  return now.getTime() - past.getTime() <= buffer ? past : next;
}

function nextIntervalRun(everyMs: number, last: DataInterval | null, restriction: ScheduleRestriction, now: Date): DagRunInfo | null {
  let earliest = restriction.earliest;
  if (!restriction.catchup) {
    // Airflow's _skip_to_latest: the last whole interval counted from the Unix epoch that has ended by now.
    const latestStart = new Date(now.getTime() - (now.getTime() % everyMs) - everyMs);
    earliest = earliest === null || latestStart > earliest ? latestStart : earliest;
  }
  let start: Date;
  if (last === null) {
    if (earliest === null) return null;
    start = earliest;
  } else {
    start = earliest !== null && earliest > last.end ? earliest : last.end;
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

/**
 * Zones found valid in this process. UTC, every DAG's default, is valid in every ICU build: checking it would load
 * ICU's zone data (24 ms, and 9 MiB in each task runner) for nothing.
 */
const KNOWN_ZONES = new Set<string>(['UTC']);

/** @throws InvalidArgumentError naming `timezone` when `value` is not an IANA zone this runtime knows. */
export function checkTimezone(value: unknown, dagId?: string): string {
  if (typeof value === 'string' && value !== '') {
    // Building a DateTimeFormat costs about a millisecond; a runner checks the zone of every DAG it builds.
    if (KNOWN_ZONES.has(value)) return value;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      KNOWN_ZONES.add(value);
      return value;
    } catch {
      // Not a zone this runtime knows: reported below.
    }
  }
  throw new InvalidArgumentError(dagId, 'timezone', "an IANA time zone such as 'UTC' or 'Europe/Paris'", value);
}

function maxDate(dates: (Date | null)[]): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d !== null && (best === null || d > best)) best = d;
  return best;
}
