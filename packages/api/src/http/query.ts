import type { SortDirection } from '@updraft/store';
import { ValidationHttpError } from '../errors.js';

/** `limit` and `offset` query parameters, as Airflow's. */
export const PAGE_PARAMS = {
  limit: { type: 'integer', minimum: 0, default: 50 },
  offset: { type: 'integer', minimum: 0, default: 0 },
} as const;

/** An `order_by` query parameter; values are field names, `-` first for descending. */
export const ORDER_BY_PARAM = { type: 'array', items: { type: 'string' } } as const;

/** Pagination query, as validated. */
export interface PageQuery {
  limit: number;
  offset: number;
  order_by?: string[] | string;
}

/** `limit` capped to the server's maximum page, as Airflow's `maximum_page_limit`. */
export function page(query: PageQuery, maximum: number): { limit: number; offset: number } {
  return { limit: Math.min(query.limit, maximum), offset: query.offset };
}

/**
 * Parses `order_by` against the fields a listing supports (API name to store field). The store sorts on one
 * field (ties by key), so one attribute is accepted.
 */
export function orderBy<F extends string>(
  value: string[] | string | undefined,
  fields: Record<string, F>,
  fallback: F,
): { orderBy: F; direction: SortDirection } {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (list.length === 0) return { orderBy: fallback, direction: 'asc' };
  if (list.length > 1) {
    throw new ValidationHttpError([{ type: 'value_error', loc: ['query', 'order_by'], msg: 'Sorting on more than one attribute is not supported', input: list.join(',') }]);
  }
  const raw = list[0] as string;
  const desc = raw.startsWith('-');
  const name = desc ? raw.slice(1) : raw;
  const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (field === undefined) {
    throw new ValidationHttpError([
      { type: 'value_error', loc: ['query', 'order_by'], msg: `Ordering with '${name}' is disallowed or the attribute does not exist; use one of ${Object.keys(fields).join(', ')}`, input: raw },
    ]);
  }
  return { orderBy: field, direction: desc ? 'desc' : 'asc' };
}

/** A `date-time` query parameter (already format-checked) as a Date. */
export function dateParam(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

/** A date-time query parameter's schema. */
export const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/**
 * A test for Airflow's `*_pattern` parameters: a SQL LIKE expression (`%` any text, `_` one character),
 * case-insensitive, and `|` between alternatives (`dag1 | dag2`).
 */
export function likeMatcher(pattern: string): (value: string) => boolean {
  const alternatives = pattern
    .split('|')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => p.replace(/[.*+?^${}()[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.'));
  if (alternatives.length === 0) return () => true;
  const re = new RegExp(`^(?:${alternatives.join('|')})$`, 'is');
  return (value) => re.test(value);
}
