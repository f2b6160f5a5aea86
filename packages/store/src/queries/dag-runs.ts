import type { Insertable, Selectable, Updateable } from 'kysely';
import { parseJson, toDate, toDateOrNull, toNumber } from '../codec.js';
import { time, timeOrNull, type StoreContext } from '../context.js';
import { constraintViolation } from '../driver-errors.js';
import { DagRunExistsError, NotFoundError, StoreError, StoreInputError } from '../errors.js';
import type { DagRunTable } from '../schema.js';
import { DagRunState, isDagRunState } from '../states.js';
import {
  DagRunType,
  type ActiveRunCounts,
  type DagRun,
  type DagRunCreate,
  type DagRunOrderField,
  type DagRunQuery,
  type DagRunStateUpdate,
  type JsonObject,
  type Paged,
} from '../types.js';
import { dateOrNull, jsonText, nonEmptyString, oneOf, page, validDate } from '../validate.js';
import { orderBy, pageAndTotal } from './order.js';
import { QueryTemplate } from '../templates.js';

const ORDER_COLUMNS: Record<DagRunOrderField, [column: string, nullable: boolean]> = {
  id: ['id', false],
  runId: ['run_id', false],
  runAfter: ['run_after', false],
  logicalDate: ['logical_date', true],
  startDate: ['start_date', true],
  endDate: ['end_date', true],
  state: ['state', false],
};

export function toDagRun(row: Selectable<DagRunTable>): DagRun {
  const startDate = toDateOrNull(row.start_date);
  const endDate = toDateOrNull(row.end_date);
  return {
    id: toNumber(row.id),
    dagId: row.dag_id,
    runId: row.run_id,
    logicalDate: toDateOrNull(row.logical_date),
    runAfter: toDate(row.run_after),
    dataIntervalStart: toDateOrNull(row.data_interval_start),
    dataIntervalEnd: toDateOrNull(row.data_interval_end),
    runType: row.run_type as DagRunType,
    state: row.state as DagRunState,
    queuedAt: toDateOrNull(row.queued_at),
    startDate,
    endDate,
    duration: startDate && endDate ? (endDate.getTime() - startDate.getTime()) / 1000 : null,
    lastSchedulingDecision: toDateOrNull(row.last_scheduling_decision),
    conf: parseJson(row.conf, `dag_run ${row.dag_id}/${row.run_id} conf`) as JsonObject,
    note: row.note,
    triggeredBy: row.triggered_by,
    updatedAt: toDate(row.updated_at),
  };
}

function checkState(state: unknown, field: string): DagRunState {
  if (!isDagRunState(state)) throw new StoreInputError(field, `one of ${Object.values(DagRunState).join(', ')}`, state);
  return state;
}

/** The columns a new run is inserted with, in the order of {@link INSERT_RUN}'s arguments. */
const RUN_COLUMNS = [
  'dag_id',
  'run_id',
  'logical_date',
  'run_after',
  'data_interval_start',
  'data_interval_end',
  'run_type',
  'state',
  'queued_at',
  'start_date',
  'conf',
  'note',
  'triggered_by',
  'updated_at',
] as const;

/** A run's insert, compiled once: every trigger and every scheduled run is one. */
const INSERT_RUN = new QueryTemplate<unknown[], Selectable<DagRunTable>>((db, args) =>
  db
    .insertInto('dag_run')
    .values(Object.fromEntries(RUN_COLUMNS.map((c, i) => [c, args[i]])) as Insertable<DagRunTable>)
    .returningAll(),
);

