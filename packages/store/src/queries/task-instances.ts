import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Insertable, Kysely, QueryCreator } from 'kysely';
import { toNumber } from '../codec.js';
import { time, timeOrNull, type StoreContext } from '../context.js';
import { constraintViolation } from '../driver-errors.js';
import { NotFoundError } from '../errors.js';
import { QueryTemplate } from '../templates.js';
import type { Database, TaskInstanceTable } from '../schema.js';
import { TaskInstanceState } from '../states.js';
import type {
  Paged,
  TaskInstance,
  TaskInstanceCreate,
  TaskInstanceKey,
  TaskInstanceOrderField,
  TaskInstanceQuery,
  TaskInstanceTransition,
  ZombieQuery,
} from '../types.js';
import { dateOrNull, integer, nonEmptyString, oneOf, page, validDate } from '../validate.js';
import { orderBy, pageAndTotal, paginate } from './order.js';
import { checkTiState, fullKey, patchColumns, toTaskInstance, type FullKey } from './ti-codec.js';

/** Rows per INSERT: far below both databases' bind-parameter limits (22 columns a row). */
const INSERT_CHUNK = 500;

const ORDER_COLUMNS: Record<TaskInstanceOrderField, [column: string, nullable: boolean]> = {
  taskId: ['task_id', false],
  mapIndex: ['map_index', false],
  state: ['state', true],
  startDate: ['start_date', true],
  endDate: ['end_date', true],
  duration: ['duration', true],
  priorityWeight: ['priority_weight', false],
  updatedAt: ['updated_at', false],
};

/** Matches one task instance by its composite key. */
export function byKey(key: FullKey) {
  return (eb: ExpressionBuilder<Database, 'task_instance'>) =>
    eb.and([
      eb('task_instance.dag_id', '=', key.dagId),
      eb('task_instance.run_id', '=', key.runId),
      eb('task_instance.task_id', '=', key.taskId),
      eb('task_instance.map_index', '=', key.mapIndex),
    ]);
}

/** Matches states, where null stands for "no state" (SQL needs IS NULL for it). */
function stateIn(states: readonly (TaskInstanceState | null)[]) {
  const named = states.filter((s): s is TaskInstanceState => s !== null);
  return (eb: ExpressionBuilder<Database, 'task_instance'>) =>
    eb.or([
      ...(named.length > 0 ? [eb('task_instance.state', 'in', named)] : []),
      ...(states.includes(null) ? [eb('task_instance.state', 'is', null)] : []),
    ]);
}

export async function createTaskInstances(ctx: StoreContext, inputs: readonly TaskInstanceCreate[]): Promise<number> {
  const now = ctx.now();
  const rows: Insertable<TaskInstanceTable>[] = inputs.map((input, i) => {
    const field = `inputs[${i}]`;
    const key = fullKey(input, field);
    const state = input.state === undefined ? null : checkTiState(input.state, `${field}.state`);
    const scheduled = input.scheduledDttm !== undefined ? input.scheduledDttm : state === TaskInstanceState.SCHEDULED ? now : null;
    return {
      id: randomUUID(),
      dag_id: key.dagId,
      run_id: key.runId,
      task_id: key.taskId,
      map_index: key.mapIndex,
      state,
      try_number: integer(input.tryNumber ?? 0, `${field}.tryNumber`, 0),
      max_tries: integer(input.maxTries ?? 0, `${field}.maxTries`, 0),
      operator: input.operator ?? null,
      pool: nonEmptyString(input.pool ?? 'default_pool', `${field}.pool`),
      pool_slots: integer(input.poolSlots ?? 1, `${field}.poolSlots`, 0),
      queue: nonEmptyString(input.queue ?? 'default', `${field}.queue`),
      priority_weight: integer(input.priorityWeight ?? 1, `${field}.priorityWeight`),
      scheduled_dttm: timeOrNull(ctx, dateOrNull(scheduled, `${field}.scheduledDttm`)),
      updated_at: time(ctx, now),
    };
  });
  if (rows.length === 0) return 0;
  try {
    return await ctx.atomic(async (db) => {
      // Each takes its run's run_after, the claim's order (see migration 0003), read once per run before the insert.
      const runAfter = new Map<string, Date | string | null>();
      for (const r of rows) {
        const run = `${r.dag_id}\u0000${r.run_id}`;
        if (!runAfter.has(run)) {
          const found = await db.selectFrom('dag_run').select('run_after').where('dag_id', '=', r.dag_id).where('run_id', '=', r.run_id).executeTakeFirst();
          runAfter.set(run, found?.run_after ?? null);
        }
        r.run_after = runAfter.get(run) ?? null;
      }
      let created = 0;
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const result = await db
          .insertInto('task_instance')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) => oc.columns(['dag_id', 'run_id', 'task_id', 'map_index']).doNothing())
          .executeTakeFirst();
        created += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      return created;
    });
  } catch (error) {
    if (constraintViolation(error) !== 'foreignKey') throw error;
    const runs = [...new Set(rows.map((r) => `${r.dag_id}/${r.run_id}`))];
    throw new NotFoundError('dagRun', runs.join(', '), { cause: error });
  }
}

