import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  InvalidArgumentError,
  isDurationLike,
  manualDataInterval,
  nextDagRunInfo,
  parseSchedule,
  toMilliseconds,
  type DagRunInfo,
  type DataInterval,
  type Duration,
  type Schedule,
  type ScheduleRestriction,
  type ScheduleSpec,
} from '../src/index.js';

const d = (iso: string): Date => new Date(iso);
const iso = (x: Date | undefined): string | undefined => x?.toISOString();

function invalidField(make: () => unknown): string {
  try {
    make();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as InvalidArgumentError).field;
  }
  throw new Error('expected an error');
}

describe('parseSchedule', () => {
  it('maps null and undefined to manual-only and @once to a single run', () => {
    expect(parseSchedule(null)).toEqual({ kind: 'none' });
    expect(parseSchedule(undefined)).toEqual({ kind: 'none' });
    expect(parseSchedule('@once')).toEqual({ kind: 'once' });
  });

  it.each([
    ['@hourly', '0 * * * *'],
    ['@daily', '0 0 * * *'],
    ['@weekly', '0 0 * * 0'],
    ['@monthly', '0 0 1 * *'],
    ['@quarterly', '0 0 1 */3 *'],
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
  ])('reads preset %s as Airflow\'s cron %s', (preset, expression) => {
    expect(parseSchedule(preset)).toEqual({ kind: 'cron', expression, timezone: 'UTC', summary: preset });
  });

  it('keeps cron expressions with their time zone', () => {
    expect(parseSchedule('30 6 * * 1-5', 'Europe/Paris')).toEqual({ kind: 'cron', expression: '30 6 * * 1-5', timezone: 'Europe/Paris', summary: '30 6 * * 1-5' });
    expect(parseSchedule('*/15 0-3 1,15 jan-mar MON')).toMatchObject({ kind: 'cron' });
  });

  it.each<[Schedule, number, string]>([
    [{ days: 1 }, 86_400_000, '1 day, 0:00:00'],
    [{ weeks: 1, hours: 2 }, 612_000_000, '7 days, 2:00:00'],
    [{ hours: 6 }, 21_600_000, '6:00:00'],
    ['PT6H', 21_600_000, '6:00:00'],
    ['P2D', 172_800_000, '2 days, 0:00:00'],
    ['P1DT12H', 129_600_000, '1 day, 12:00:00'],
    ['PT1.5S', 1500, '0:00:01.500000'],
    ['90m', 5_400_000, '1:30:00'],
    ['1h30m', 5_400_000, '1:30:00'],
    [3600, 3_600_000, '1:00:00'],
  ])('reads duration %j as an interval of %d ms (summary as Python\'s timedelta: %s)', (schedule, everyMs, summary) => {
    expect(parseSchedule(schedule)).toEqual({ kind: 'interval', everyMs, summary });
  });

  it.each<unknown>([
    '* * *',
    '* * * * * *',
    '61 * * * *',
    '0 25 * * *',
    '0 0 32 * *',
    '@every',
    '@continuous',
    '@daily ',
    'daily',
    '',
    'P',
    'PT',
    'P1M',
    '1y',
    0,
    -60,
    Number.NaN,
    '0s',
    'PT0S',
    {},
    { minutes: -5 },
    { mins: 5 },
    true,
    [],
    ['@daily'],
    new Date('2025-01-01T00:00:00Z'),
  ])('rejects %j, naming the schedule', (schedule) => {
    expect(invalidField(() => parseSchedule(schedule as Schedule))).toMatch(/^schedule/);
  });

  it('rejects a time zone that does not exist', () => {
    expect(invalidField(() => parseSchedule('@daily', 'Atlantis/Capital'))).toBe('timezone');
  });

  it('names the DAG in its errors when given', () => {
    expect(() => parseSchedule('bogus', 'UTC', 'etl')).toThrow(/DAG 'etl'/);
  });
});