export async function createDagRun(ctx: StoreContext, input: DagRunCreate): Promise<DagRun> {
  const dagId = nonEmptyString(input.dagId, 'dagRun.dagId');
  const runId = nonEmptyString(input.runId, 'dagRun.runId');
  const state = input.state === undefined ? DagRunState.QUEUED : checkState(input.state, 'dagRun.state');
  const runTypes: readonly string[] = Object.values(DagRunType);
  if (!runTypes.includes(input.runType)) throw new StoreInputError('dagRun.runType', `one of ${runTypes.join(', ')}`, input.runType);
  const conf = input.conf ?? {};
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) {
    throw new StoreInputError('dagRun.conf', 'a JSON object', conf);
  }
  const logicalDate = dateOrNull(input.logicalDate, 'dagRun.logicalDate');
  const now = ctx.now();
  const queuedAt = input.queuedAt !== undefined ? input.queuedAt : state === DagRunState.QUEUED ? now : null;
  try {
    const values = {
      dag_id: dagId,
      run_id: runId,
      logical_date: timeOrNull(ctx, logicalDate),
      run_after: time(ctx, validDate(input.runAfter, 'dagRun.runAfter')),
      data_interval_start: timeOrNull(ctx, dateOrNull(input.dataIntervalStart, 'dagRun.dataIntervalStart')),
      data_interval_end: timeOrNull(ctx, dateOrNull(input.dataIntervalEnd, 'dagRun.dataIntervalEnd')),
      run_type: input.runType,
      state,
      queued_at: timeOrNull(ctx, dateOrNull(queuedAt, 'dagRun.queuedAt')),
      start_date: timeOrNull(ctx, dateOrNull(input.startDate, 'dagRun.startDate')),
      conf: jsonText(conf, 'dagRun.conf'),
      note: input.note ?? null,
      triggered_by: input.triggeredBy ?? null,
      updated_at: time(ctx, now),
    };
    const [row] = (await INSERT_RUN.execute(ctx.db, ctx.dialect, RUN_COLUMNS.map((c) => values[c]))).rows;
    if (!row) throw new StoreError(`dag_run ${dagId}/${runId}: the insert returned no row`);
    return toDagRun(row);
  } catch (error) {
    const violation = constraintViolation(error);
    if (violation === 'foreignKey') throw new NotFoundError('dag', dagId, { cause: error });
    if (violation !== 'unique') throw error;
    // Which key clashed: asking again is portable, unlike the drivers' constraint reporting.
    const sameRunId = await getDagRunRow(ctx, dagId, runId);
    throw new DagRunExistsError(dagId, runId, logicalDate, sameRunId ? 'runId' : 'logicalDate', { cause: error });
  }
}

/** A run by its key, read for every run a scheduler or the UI looks at: compiled once. */
const BY_KEY = new QueryTemplate<[dagId: string, runId: string], Selectable<DagRunTable>>((db, [dagId, runId]) =>
  db.selectFrom('dag_run').selectAll().where('dag_id', '=', dagId).where('run_id', '=', runId),
);

async function getDagRunRow(ctx: StoreContext, dagId: string, runId: string): Promise<Selectable<DagRunTable> | undefined> {
  return (await BY_KEY.execute(ctx.db, ctx.dialect, [dagId, runId])).rows[0];
}

export async function getDagRun(ctx: StoreContext, dagId: string, runId: string): Promise<DagRun | null> {
  const row = await getDagRunRow(ctx, dagId, runId);
  return row ? toDagRun(row) : null;
}

export async function listDagRuns(ctx: StoreContext, query: DagRunQuery = {}): Promise<Paged<DagRun>> {
  const { limit, offset } = page(query);
  const field = oneOf(query.orderBy, Object.keys(ORDER_COLUMNS) as DagRunOrderField[], 'orderBy', 'id');
  const direction = oneOf(query.direction, ['asc', 'desc'], 'direction', 'asc');
  let base = ctx.db.selectFrom('dag_run');
  if (query.dagIds) base = query.dagIds.length ? base.where('dag_id', 'in', query.dagIds) : base.where((eb) => eb.lit(false));
  if (query.states) base = query.states.length ? base.where('state', 'in', query.states) : base.where((eb) => eb.lit(false));
  if (query.runTypes) {
    base = query.runTypes.length ? base.where('run_type', 'in', query.runTypes) : base.where((eb) => eb.lit(false));
  }
  const ranges = [
    ['run_after', '>=', query.runAfterGte, 'runAfterGte'],
    ['run_after', '<=', query.runAfterLte, 'runAfterLte'],
    ['logical_date', '>=', query.logicalDateGte, 'logicalDateGte'],
    ['logical_date', '<=', query.logicalDateLte, 'logicalDateLte'],
    ['start_date', '>=', query.startDateGte, 'startDateGte'],
    ['start_date', '<=', query.startDateLte, 'startDateLte'],
    ['end_date', '>=', query.endDateGte, 'endDateGte'],
    ['end_date', '<=', query.endDateLte, 'endDateLte'],
  ] as const;
  for (const [column, op, value, name] of ranges) {
    if (value !== undefined) base = base.where(column, op, time(ctx, validDate(value, name)));
  }
  const [column, nullable] = ORDER_COLUMNS[field];
  let rowsQuery = orderBy(base.selectAll(), column, direction, nullable);
  if (field !== 'id') rowsQuery = rowsQuery.orderBy('id', direction);
  const { rows, total } = await pageAndTotal(rowsQuery, base, limit, offset);
  return { items: rows.map(toDagRun), total };
}

