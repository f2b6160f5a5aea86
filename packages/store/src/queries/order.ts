import { sql, type SelectQueryBuilder } from 'kysely';
import type { SortDirection } from '../types.js';

/**
 * Orders by `column` with NULLs as the largest value (PostgreSQL's default; SQLite's is the opposite),
 * so both databases page identically.
 */
export function orderBy<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  column: string,
  direction: SortDirection,
  nullable = true,
): SelectQueryBuilder<DB, TB, O> {
  const ref = sql.ref(column);
  const withNulls = nullable ? qb.orderBy(sql`(${ref} is null)`, direction) : qb;
  return withNulls.orderBy(ref, direction);
}

/** Applies limit and offset when given. */
export function paginate<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  limit: number | undefined,
  offset: number,
): SelectQueryBuilder<DB, TB, O> {
  if (limit === undefined && offset === 0) return qb;
  // SQLite takes OFFSET only after a LIMIT, so "no limit" becomes a limit no table reaches.
  const limited = qb.limit(limit ?? Number.MAX_SAFE_INTEGER);
  return offset === 0 ? limited : limited.offset(offset);
}