describe('durations', () => {
  it.each<[Duration, number]>([
    [600, 600_000],
    [0.25, 250],
    [0, 0],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['1s500ms', 1500],
    [' 10m ', 600_000],
    ['PT10M', 600_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['PT1H30M', 5_400_000],
    ['P1DT2H3M4S', 93_784_000],
    ['PT0.5S', 500],
    [{ minutes: 10 }, 600_000],
    [{ weeks: 1, days: 1, hours: 1, minutes: 1, seconds: 1, milliseconds: 1 }, 694_861_001],
    [{ seconds: 1.5 }, 1500],
    [{ minutes: 1, seconds: undefined }, 60_000],
  ])('%j is %d ms', (value, ms) => {
    expect(toMilliseconds(value)).toBe(ms);
    expect(isDurationLike(value)).toBe(true);
  });

  it.each<[unknown, string]>([
    [-1, 'retryDelay'],
    [Number.POSITIVE_INFINITY, 'retryDelay'],
    [Number.NaN, 'retryDelay'],
    ['', 'retryDelay'],
    ['ten minutes', 'retryDelay'],
    ['10x', 'retryDelay'],
    ['P', 'retryDelay'],
    ['PT', 'retryDelay'],
    ['P1DT', 'retryDelay'],
    ['P1Y', 'retryDelay'],
    ['-5m', 'retryDelay'],
    [null, 'retryDelay'],
    [[1], 'retryDelay'],
    [{ minutes: -1 }, 'retryDelay.minutes'],
    [{ minutes: '1' }, 'retryDelay.minutes'],
    [{ fortnights: 1 }, 'retryDelay.fortnights'],
  ])('rejects %j, naming the field', (value, field) => {
    expect(invalidField(() => toMilliseconds(value as Duration, 'retryDelay'))).toBe(field);
  });

  it('tells durations from cron strings', () => {
    for (const v of ['0 0 * * *', '@daily', 'P', '', -1, null, [], new Date()]) expect(isDurationLike(v)).toBe(false);
  });

  it('formats durations for people', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(999.4)).toBe('999ms');
    expect(formatDuration(2500)).toBe('2.50s');
    expect(formatDuration(15_000)).toBe('15.0s');
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(90_061_000)).toBe('1d 1h 1m 1s');
  });
});

/** Asks the timetable for runs the way the scheduler does, until the next one is not due at `now`. */
function dueRuns(spec: ScheduleSpec, restriction: ScheduleRestriction, now: Date, last: DataInterval | null = null): { due: DagRunInfo[]; next: DagRunInfo | null } {
  const due: DagRunInfo[] = [];
  for (;;) {
    const info = nextDagRunInfo(spec, last, restriction, now);
    if (info === null || info.runAfter > now) return { due, next: info };
    due.push(info);
    last = info.dataInterval;
    if (due.length > 1000) throw new Error('runaway schedule');
  }
}

const restrict = (earliest: string | null, catchup: boolean, latest: string | null = null): ScheduleRestriction => ({
  earliest: earliest === null ? null : d(earliest),
  latest: latest === null ? null : d(latest),
  catchup,
});

