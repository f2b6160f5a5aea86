import { sql, type SelectQueryBuilder } from 'kysely';
import { toNumber } from '../codec.js';
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

/**
 * A page of `rows` (limit and offset applied) and the number of rows of the whole list `base` selects. A whole list
 * (no limit, no offset) counts its own rows, without a second query: the scheduler reads whole lists at every pass.
 */
export async function pageAndTotal<DB, TB extends keyof DB, O>(
  rows: SelectQueryBuilder<DB, TB, O>,
  base: SelectQueryBuilder<DB, TB, object>,
  limit: number | undefined,
  offset: number,
): Promise<{ rows: O[]; total: number }> {
  if (limit === undefined && offset === 0) {
    const all = await rows.execute();
    return { rows: all, total: all.length };
  }
  const [page, counted] = await Promise.all([
    paginate(rows, limit, offset).execute(),
    // Kysely cannot name the selection of a generic builder; it is the one column selected here.
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow() as Promise<{ n: number | string }>,
  ]);
  return { rows: page, total: toNumber(counted.n) };
}
