import type { Selectable } from 'kysely';
import { parseJson, toDate } from '../codec.js';
import { time, type StoreContext } from '../context.js';
import { XComTooLargeError } from '../errors.js';
import type { XComTable } from '../schema.js';
import type { JsonValue, Paged, SetXComOptions, TaskInstanceKey, XCom, XComKey, XComOrderField, XComQuery } from '../types.js';
import { integer, jsonText, nonEmptyString, oneOf, page } from '../validate.js';
import { orderBy, pageAndTotal } from './order.js';
import { rethrowMissingParent } from './parents.js';
import { fullKey } from './ti-codec.js';
import { QueryTemplate } from '../templates.js';

const ORDER_COLUMNS: Record<XComOrderField, string> = {
  taskId: 'task_id',
  key: 'key',
  timestamp: 'timestamp',
  mapIndex: 'map_index',
};

function toXCom(row: Selectable<XComTable>): XCom {
  return {
    dagId: row.dag_id,
    runId: row.run_id,
    taskId: row.task_id,
    mapIndex: row.map_index,
    key: row.key,
    value: parseJson(row.value, `xcom ${row.dag_id}/${row.run_id}/${row.task_id}/${row.key}`),
    timestamp: toDate(row.timestamp),
  };
}

function xcomKey(key: XComKey) {
  return { ...fullKey(key), key: nonEmptyString(key.key, 'key.key') };
}

export async function setXcom(ctx: StoreContext, key: XComKey, value: JsonValue, options: SetXComOptions = {}): Promise<void> {
  const k = xcomKey(key);
  const limit = options.sizeLimitBytes === undefined ? ctx.xcomSizeLimitBytes : integer(options.sizeLimitBytes, 'sizeLimitBytes', 0);
  const text = jsonText(value, 'value');
  const size = Buffer.byteLength(text, 'utf8');
  if (size > limit) throw new XComTooLargeError(k.dagId, k.runId, k.taskId, k.key, size, limit);
  const timestamp = time(ctx, ctx.now());
  await ctx.db
    .insertInto('xcom')
    .values({ dag_id: k.dagId, run_id: k.runId, task_id: k.taskId, map_index: k.mapIndex, key: k.key, value: text, timestamp })
    .onConflict((oc) => oc.columns(['dag_id', 'run_id', 'task_id', 'map_index', 'key']).doUpdateSet({ value: text, timestamp }))
    .execute()
    .catch(rethrowMissingParent('dagRun', `${k.dagId}/${k.runId}`));
}

export async function getXcom(ctx: StoreContext, key: XComKey): Promise<XCom | null> {
  const k = xcomKey(key);
  const row = await ctx.db
    .selectFrom('xcom')
    .selectAll()
    .where('dag_id', '=', k.dagId)
    .where('run_id', '=', k.runId)
    .where('task_id', '=', k.taskId)
    .where('map_index', '=', k.mapIndex)
    .where('key', '=', k.key)
    .executeTakeFirst();
  return row ? toXCom(row) : null;
}

export async function listXcoms(ctx: StoreContext, query: XComQuery = {}): Promise<Paged<XCom>> {
  const { limit, offset } = page(query);
  const direction = oneOf(query.direction, ['asc', 'desc'], 'direction', 'asc');
  let base = ctx.db.selectFrom('xcom');
  if (query.dagId !== undefined) base = base.where('dag_id', '=', query.dagId);
  if (query.runId !== undefined) base = base.where('run_id', '=', query.runId);
  if (query.taskIds) base = query.taskIds.length ? base.where('task_id', 'in', query.taskIds) : base.where((eb) => eb.lit(false));
  if (query.keys) base = query.keys.length ? base.where('key', 'in', query.keys) : base.where((eb) => eb.lit(false));
  if (query.mapIndex !== undefined) base = base.where('map_index', '=', integer(query.mapIndex, 'mapIndex', -1));
  let rowsQuery = base.selectAll();
  if (query.orderBy !== undefined) {
    const field = oneOf(query.orderBy, Object.keys(ORDER_COLUMNS) as XComOrderField[], 'orderBy', 'key');
    rowsQuery = orderBy(rowsQuery, ORDER_COLUMNS[field], direction, false);
  }
  rowsQuery = rowsQuery
    .orderBy('dag_id', direction)
    .orderBy('run_id', direction)
    .orderBy('task_id', direction)
    .orderBy('map_index', direction)
    .orderBy('key', direction);
  const { rows, total } = await pageAndTotal(rowsQuery, base, limit, offset);
  return { items: rows.map(toXCom), total };
}

/** Every try starts with one (its earlier XComs go): compiled once. */
const CLEAR = new QueryTemplate<[dagId: string, runId: string, taskId: string, mapIndex: number], never>((db, [dagId, runId, taskId, mapIndex]) =>
  db.deleteFrom('xcom').where('dag_id', '=', dagId).where('run_id', '=', runId).where('task_id', '=', taskId).where('map_index', '=', mapIndex),
);

export async function clearXcoms(ctx: StoreContext, key: TaskInstanceKey): Promise<number> {
  const k = fullKey(key);
  const result = await CLEAR.execute(ctx.db, ctx.dialect, [k.dagId, k.runId, k.taskId, k.mapIndex]);
  return Number(result.numAffectedRows ?? 0n);
}