describe('nextDagRunInfo with a cron schedule (CronTriggerTimetable)', () => {
  const daily = parseSchedule('@daily');

  it('catches up three days as three consecutive runs at the fire times, with empty data intervals', () => {
    const { due, next } = dueRuns(daily, restrict('2025-01-01', true), d('2025-01-03T12:00:00Z'));
    expect(due.map((r) => iso(r.logicalDate))).toEqual(['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z']);
    for (const r of due) {
      expect(r.dataInterval.start).toEqual(r.logicalDate);
      expect(r.dataInterval.end).toEqual(r.logicalDate);
      expect(r.runAfter).toEqual(r.logicalDate);
    }
    expect(iso(next?.logicalDate)).toBe('2025-01-04T00:00:00.000Z');
  });

  it('without catchup runs only the latest fire time at or before now', () => {
    const { due, next } = dueRuns(daily, restrict('2025-01-01', false), d('2025-01-03T12:00:00Z'));
    expect(due.map((r) => iso(r.logicalDate))).toEqual(['2025-01-03T00:00:00.000Z']);
    expect(iso(next?.logicalDate)).toBe('2025-01-04T00:00:00.000Z');
  });

  it('without catchup skips what was missed while the scheduler was away', () => {
    const last = { start: d('2025-01-01T00:00:00Z'), end: d('2025-01-01T00:00:00Z') };
    const info = nextDagRunInfo(daily, last, restrict('2025-01-01', false), d('2025-01-05T01:00:00Z'));
    expect(iso(info?.logicalDate)).toBe('2025-01-05T00:00:00.000Z');
  });

  it('aligns to whole fire times when now has milliseconds', () => {
    const info = nextDagRunInfo(daily, null, restrict('2025-01-01', false), d('2025-01-03T00:00:00.500Z'));
    expect(iso(info?.logicalDate)).toBe('2025-01-03T00:00:00.000Z');
    const start = nextDagRunInfo(daily, null, restrict('2025-01-01T00:00:00.250Z', true), d('2025-01-03T00:00:00Z'));
    expect(iso(start?.logicalDate)).toBe('2025-01-02T00:00:00.000Z');
  });

  it('starts at the first fire time at or after the start date, and waits for a future start date', () => {
    expect(iso(nextDagRunInfo(daily, null, restrict('2025-01-01T10:00:00Z', true), d('2025-02-01T00:00:00Z'))?.logicalDate)).toBe('2025-01-02T00:00:00.000Z');
    expect(iso(nextDagRunInfo(daily, null, restrict('2025-01-01T00:00:00Z', true), d('2025-02-01T00:00:00Z'))?.logicalDate)).toBe('2025-01-01T00:00:00.000Z');
    const future = nextDagRunInfo(daily, null, restrict('2025-03-01', false), d('2025-01-15T08:00:00Z'));
    expect(iso(future?.logicalDate)).toBe('2025-03-01T00:00:00.000Z');
  });

  it('stops at the end date, which is itself a possible fire time', () => {
    expect(dueRuns(daily, restrict('2025-01-01', true, '2025-01-02T12:00:00Z'), d('2025-02-01T00:00:00Z'))).toEqual({
      due: expect.any(Array) as unknown,
      next: null,
    });
    expect(dueRuns(daily, restrict('2025-01-01', true, '2025-01-02T12:00:00Z'), d('2025-02-01T00:00:00Z')).due).toHaveLength(2);
    expect(dueRuns(daily, restrict('2025-01-01', true, '2025-01-03T00:00:00Z'), d('2025-02-01T00:00:00Z')).due).toHaveLength(3);
    expect(nextDagRunInfo(daily, null, restrict('2025-01-01', false, '2025-01-10'), d('2025-02-01T00:00:00Z'))).toBeNull();
  });

  it('reads the cron expression in the DAG time zone, across a DST change', () => {
    const ny = parseSchedule('0 6 * * *', 'America/New_York');
    const { due } = dueRuns(ny, restrict('2025-03-08', true), d('2025-03-10T12:00:00Z'));
    // 06:00 EST is 11:00Z; New York moves to EDT on 2025-03-09, so 06:00 is 10:00Z from then on.
    expect(due.map((r) => iso(r.logicalDate))).toEqual(['2025-03-08T11:00:00.000Z', '2025-03-09T10:00:00.000Z', '2025-03-10T10:00:00.000Z']);
    const tokyo = parseSchedule('@daily', 'Asia/Tokyo');
    expect(iso(nextDagRunInfo(tokyo, null, restrict('2025-01-01', true), d('2025-01-05T00:00:00Z'))?.logicalDate)).toBe('2025-01-01T15:00:00.000Z');
  });

  it('fires on either day field when both day-of-month and day-of-week are set, as cron does', () => {
    const spec = parseSchedule('0 0 1 * 1');
    // 2025-01-01 is a Wednesday: the 1st fires, then the Mondays.
    const { due } = dueRuns(spec, restrict('2025-01-01', true), d('2025-01-14T00:00:00Z'));
    expect(due.map((r) => iso(r.logicalDate)?.slice(0, 10))).toEqual(['2025-01-01', '2025-01-06', '2025-01-13']);
  });

  it.each([
    ['@hourly', ['2025-01-01T00:00', '2025-01-01T01:00', '2025-01-01T02:00']],
    ['@weekly', ['2025-01-05T00:00', '2025-01-12T00:00', '2025-01-19T00:00']],
    ['@monthly', ['2025-01-01T00:00', '2025-02-01T00:00', '2025-03-01T00:00']],
    ['@quarterly', ['2025-01-01T00:00', '2025-04-01T00:00', '2025-07-01T00:00']],
    ['@yearly', ['2025-01-01T00:00', '2026-01-01T00:00', '2027-01-01T00:00']],
  ])('fires %s at Airflow\'s times', (preset, expected) => {
    const spec = parseSchedule(preset);
    let last: DataInterval | null = null;
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const info = nextDagRunInfo(spec, last, restrict('2025-01-01', true), d('2100-01-01T00:00:00Z'));
      got.push(iso(info?.logicalDate)?.slice(0, 16) ?? 'none');
      last = info?.dataInterval ?? null;
    }
    expect(got).toEqual(expected);
  });

  describe('without a start date (Airflow\'s first-run rule)', () => {
    it('takes the latest fire time when it is recent, else the next one', () => {
      // Daily: a tenth of the gap is 2.4 hours.
      expect(iso(nextDagRunInfo(daily, null, restrict(null, false), d('2025-01-03T02:00:00Z'))?.logicalDate)).toBe('2025-01-03T00:00:00.000Z');
      expect(iso(nextDagRunInfo(daily, null, restrict(null, false), d('2025-01-03T03:00:00Z'))?.logicalDate)).toBe('2025-01-04T00:00:00.000Z');
      expect(iso(nextDagRunInfo(daily, null, restrict(null, true), d('2025-01-03T03:00:00Z'))?.logicalDate)).toBe('2025-01-04T00:00:00.000Z');
      // Hourly: a tenth is 6 minutes, above the 5-minute floor.
      const hourly = parseSchedule('@hourly');
      expect(iso(nextDagRunInfo(hourly, null, restrict(null, true), d('2025-01-03T10:06:00Z'))?.logicalDate)).toBe('2025-01-03T10:00:00.000Z');
      expect(iso(nextDagRunInfo(hourly, null, restrict(null, true), d('2025-01-03T10:07:00Z'))?.logicalDate)).toBe('2025-01-03T11:00:00.000Z');
      // Every minute: the 5-minute floor wins.
      const minutely = parseSchedule('* * * * *');
      expect(iso(nextDagRunInfo(minutely, null, restrict(null, false), d('2025-01-03T10:00:30Z'))?.logicalDate)).toBe('2025-01-03T10:00:00.000Z');
    });
  });
});

