import { time, bool, type StoreContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { DagRunState, TaskInstanceState } from '../states.js';
import type { ClaimOptions, TaskInstance, TaskInstanceHistory, TaskInstanceKey } from '../types.js';
import { integer, validDate } from '../validate.js';
import { fullKey, keyText, toHistory, toTaskInstance } from './ti-codec.js';
import { byKey } from './task-instances.js';

export async function claimScheduledTaskInstances(ctx: StoreContext, options: ClaimOptions): Promise<TaskInstance[]> {
  const limit = integer(options.limit, 'limit', 1);
  const queuedAt = options.queuedAt ? validDate(options.queuedAt, 'queuedAt') : ctx.now();
  if (options.dagIds?.length === 0) return [];
  let candidates = ctx.db
    .selectFrom('task_instance as ti')
    .innerJoin('dag_run as dr', (join) => join.onRef('dr.dag_id', '=', 'ti.dag_id').onRef('dr.run_id', '=', 'ti.run_id'))
    .innerJoin('dag as d', 'd.dag_id', 'ti.dag_id')
    .select('ti.id')
    .where('ti.state', '=', TaskInstanceState.SCHEDULED)
    .where('dr.state', '=', DagRunState.RUNNING)
    .where('d.is_paused', '=', bool(ctx, false))
    .orderBy('ti.priority_weight', 'desc')
    .orderBy('dr.run_after')
    .orderBy('ti.dag_id')
    .orderBy('ti.run_id')
    .orderBy('ti.task_id')
    .orderBy('ti.map_index')
    .limit(limit);
  if (options.dagIds) candidates = candidates.where('ti.dag_id', 'in', options.dagIds);
  // Lock only the task instance rows (OF ti): locking the shared run and DAG rows too would make a second
  // scheduler skip every task of a run the first one is claiming from. SQLite has one writer; the single
  // UPDATE below is atomic there.
  if (ctx.dialect === 'postgres') candidates = candidates.forUpdate('ti').skipLocked();
  const rows = await ctx.db
    .updateTable('task_instance')
    .set({ state: TaskInstanceState.QUEUED, queued_dttm: time(ctx, queuedAt), updated_at: time(ctx, ctx.now()) })
    .where('id', 'in', candidates)
    .where('state', '=', TaskInstanceState.SCHEDULED)
    .returningAll()
    .execute();
  // RETURNING has no order; give the claim order back except for run dates, which the rows do not carry.
  rows.sort(
    (a, b) =>
      b.priority_weight - a.priority_weight ||
      compare(a.dag_id, b.dag_id) ||
      compare(a.run_id, b.run_id) ||
      compare(a.task_id, b.task_id) ||
      a.map_index - b.map_index,
  );
  return rows.map(toTaskInstance);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function recordTaskInstanceTry(ctx: StoreContext, key: TaskInstanceKey): Promise<void> {
  const k = fullKey(key);
  await ctx.atomic(async (db) => {
    const ti = await db.selectFrom('task_instance').selectAll().where(byKey(k)).executeTakeFirst();
    if (!ti) throw new NotFoundError('taskInstance', keyText(k));
    const { id, last_heartbeat_at: _heartbeat, note: _note, ...tryColumns } = ti;
    await db
      .insertInto('task_instance_history')
      .values({ task_instance_id: id, ...tryColumns })
      .onConflict((oc) => oc.columns(['task_instance_id', 'try_number']).doUpdateSet(tryColumns))
      .execute();
  });
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
