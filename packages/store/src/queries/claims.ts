import { type Kysely, type Selectable, sql } from 'kysely';
import { time, type StoreContext } from '../context.js';
import { toDate } from '../codec.js';
import { NotFoundError } from '../errors.js';
import { padToPowerOfTwo, QueryTemplate } from '../templates.js';
import type { Database, TaskInstanceTable } from '../schema.js';
import { DagRunState, TaskInstanceState } from '../states.js';
import type { ClaimOptions, TaskInstance, TaskInstanceHistory, TaskInstanceKey, TaskInstanceTransitionItem } from '../types.js';
import { integer, string, validDate } from '../validate.js';
import { type FullKey, fullKey, keyText, toHistory, toTaskInstance } from './ti-codec.js';
import { byKey, type CheckedTransition, checkedTransition, updateOne, updateOneArgs, updateOneQuery, type UpdateShape, updateTaskGroup } from './task-instances.js';

/**
 * The claim's UPDATE, compiled once per dialect and shape (whether it names an owner, how many DAG ids it binds):
 * a pass claims every few milliseconds, and building this query costs more than running it. Arguments: limit,
 * queued time, update time, then the owner if any, then the DAG ids.
 */
const CLAIM = new QueryTemplate<unknown[], Selectable<TaskInstanceTable>, { owner: boolean; dags: number }>((db, args, dialect, { owner, dags }) => {
  const [limit, queuedAt, updatedAt] = args as [number, string, string];
  const dagIds = args.slice(owner ? 4 : 3, (owner ? 4 : 3) + dags) as string[];
  let candidates = db
    .selectFrom('task_instance as ti')
    .innerJoin('dag_run as dr', (join) => join.onRef('dr.dag_id', '=', 'ti.dag_id').onRef('dr.run_id', '=', 'ti.run_id'))
    .innerJoin('dag as d', 'd.dag_id', 'ti.dag_id')
    .select('ti.id')
    .where('ti.state', '=', TaskInstanceState.SCHEDULED)
    .where('dr.state', '=', DagRunState.RUNNING)
    .where('d.is_paused', '=', dialect === 'postgres' ? false : 0)
    // The order of idx_task_instance_claim: the claim reads the first rows of the index and stops.
    .orderBy('ti.priority_weight', 'desc')
    .orderBy('ti.run_after')
    .orderBy('ti.dag_id')
    .orderBy('ti.run_id')
    .orderBy('ti.task_id')
    .orderBy('ti.map_index')
    .limit(limit);
  if (dags > 0) {
    // SQLite reads `dag_id IN (one id)` as `dag_id = id`, plans the claim DAG by DAG, and then sorts every
    // scheduled task instance of the DAG that ties on the index's first terms (the 500 leaves of a tree: 0.25 ms a
    // claim). The unary plus keeps the filter off the planner's index choices, so the claim reads the index in order.
    const dagId = dialect === 'sqlite' ? sql<string>`+${sql.ref('ti.dag_id')}` : sql.ref<string>('ti.dag_id');
    candidates = candidates.where(dagId, 'in', dagIds);
  }
  const values = { state: TaskInstanceState.QUEUED, queued_dttm: queuedAt, updated_at: updatedAt, ...(owner ? { external_executor_id: args[3] as string } : {}) };
  if (dialect === 'sqlite') {
    // One writer, one statement: the rows the subquery picked are still scheduled. A second test of the state
    // here would make SQLite look the rows up by state (all the scheduled ones) rather than by id.
    return db.updateTable('task_instance').set(values).where('id', 'in', candidates).returningAll();
  }
  // Lock only the task instance rows (OF ti): locking the shared run and DAG rows too would make a second
  // scheduler skip every task of a run the first one is claiming from. In a CTE the locking subquery runs once: as
  // `id IN (subquery)` PostgreSQL may run it again while joining, skip the rows it locked itself the first time,
  // and claim more than `limit`.
  return db
    .with('claimed', () => candidates.forUpdate('ti').skipLocked())
    .updateTable('task_instance')
    .from('claimed')
    .set(values)
    .whereRef('task_instance.id', '=', 'claimed.id')
    .where('task_instance.state', '=', TaskInstanceState.SCHEDULED)
    .returningAll('task_instance');
});