describe('nextDagRunInfo with a duration schedule (DeltaDataIntervalTimetable)', () => {
  const daily = parseSchedule({ days: 1 });

  it('catches up interval by interval; a run covers its interval and is due when it ends', () => {
    const { due, next } = dueRuns(daily, restrict('2025-01-01', true), d('2025-01-04T12:00:00Z'));
    expect(due.map((r) => [iso(r.logicalDate), iso(r.dataInterval.start), iso(r.dataInterval.end), iso(r.runAfter)])).toEqual([
      ['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z', '2025-01-02T00:00:00.000Z'],
      ['2025-01-02T00:00:00.000Z', '2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z', '2025-01-03T00:00:00.000Z'],
      ['2025-01-03T00:00:00.000Z', '2025-01-03T00:00:00.000Z', '2025-01-04T00:00:00.000Z', '2025-01-04T00:00:00.000Z'],
    ]);
    expect(iso(next?.runAfter)).toBe('2025-01-05T00:00:00.000Z');
  });

  it('without catchup runs the last whole interval, aligned to the epoch as Airflow rounds now', () => {
    const { due } = dueRuns(daily, restrict('2025-01-01', false), d('2025-01-04T12:00:00Z'));
    expect(due.map((r) => [iso(r.dataInterval.start), iso(r.dataInterval.end)])).toEqual([['2025-01-03T00:00:00.000Z', '2025-01-04T00:00:00.000Z']]);
  });

  it('without catchup after a gap, resumes at the last whole interval', () => {
    const sixHours = parseSchedule('PT6H');
    const last = { start: d('2025-01-01T00:00:00Z'), end: d('2025-01-01T06:00:00Z') };
    const info = nextDagRunInfo(sixHours, last, restrict('2025-01-01', false), d('2025-01-02T13:00:00Z'));
    expect([iso(info?.dataInterval.start), iso(info?.dataInterval.end)]).toEqual(['2025-01-02T06:00:00.000Z', '2025-01-02T12:00:00.000Z']);
  });

  it('counts intervals from a start date that is not on the grid', () => {
    const { due } = dueRuns(daily, restrict('2025-01-01T06:00:00Z', true), d('2025-01-03T07:00:00Z'));
    expect(due.map((r) => iso(r.logicalDate))).toEqual(['2025-01-01T06:00:00.000Z', '2025-01-02T06:00:00.000Z']);
    const later = nextDagRunInfo(daily, null, restrict('2025-01-04T06:00:00Z', false), d('2025-01-04T12:00:00Z'));
    expect([iso(later?.dataInterval.start), iso(later?.runAfter)]).toEqual(['2025-01-04T06:00:00.000Z', '2025-01-05T06:00:00.000Z']);
  });

  it('stops at the end date', () => {
    const { due, next } = dueRuns(daily, restrict('2025-01-01', true, '2025-01-02T00:00:00Z'), d('2025-02-01T00:00:00Z'));
    expect(due.map((r) => iso(r.logicalDate))).toEqual(['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z']);
    expect(next).toBeNull();
  });

  it('has no run without a start date under catchup, and the last whole interval without catchup', () => {
    expect(nextDagRunInfo(daily, null, restrict(null, true), d('2025-01-04T12:00:00Z'))).toBeNull();
    expect(iso(nextDagRunInfo(daily, null, restrict(null, false), d('2025-01-04T12:00:00Z'))?.logicalDate)).toBe('2025-01-03T00:00:00.000Z');
  });
});