export async function getTaskInstance(ctx: StoreContext, key: TaskInstanceKey): Promise<TaskInstance | null> {
  const row = await ctx.db.selectFrom('task_instance').selectAll().where(byKey(fullKey(key))).executeTakeFirst();
  return row ? toTaskInstance(row) : null;
}

export async function listTaskInstances(ctx: StoreContext, query: TaskInstanceQuery = {}): Promise<Paged<TaskInstance>> {
  const { limit, offset } = page(query);
  const direction = oneOf(query.direction, ['asc', 'desc'], 'direction', 'asc');
  let base = ctx.db.selectFrom('task_instance');
  const none = (eb: ExpressionBuilder<Database, 'task_instance'>) => eb.lit(false);
  if (query.dagIds) base = query.dagIds.length ? base.where('dag_id', 'in', query.dagIds) : base.where(none);
  if (query.runIds) base = query.runIds.length ? base.where('run_id', 'in', query.runIds) : base.where(none);
  if (query.taskIds) base = query.taskIds.length ? base.where('task_id', 'in', query.taskIds) : base.where(none);
  if (query.states) {
    query.states.forEach((s, i) => checkTiState(s, `states[${i}]`));
    base = query.states.length ? base.where(stateIn(query.states)) : base.where(none);
  }
  if (query.mapIndex !== undefined) base = base.where('map_index', '=', integer(query.mapIndex, 'mapIndex', -1));
  if (query.updatedAtGte !== undefined) base = base.where('updated_at', '>=', time(ctx, validDate(query.updatedAtGte, 'updatedAtGte')));

  let rowsQuery = base.selectAll();
  if (query.orderBy !== undefined) {
    const field = oneOf(query.orderBy, Object.keys(ORDER_COLUMNS) as TaskInstanceOrderField[], 'orderBy', 'taskId');
    const [column, nullable] = ORDER_COLUMNS[field];
    rowsQuery = orderBy(rowsQuery, column, direction, nullable);
  }
  rowsQuery = rowsQuery
    .orderBy('dag_id', direction)
    .orderBy('run_id', direction)
    .orderBy('task_id', direction)
    .orderBy('map_index', direction);
  const { rows, total } = await pageAndTotal(rowsQuery, base, limit, offset);
  return { items: rows.map(toTaskInstance), total };
}

export async function transitionTaskInstance(
  ctx: StoreContext,
  key: TaskInstanceKey,
  transition: TaskInstanceTransition,
): Promise<boolean> {
  const t = checkedTransition(ctx, key, transition);
  return t === null ? false : updateOne(ctx, ctx.db, t);
}

/**
 * A transition's UPDATE, by the columns it sets, the states it expects and whether it names a try. Arguments: the
 * values it sets, the task instance's key, then the try number it requires.
 */
const UPDATE_ONE = new QueryTemplate<unknown[], never, UpdateShape>((db, args, _dialect, shape) => updateOneQuery(db, args, shape));

/** What the SQL of a transition's UPDATE depends on: the columns it sets, the states it expects, whether it names a try. */
export interface UpdateShape {
  columns: string[];
  from: readonly (TaskInstanceState | null)[];
  named: boolean;
}

/** A transition's UPDATE (see {@link updateOne}), for templates that build on it. */
export function updateOneQuery(db: QueryCreator<Database>, args: readonly unknown[], { columns, from, named }: UpdateShape) {
  const n = columns.length;
  const key = { dagId: args[n] as string, runId: args[n + 1] as string, taskId: args[n + 2] as string, mapIndex: args[n + 3] as number };
  let query = db.updateTable('task_instance').set(Object.fromEntries(columns.map((c, i) => [c, args[i]]))).where(byKey(key)).where(stateIn(from));
  if (named) query = query.where('try_number', '=', args[n + 4] as number);
  return query;
}

/** A transition's UPDATE arguments and shape, as {@link updateOneQuery} reads them. */
export function updateOneArgs(t: CheckedTransition): { args: unknown[]; shape: UpdateShape } {
  const named = t.tryNumber !== undefined;
  const args: unknown[] = [...Object.values(t.values), t.key.dagId, t.key.runId, t.key.taskId, t.key.mapIndex];
  if (named) args.push(t.tryNumber);
  return { args, shape: { columns: Object.keys(t.values), from: t.from, named } };
}