export async function claimScheduledTaskInstances(ctx: StoreContext, options: ClaimOptions): Promise<TaskInstance[]> {
  const limit = integer(options.limit, 'limit', 1);
  const queuedAt = options.queuedAt ? validDate(options.queuedAt, 'queuedAt') : ctx.now();
  const owner = options.externalExecutorId === undefined ? null : string(options.externalExecutorId, 'externalExecutorId');
  if (options.dagIds?.length === 0) return [];
  const dagIds = options.dagIds ? padToPowerOfTwo(options.dagIds.map((id, i) => string(id, `dagIds[${i}]`))) : [];
  const args: unknown[] = [limit, time(ctx, queuedAt), time(ctx, ctx.now())];
  if (owner !== null) args.push(owner);
  args.push(...dagIds);
  const rows = (await CLAIM.execute(ctx.db, ctx.dialect, args, { owner: owner !== null, dags: dagIds.length })).rows;
  // RETURNING has no order; give the claim's back. Each row's run_after is parsed once, not at every comparison.
  const keyed = rows.map((r) => ({ r, runAfter: r.run_after === null ? -Infinity : toDate(r.run_after).getTime() }));
  keyed.sort(
    ({ r: a, runAfter: ra }, { r: b, runAfter: rb }) =>
      b.priority_weight - a.priority_weight ||
      ra - rb ||
      compare(a.dag_id, b.dag_id) ||
      compare(a.run_id, b.run_id) ||
      compare(a.task_id, b.task_id) ||
      a.map_index - b.map_index,
  );
  return keyed.map(({ r }) => toTaskInstance(r));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The columns a try shares with its history row (all but the id, the heartbeat and the note). */
const TRY_COLUMNS = [
  'dag_id',
  'run_id',
  'task_id',
  'map_index',
  'state',
  'try_number',
  'max_tries',
  'start_date',
  'end_date',
  'duration',
  'hostname',
  'unixname',
  'pid',
  'queued_dttm',
  'scheduled_dttm',
  'operator',
  'pool',
  'pool_slots',
  'queue',
  'priority_weight',
  'external_executor_id',
  'updated_at',
] as const;

/**
 * Copies a task instance's current try into its history in one INSERT ... SELECT (an upsert on the try), so no
 * read and no transaction are needed. Run for every try that ends: compiled once.
 */
const COPY_TRY = new QueryTemplate<[dagId: string, runId: string, taskId: string, mapIndex: number], never>((db, [dagId, runId, taskId, mapIndex]) =>
  db
    .insertInto('task_instance_history')
    .columns(['task_instance_id', ...TRY_COLUMNS])
    .expression(db.selectFrom('task_instance').select(['id', ...TRY_COLUMNS]).where(byKey({ dagId, runId, taskId, mapIndex })))
    .onConflict((oc) =>
      oc.columns(['task_instance_id', 'try_number']).doUpdateSet((eb) => Object.fromEntries(TRY_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)]))),
    ),
);

/**
 * A transition's UPDATE and the copy of the try it leaves into its history, in one statement: the copy reads the
 * updated row from the UPDATE's RETURNING (a data-modifying CTE; PostgreSQL only), so there is nothing to copy when
 * the compare-and-set did not apply. One round trip and atomic, where an UPDATE then an INSERT are two.
 */
const UPDATE_AND_COPY = new QueryTemplate<unknown[], never, UpdateShape>((db, args, _dialect, shape) =>
  db
    .with('ended', (q) => updateOneQuery(q, args, shape).returning(['id', ...TRY_COLUMNS]))
    .insertInto('task_instance_history')
    .columns(['task_instance_id', ...TRY_COLUMNS])
    .expression((eb) => eb.selectFrom('ended').select(['id', ...TRY_COLUMNS]))
    .onConflict((oc) =>
      oc.columns(['task_instance_id', 'try_number']).doUpdateSet((eb) => Object.fromEntries(TRY_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)]))),
    ),
);