describe('nextDagRunInfo with @once and without a schedule', () => {
  it('@once runs once at the start date, catchup or not', () => {
    const once = parseSchedule('@once');
    for (const catchup of [true, false]) {
      const first = nextDagRunInfo(once, null, restrict('2025-01-01T08:00:00Z', catchup), d('2025-06-01T00:00:00Z'));
      expect(first).toEqual({ logicalDate: d('2025-01-01T08:00:00Z'), dataInterval: { start: d('2025-01-01T08:00:00Z'), end: d('2025-01-01T08:00:00Z') }, runAfter: d('2025-01-01T08:00:00Z') });
      expect(nextDagRunInfo(once, first?.dataInterval ?? null, restrict('2025-01-01T08:00:00Z', catchup), d('2025-06-01T00:00:00Z'))).toBeNull();
    }
    expect(nextDagRunInfo(once, null, restrict(null, true), d('2025-06-01T00:00:00Z'))).toBeNull();
    expect(nextDagRunInfo(once, null, restrict('2025-01-02', true, '2025-01-01'), d('2025-06-01T00:00:00Z'))).toBeNull();
  });

  it('a DAG without a schedule never runs by itself', () => {
    expect(nextDagRunInfo({ kind: 'none' }, null, restrict('2025-01-01', true), d('2025-06-01T00:00:00Z'))).toBeNull();
  });
});

describe('manualDataInterval', () => {
  const at = d('2025-01-10T15:00:00Z');
  it('is empty for cron, @once and manual-only DAGs', () => {
    for (const spec of [parseSchedule('@daily'), parseSchedule('@once'), parseSchedule(null)]) expect(manualDataInterval(spec, at)).toEqual({ start: at, end: at });
  });
  it('is one interval ending at the logical date for durations', () => {
    expect(manualDataInterval(parseSchedule('PT6H'), at)).toEqual({ start: d('2025-01-10T09:00:00Z'), end: at });
  });
});
