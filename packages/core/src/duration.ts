import { InvalidArgumentError } from './errors.js';

/**
 * A length of time, Airflow's `timedelta`. Written as an object (`{ minutes: 10 }`), a number of seconds
 * (Airflow accepts `retry_delay=600`), or a string: ISO 8601 (`'PT10M'`, `'P1D'`) or shorthand (`'10m'`,
 * `'1h30m'`, `'2d'`, `'500ms'`).
 */
export type Duration = number | string | DurationObject;

/** The fields of a duration object; they add up. */
export interface DurationObject {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

const MS = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
} as const satisfies Record<keyof DurationObject, number>;

const SHORTHAND = /^(?:(\d+(?:\.\d+)?)(w|d|h|m|s|ms))+$/;
const SHORTHAND_PART = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g;
const SHORTHAND_UNIT: Record<string, number> = { w: MS.weeks, d: MS.days, h: MS.hours, m: MS.minutes, s: MS.seconds, ms: 1 };
const ISO = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** True when `value` looks like a duration (used to tell a duration schedule from a cron string). */
export function isDurationLike(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  if (typeof value === 'string') {
    const v = value.trim();
    return SHORTHAND.test(v) || (ISO.test(v) && v !== 'P' && !v.endsWith('T'));
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Converts a {@link Duration} to milliseconds.
 * @param field - named in the error, e.g. `defaultArgs.retryDelay`.
 * @throws InvalidArgumentError when the value is not a non-negative duration.
 */
export function toMilliseconds(value: Duration, field = 'duration', dagId?: string): number {
  const fail = (): never => {
    throw new InvalidArgumentError(dagId, field, "a duration such as { minutes: 10 }, 600 (seconds), '10m' or 'PT10M'", value);
  };
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) fail();
    return value * 1000;
  }
  if (typeof value === 'string') {
    const v = value.trim();
    if (SHORTHAND.test(v)) {
      let total = 0;
      for (const m of v.matchAll(SHORTHAND_PART)) total += Number(m[1]) * (SHORTHAND_UNIT[m[2] ?? ''] ?? 0);
      return total;
    }
    const iso = ISO.exec(v);
    if (iso && v !== 'P' && !v.endsWith('T')) {
      const [, w, d, h, m, s] = iso;
      return (
        Number(w ?? 0) * MS.weeks +
        Number(d ?? 0) * MS.days +
        Number(h ?? 0) * MS.hours +
        Number(m ?? 0) * MS.minutes +
        Number(s ?? 0) * MS.seconds
      );
    }
    return fail();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail();
  let total = 0;
  for (const [key, amount] of Object.entries(value)) {
    if (amount === undefined) continue;
    const unit = (MS as Record<string, number>)[key];
    if (unit === undefined || typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
      throw new InvalidArgumentError(dagId, `${field}.${key}`, `one of ${Object.keys(MS).join(', ')} with a non-negative number`, amount);
    }
    total += amount * unit;
  }
  return total;
}

/** Formats milliseconds for people: `10m`, `1h 30m`, `2.5s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(' ');
}