/**
 * A run's state update, compiled once per shape (the columns it sets, how many states it expects, null for any): the
 * scheduler starts and ends every run with one. Arguments: the values of `columns`, the DAG id, the run id, then
 * the expected states.
 */
const STATE_UPDATE = new QueryTemplate<unknown[], never, { columns: string[]; expected: number | null }>((db, args, _dialect, { columns, expected }) => {
  const n = columns.length;
  let query = db
    .updateTable('dag_run')
    .set(Object.fromEntries(columns.map((c, i) => [c, args[i]])) as Updateable<DagRunTable>)
    .where('dag_id', '=', args[n] as string)
    .where('run_id', '=', args[n + 1] as string);
  if (expected !== null) query = query.where('state', 'in', args.slice(n + 2, n + 2 + expected) as DagRunState[]);
  return query;
});

export async function updateDagRunState(
  ctx: StoreContext,
  dagId: string,
  runId: string,
  update: DagRunStateUpdate,
): Promise<boolean> {
  const state = checkState(update.state, 'update.state');
  update.from?.forEach((s, i) => checkState(s, `update.from[${i}]`));
  if (update.from?.length === 0) return false;
  const values: Record<string, unknown> = {
    state,
    updated_at: time(ctx, ctx.now()),
    ...(update.startDate !== undefined && { start_date: timeOrNull(ctx, dateOrNull(update.startDate, 'update.startDate')) }),
    ...(update.endDate !== undefined && { end_date: timeOrNull(ctx, dateOrNull(update.endDate, 'update.endDate')) }),
    ...(update.lastSchedulingDecision !== undefined && {
      last_scheduling_decision: timeOrNull(ctx, dateOrNull(update.lastSchedulingDecision, 'update.lastSchedulingDecision')),
    }),
    ...(update.note !== undefined && { note: update.note }),
  };
  const from = update.from ?? [];
  const args = [...Object.values(values), dagId, runId, ...from];
  const result = await STATE_UPDATE.execute(ctx.db, ctx.dialect, args, { columns: Object.keys(values), expected: update.from === undefined ? null : from.length });
  return (result.numAffectedRows ?? 0n) > 0n;
}

export async function deleteDagRun(ctx: StoreContext, dagId: string, runId: string): Promise<boolean> {
  const result = await ctx.db.deleteFrom('dag_run').where('dag_id', '=', dagId).where('run_id', '=', runId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function countActiveRuns(ctx: StoreContext, dagId: string): Promise<ActiveRunCounts> {
  const rows = await ctx.db
    .selectFrom('dag_run')
    .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('dag_id', '=', dagId)
    .where('state', 'in', [DagRunState.QUEUED, DagRunState.RUNNING])
    .groupBy('state')
    .execute();
  const counts: ActiveRunCounts = { queued: 0, running: 0 };
  for (const row of rows) counts[row.state as keyof ActiveRunCounts] = toNumber(row.n);
  return counts;
}

export async function latestDagRuns(ctx: StoreContext, dagIds?: readonly string[]): Promise<DagRun[]> {
  if (dagIds?.length === 0) return [];
  let ranked = ctx.db
    .selectFrom('dag_run')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<number>('row_number')
        .over((ob) => ob.partitionBy('dag_id').orderBy('run_after', 'desc').orderBy('id', 'desc'))
        .as('rn'),
    );
  if (dagIds) ranked = ranked.where('dag_id', 'in', dagIds);
  const rows = await ctx.db.selectFrom(ranked.as('r')).selectAll().where('rn', '=', 1).orderBy('dag_id').execute();
  return rows.map(toDagRun);
}