/**
 * One UPDATE whose WHERE holds the expected state: the database decides the race, not a read before it. Returns
 * whether it applied. Every try's start and end is one: the UPDATE is compiled once per shape.
 */
export async function updateOne(ctx: StoreContext, db: Kysely<Database>, t: CheckedTransition): Promise<boolean> {
  const { args, shape } = updateOneArgs(t);
  const result = await UPDATE_ONE.execute(db, ctx.dialect, args, shape);
  return (result.numAffectedRows ?? 0n) > 0n;
}

/** A transition checked and encoded: what its UPDATE sets and requires. */
export interface CheckedTransition {
  key: FullKey;
  values: Record<string, unknown>;
  from: readonly (TaskInstanceState | null)[];
  tryNumber: number | undefined;
}

/** Checks a transition and encodes its columns; null when it can never apply (no `from` state). */
export function checkedTransition(ctx: StoreContext, key: TaskInstanceKey, transition: TaskInstanceTransition, field = 'transition'): CheckedTransition | null {
  const k = fullKey(key);
  const to = checkTiState(transition.to, `${field}.to`);
  transition.from.forEach((s, i) => checkTiState(s, `${field}.from[${i}]`));
  const values = { ...patchColumns(ctx, transition.patch ?? {}), state: to, updated_at: time(ctx, ctx.now()) };
  const tryNumber = transition.tryNumber === undefined ? undefined : integer(transition.tryNumber, `${field}.tryNumber`, 0);
  if (transition.from.length === 0) return null;
  return { key: k, values, from: transition.from, tryNumber };
}

/** Task ids per UPDATE of {@link updateTaskGroup}: far below both databases' bind-parameter limits. */
const GROUP_CHUNK = 500;

/**
 * Applies one transition, identical but for the task id, to several task instances of one run in one UPDATE per
 * chunk (a run's tasks that became ready together); returns the task ids it applied to.
 */
export async function updateTaskGroup(db: Kysely<Database>, first: CheckedTransition, taskIds: readonly string[]): Promise<Set<string>> {
  const applied = new Set<string>();
  for (let i = 0; i < taskIds.length; i += GROUP_CHUNK) {
    let query = db
      .updateTable('task_instance')
      .set(first.values)
      .where('dag_id', '=', first.key.dagId)
      .where('run_id', '=', first.key.runId)
      .where('map_index', '=', first.key.mapIndex)
      .where('task_id', 'in', taskIds.slice(i, i + GROUP_CHUNK))
      .where(stateIn(first.from));
    if (first.tryNumber !== undefined) query = query.where('try_number', '=', first.tryNumber);
    for (const row of await query.returning('task_id').execute()) applied.add(row.task_id);
  }
  return applied;
}

export async function heartbeatTaskInstance(
  ctx: StoreContext,
  key: TaskInstanceKey,
  tryNumber: number,
  at?: Date,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('task_instance')
    .set({ last_heartbeat_at: time(ctx, at ? validDate(at, 'at') : ctx.now()) })
    .where(byKey(fullKey(key)))
    .where('state', '=', TaskInstanceState.RUNNING)
    .where('try_number', '=', integer(tryNumber, 'tryNumber', 0))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function countTaskInstancesPerDag(ctx: StoreContext, states: readonly TaskInstanceState[]): Promise<Map<string, number>> {
  states.forEach((s, i) => checkTiState(s, `states[${i}]`));
  if (states.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('task_instance')
    .select((eb) => ['dag_id', eb.fn.countAll<number | string>().as('n')])
    .where('state', 'in', [...states])
    .groupBy('dag_id')
    .execute();
  return new Map(rows.map((r) => [r.dag_id, toNumber(r.n)]));
}

export async function findZombies(ctx: StoreContext, query: ZombieQuery): Promise<TaskInstance[]> {
  const before = time(ctx, validDate(query.heartbeatBefore, 'heartbeatBefore'));
  const { limit } = page({ limit: query.limit });
  const rows = await paginate(
    ctx.db
      .selectFrom('task_instance')
      .selectAll()
      .where('state', '=', TaskInstanceState.RUNNING)
      // A runner that died before its first heartbeat is judged by when it started.
      .where((eb) => eb(eb.fn.coalesce('last_heartbeat_at', 'start_date', 'updated_at'), '<', before))
      .orderBy('dag_id')
      .orderBy('run_id')
      .orderBy('task_id')
      .orderBy('map_index'),
    limit,
    0,
  ).execute();
  return rows.map(toTaskInstance);
}
