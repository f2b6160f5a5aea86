/** Decoding of column values read back from either database (internal). */
import { StoreError } from './errors.js';
import type { JsonValue } from './types.js';

/** A time column: a Date from PostgreSQL, ISO text from SQLite. */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A nullable time column. */
export function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}

/** A boolean column: a boolean from PostgreSQL, 0/1 from SQLite. */
export function toBool(value: boolean | number): boolean {
  return value === true || value === 1;
}

/** A count or id that PostgreSQL may return as a string (bigint). */
export function toNumber(value: number | string | bigint): number {
  return Number(value);
}

/** A JSON column, stored as JSON text in both databases. */
export function parseJson(text: string, where: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new StoreError(`${where}: stored JSON is corrupt`, { cause });
  }
}