/** Applies a transition and, when it applied, copies the try into its history; returns whether it applied. */
async function updateAndRecordTry(ctx: StoreContext, db: Kysely<Database>, t: CheckedTransition): Promise<boolean> {
  if (ctx.dialect !== 'postgres') {
    const applied = await updateOne(ctx, db, t);
    if (applied) await copyTryToHistory(ctx, db, t.key);
    return applied;
  }
  const { args, shape } = updateOneArgs(t);
  return ((await UPDATE_AND_COPY.execute(db, ctx.dialect, args, shape)).numAffectedRows ?? 0n) > 0n;
}

/** Copies the task instance's current try into its history; returns whether the task instance exists. */
async function copyTryToHistory(ctx: StoreContext, db: Kysely<Database>, k: FullKey): Promise<boolean> {
  const result = await COPY_TRY.execute(db, ctx.dialect, [k.dagId, k.runId, k.taskId, k.mapIndex]);
  return (result.numAffectedRows ?? 0n) > 0n;
}

export async function recordTaskInstanceTry(ctx: StoreContext, key: TaskInstanceKey): Promise<void> {
  const k = fullKey(key);
  if (!(await copyTryToHistory(ctx, ctx.db, k))) throw new NotFoundError('taskInstance', keyText(k));
}

/**
 * Applies transitions in one transaction. Transitions that differ only in their task (the tasks of a run that
 * became ready together) go in one UPDATE; the others, and those that record a try, one UPDATE each (with its
 * history copy in the same statement on PostgreSQL). A single transition that is one statement needs no
 * transaction of its own.
 */
export async function transitionTaskInstances(ctx: StoreContext, items: readonly TaskInstanceTransitionItem[]): Promise<boolean[]> {
  const checked = items.map((item, i) => ({
    t: checkedTransition(ctx, item.key, item.transition, `items[${i}].transition`),
    key: fullKey(item.key, `items[${i}].key`),
    recordTry: item.recordTry === true,
  }));
  if (checked.length === 0) return [];
  // A task instance named twice keeps its transitions in order, one UPDATE each.
  const seen = new Map<string, number>();
  for (const c of checked) seen.set(keyText(c.key), (seen.get(keyText(c.key)) ?? 0) + 1);
  // Items alike but for the task id; what they share is their group's key.
  const groups = new Map<string, number[]>();
  checked.forEach((c, i) => {
    if (c.t === null || c.recordTry || (seen.get(keyText(c.key)) ?? 0) > 1) return;
    const { key, values, from, tryNumber } = c.t;
    const id = JSON.stringify([key.dagId, key.runId, key.mapIndex, values, from, tryNumber ?? null]);
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  });
  const apply = async (db: Kysely<Database>): Promise<boolean[]> => {
    const applied: boolean[] = checked.map(() => false);
    const grouped = new Set<number>();
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      const first = checked[members[0] as number]?.t as CheckedTransition;
      const done = await updateTaskGroup(
        db,
        first,
        members.map((m) => (checked[m]?.key as FullKey).taskId),
      );
      for (const m of members) {
        grouped.add(m);
        applied[m] = done.has((checked[m]?.key as FullKey).taskId);
      }
    }
    for (const [i, c] of checked.entries()) {
      if (grouped.has(i) || c.t === null) continue;
      applied[i] = c.recordTry ? await updateAndRecordTry(ctx, db, c.t) : await updateOne(ctx, db, c.t);
    }
    return applied;
  };
  const only = checked.length === 1 ? checked[0] : undefined;
  if (only && (!only.recordTry || ctx.dialect === 'postgres')) return apply(ctx.db);
  return ctx.atomic(apply);
}

export async function listTaskInstanceHistory(ctx: StoreContext, key: TaskInstanceKey): Promise<TaskInstanceHistory[]> {
  const k = fullKey(key);
  const rows = await ctx.db
    .selectFrom('task_instance_history')
    .selectAll()
    .where('dag_id', '=', k.dagId)
    .where('run_id', '=', k.runId)
    .where('task_id', '=', k.taskId)
    .where('map_index', '=', k.mapIndex)
    .orderBy('try_number')
    .execute();
  return rows.map(toHistory);
}
