import type { Selectable } from 'kysely';
import { toDate } from '../codec.js';
import { bool, time, type StoreContext } from '../context.js';
import type { ImportErrorTable } from '../schema.js';
import type { ImportErrorOrderField, ImportErrorQuery, Paged, ParseImportError, ParseImportErrorInput } from '../types.js';
import { nonEmptyString, oneOf, page, string, validDate } from '../validate.js';
import { orderBy, pageAndTotal } from './order.js';

const ORDER_COLUMNS: Record<ImportErrorOrderField, string> = { id: 'id', filename: 'filename', timestamp: 'timestamp' };

function toImportError(row: Selectable<ImportErrorTable>): ParseImportError {
  return { id: row.id, filename: row.filename, stackTrace: row.stack_trace, timestamp: toDate(row.timestamp) };
}

export async function replaceImportErrors(
  ctx: StoreContext,
  filename: string,
  errors: readonly ParseImportErrorInput[],
): Promise<void> {
  nonEmptyString(filename, 'filename');
  const rows = errors.map((e, i) => ({
    filename,
    stack_trace: string(e.stackTrace, `errors[${i}].stackTrace`),
    timestamp: time(ctx, e.timestamp ? validDate(e.timestamp, `errors[${i}].timestamp`) : ctx.now()),
  }));
  await ctx.atomic(async (db) => {
    await db.deleteFrom('import_error').where('filename', '=', filename).execute();
    if (rows.length > 0) await db.insertInto('import_error').values(rows).execute();
    await db
      .updateTable('dag')
      .set({ has_import_errors: bool(ctx, rows.length > 0) })
      .where('fileloc', '=', filename)
      .execute();
  });
}

export async function listImportErrors(ctx: StoreContext, query: ImportErrorQuery = {}): Promise<Paged<ParseImportError>> {
  const { limit, offset } = page(query);
  const field = oneOf(query.orderBy, Object.keys(ORDER_COLUMNS) as ImportErrorOrderField[], 'orderBy', 'id');
  const direction = oneOf(query.direction, ['asc', 'desc'], 'direction', 'asc');
  let base = ctx.db.selectFrom('import_error');
  if (query.filename !== undefined) base = base.where('filename', '=', query.filename);
  let rowsQuery = orderBy(base.selectAll(), ORDER_COLUMNS[field], direction, false);
  if (field !== 'id') rowsQuery = rowsQuery.orderBy('id', direction);
  const { rows, total } = await pageAndTotal(rowsQuery, base, limit, offset);
  return { items: rows.map(toImportError), total };
}
