/** Input checks shared by the query modules (internal); each throws a `StoreInputError` naming the field. */
import { StoreInputError } from './errors.js';
import type { JsonValue, ListOptions } from './types.js';

export function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new StoreInputError(field, 'a non-empty string', value);
  return value;
}

export function integer(value: unknown, field: string, min = Number.MIN_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new StoreInputError(field, min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : 'an integer', value);
  }
  return value;
}

export function validDate(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new StoreInputError(field, 'a valid Date', value);
  // Four-digit years keep SQLite's ISO text in time order.
  const year = value.getUTCFullYear();
  if (year < 0 || year > 9999) throw new StoreInputError(field, 'a Date between years 0 and 9999', value);
  return value;
}

export function dateOrNull(value: Date | null | undefined, field: string): Date | null {
  return value == null ? null : validDate(value, field);
}

/** Checks limit and offset and returns them with offset defaulted. */
export function page(options: ListOptions<string>): { limit: number | undefined; offset: number } {
  const limit = options.limit === undefined ? undefined : integer(options.limit, 'limit', 0);
  const offset = options.offset === undefined ? 0 : integer(options.offset, 'offset', 0);
  return { limit, offset };
}

/** One of `allowed`, or the fallback when absent. */
export function oneOf<T extends string>(value: T | undefined, allowed: readonly T[], field: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new StoreInputError(field, `one of ${allowed.join(', ')}`, value);
  return value;
}

/** JSON text of a value, after checking it is plain JSON (JSON.stringify would drop or mangle the rest). */
export function jsonText(value: unknown, field: string): string {
  checkJson(value, field, new Set());
  return JSON.stringify(value);
}

function checkJson(value: unknown, path: string, seen: Set<object>): asserts value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new StoreInputError(path, 'a finite number (JSON has no NaN or Infinity)', value);
    return;
  }
  if (typeof value !== 'object') throw new StoreInputError(path, 'a JSON value', value);
  if (seen.has(value)) throw new StoreInputError(path, 'a JSON value without cycles');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${path}[${i}]`, seen));
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new StoreInputError(path, 'a plain object, array or primitive', value);
    }
    for (const [k, v] of Object.entries(value)) checkJson(v, `${path}.${k}`, seen);
  }
  seen.delete(value);
}

export function string(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new StoreInputError(field, 'a string', value);
  return value;
}
