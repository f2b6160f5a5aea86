import type { Selectable } from 'kysely';
import { toDate, toDateOrNull, toNumber } from '../codec.js';
import { time, timeOrNull, type StoreContext } from '../context.js';
import type { LogTable } from '../schema.js';
import type { AuditEvent, AuditEventInput, AuditEventOrderField, AuditEventQuery, Paged } from '../types.js';
import { dateOrNull, integer, nonEmptyString, oneOf, page, validDate } from '../validate.js';
import { orderBy, pageAndTotal } from './order.js';

const ORDER_COLUMNS: Record<AuditEventOrderField, [column: string, nullable: boolean]> = {
  id: ['id', false],
  dttm: ['dttm', false],
  event: ['event', false],
  owner: ['owner', true],
  dagId: ['dag_id', true],
};

function toEvent(row: Selectable<LogTable>): AuditEvent {
  return {
    id: toNumber(row.id),
    dttm: toDate(row.dttm),
    event: row.event,
    owner: row.owner,
    dagId: row.dag_id,
    taskId: row.task_id,
    runId: row.run_id,
    mapIndex: row.map_index,
    tryNumber: row.try_number,
    logicalDate: toDateOrNull(row.logical_date),
    extra: row.extra,
  };
}

const optionalInt = (value: number | null | undefined, field: string) => (value == null ? null : integer(value, field, -1));

export async function addEvent(ctx: StoreContext, input: AuditEventInput): Promise<AuditEvent> {
  const row = await ctx.db
    .insertInto('log')
    .values({
      dttm: time(ctx, input.dttm ? validDate(input.dttm, 'event.dttm') : ctx.now()),
      event: nonEmptyString(input.event, 'event.event'),
      owner: input.owner ?? null,
      dag_id: input.dagId ?? null,
      task_id: input.taskId ?? null,
      run_id: input.runId ?? null,
      map_index: optionalInt(input.mapIndex, 'event.mapIndex'),
      try_number: optionalInt(input.tryNumber, 'event.tryNumber'),
      logical_date: timeOrNull(ctx, dateOrNull(input.logicalDate, 'event.logicalDate')),
      extra: input.extra ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

export async function listEvents(ctx: StoreContext, query: AuditEventQuery = {}): Promise<Paged<AuditEvent>> {
  const { limit, offset } = page(query);
  const field = oneOf(query.orderBy, Object.keys(ORDER_COLUMNS) as AuditEventOrderField[], 'orderBy', 'id');
  const direction = oneOf(query.direction, ['asc', 'desc'], 'direction', 'asc');
  let base = ctx.db.selectFrom('log');
  if (query.dagId !== undefined) base = base.where('dag_id', '=', query.dagId);
  if (query.taskId !== undefined) base = base.where('task_id', '=', query.taskId);
  if (query.runId !== undefined) base = base.where('run_id', '=', query.runId);
  if (query.owner !== undefined) base = base.where('owner', '=', query.owner);
  if (query.events) base = query.events.length ? base.where('event', 'in', query.events) : base.where((eb) => eb.lit(false));
  if (query.excludedEvents?.length) base = base.where('event', 'not in', query.excludedEvents);
  if (query.after) base = base.where('dttm', '>=', time(ctx, validDate(query.after, 'after')));
  if (query.before) base = base.where('dttm', '<=', time(ctx, validDate(query.before, 'before')));
  const [column, nullable] = ORDER_COLUMNS[field];
  let rowsQuery = orderBy(base.selectAll(), column, direction, nullable);
  if (field !== 'id') rowsQuery = rowsQuery.orderBy('id', direction);
  const { rows, total } = await pageAndTotal(rowsQuery, base, limit, offset);
  return { items: rows.map(toEvent), total };
}
