import type { Kysely, Selectable } from 'kysely';
import { toBool, toDateOrNull } from '../codec.js';
import { bool, timeOrNull, type StoreContext } from '../context.js';
import type { Database, DagTable } from '../schema.js';
import type { ActiveDags, Dag, DagNextRun, DagOrderField, DagQuery, DagUpsert, Paged } from '../types.js';
import { dateOrNull, integer, nonEmptyString, oneOf, page } from '../validate.js';
import { orderBy, pageAndTotal } from './order.js';

const ORDER_COLUMNS: Record<DagOrderField, [column: string, nullable: boolean]> = {
  dagId: ['dag.dag_id', false],
  lastParsedTime: ['dag.last_parsed_time', true],
  nextDagrun: ['dag.next_dagrun', true],
  fileloc: ['dag.fileloc', false],
};

function toDag(row: Selectable<DagTable>, tags: string[]): Dag {
  return {
    dagId: row.dag_id,
    fileloc: row.fileloc,
    description: row.description,
    owners: row.owners,
    tags,
    isPaused: toBool(row.is_paused),
    isStale: toBool(row.is_stale),
    hasImportErrors: toBool(row.has_import_errors),
    timetableSummary: row.timetable_summary,
    maxActiveRuns: row.max_active_runs,
    maxActiveTasks: row.max_active_tasks,
    lastParsedTime: toDateOrNull(row.last_parsed_time),
    lastParseDuration: row.last_parse_duration,
    nextDagrun: toDateOrNull(row.next_dagrun),
    nextDagrunDataIntervalStart: toDateOrNull(row.next_dagrun_data_interval_start),
    nextDagrunDataIntervalEnd: toDateOrNull(row.next_dagrun_data_interval_end),
    nextDagrunCreateAfter: toDateOrNull(row.next_dagrun_create_after),
  };
}

function nextRunValues(ctx: StoreContext, next: DagNextRun) {
  return {
    next_dagrun: timeOrNull(ctx, dateOrNull(next.nextDagrun, 'nextDagrun')),
    next_dagrun_data_interval_start: timeOrNull(ctx, dateOrNull(next.nextDagrunDataIntervalStart, 'nextDagrunDataIntervalStart')),
    next_dagrun_data_interval_end: timeOrNull(ctx, dateOrNull(next.nextDagrunDataIntervalEnd, 'nextDagrunDataIntervalEnd')),
    next_dagrun_create_after: timeOrNull(ctx, dateOrNull(next.nextDagrunCreateAfter, 'nextDagrunCreateAfter')),
  };
}

async function tagsOf(db: Kysely<Database>, dagIds: readonly string[]): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>(dagIds.map((id) => [id, []]));
  if (dagIds.length === 0) return tags;
  const rows = await db.selectFrom('dag_tag').select(['dag_id', 'name']).where('dag_id', 'in', dagIds).orderBy('name').execute();
  for (const row of rows) tags.get(row.dag_id)?.push(row.name);
  return tags;
}

async function readDag(db: Kysely<Database>, dagId: string): Promise<Dag | null> {
  const row = await db.selectFrom('dag').selectAll().where('dag_id', '=', dagId).executeTakeFirst();
  if (!row) return null;
  const tags = await tagsOf(db, [dagId]);
  return toDag(row, tags.get(dagId) ?? []);
}

export async function upsertDag(ctx: StoreContext, input: DagUpsert): Promise<Dag> {
  const dagId = nonEmptyString(input.dagId, 'dag.dagId');
  const optionalInt = (v: number | null | undefined, field: string) => (v == null ? null : integer(v, field, 1));
  const values = {
    fileloc: nonEmptyString(input.fileloc, 'dag.fileloc'),
    description: input.description ?? null,
    owners: input.owners ?? null,
    is_stale: bool(ctx, false),
    timetable_summary: input.timetableSummary ?? null,
    max_active_runs: optionalInt(input.maxActiveRuns, 'dag.maxActiveRuns'),
    max_active_tasks: optionalInt(input.maxActiveTasks, 'dag.maxActiveTasks'),
    last_parsed_time: timeOrNull(ctx, dateOrNull(input.lastParsedTime, 'dag.lastParsedTime')),
    last_parse_duration: input.lastParseDuration ?? null,
    ...(input.nextRun ? nextRunValues(ctx, input.nextRun) : {}),
  };
  const tags = [...new Set(input.tags ?? [])];
  tags.forEach((tag, i) => nonEmptyString(tag, `dag.tags[${i}]`));
  return ctx.atomic(async (db) => {
    await db
      .insertInto('dag')
      .values({
        dag_id: dagId,
        is_paused: bool(ctx, input.isPausedUponCreation ?? true),
        has_import_errors: bool(ctx, false),
        ...values,
      })
      .onConflict((oc) => oc.column('dag_id').doUpdateSet(values))
      .execute();
    await db.deleteFrom('dag_tag').where('dag_id', '=', dagId).execute();
    if (tags.length > 0) await db.insertInto('dag_tag').values(tags.map((name) => ({ dag_id: dagId, name }))).execute();
    const dag = await readDag(db, dagId);
    if (!dag) throw new Error(`DAG ${dagId} vanished inside its own upsert`);
    return dag;
  });
}

export function getDag(ctx: StoreContext, dagId: string): Promise<Dag | null> {
  return readDag(ctx.db, dagId);
}

export async function listDags(ctx: StoreContext, query: DagQuery = {}): Promise<Paged<Dag>> {
  const { limit, offset } = page(query);
  const field = oneOf(query.orderBy, Object.keys(ORDER_COLUMNS) as DagOrderField[], 'orderBy', 'dagId');
  const direction = oneOf(query.direction, ['asc', 'desc'], 'direction', 'asc');
  const mode = oneOf(query.tagsMatchMode, ['any', 'all'], 'tagsMatchMode', 'any');
  const tags = [...new Set(query.tags ?? [])];

  let base = ctx.db.selectFrom('dag');
  const pattern = query.dagIdPattern;
  if (pattern !== undefined) {
    base = base.where((eb) => eb(eb.fn('lower', ['dag.dag_id']), 'like', pattern.toLowerCase()));
  }
  if (query.paused !== undefined) base = base.where('dag.is_paused', '=', bool(ctx, query.paused));
  if (query.excludeStale ?? true) base = base.where('dag.is_stale', '=', bool(ctx, false));
  if (tags.length > 0) {
    base =
      mode === 'any'
        ? base.where('dag.dag_id', 'in', ctx.db.selectFrom('dag_tag').select('dag_tag.dag_id').where('dag_tag.name', 'in', tags))
        : base.where((eb) =>
            eb(
              eb
                .selectFrom('dag_tag')
                .whereRef('dag_tag.dag_id', '=', 'dag.dag_id')
                .where('dag_tag.name', 'in', tags)
                .select((e) => e.fn.countAll().as('n')),
              '=',
              tags.length,
            ),
          );
  }

  const [column, nullable] = ORDER_COLUMNS[field];
  let rowsQuery = orderBy(base.selectAll('dag'), column, direction, nullable);
  if (field !== 'dagId') rowsQuery = rowsQuery.orderBy('dag.dag_id', direction);
  const { rows, total } = await pageAndTotal(rowsQuery, base, limit, offset);
  const tagMap = await tagsOf(
    ctx.db,
    rows.map((r) => r.dag_id),
  );
  return { items: rows.map((r) => toDag(r, tagMap.get(r.dag_id) ?? [])), total };
}

export async function setDagPaused(ctx: StoreContext, dagId: string, paused: boolean): Promise<boolean> {
  const result = await ctx.db.updateTable('dag').set({ is_paused: bool(ctx, paused) }).where('dag_id', '=', dagId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setDagNextRun(ctx: StoreContext, dagId: string, next: DagNextRun): Promise<boolean> {
  const result = await ctx.db.updateTable('dag').set(nextRunValues(ctx, next)).where('dag_id', '=', dagId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markStaleDags(ctx: StoreContext, active: ActiveDags): Promise<string[]> {
  if (active.activeFiles === undefined && active.activeDagIds === undefined) return [];
  return ctx.atomic(async (db) => {
    let stale = db.selectFrom('dag').select('dag_id').where('is_stale', '=', bool(ctx, false));
    stale = stale.where((eb) => {
      const reasons = [];
      // An empty list means nothing is active; `not in ()` is not valid PostgreSQL.
      if (active.activeFiles !== undefined) {
        reasons.push(active.activeFiles.length === 0 ? eb.lit(true) : eb('fileloc', 'not in', active.activeFiles));
      }
      if (active.activeDagIds !== undefined) {
        reasons.push(active.activeDagIds.length === 0 ? eb.lit(true) : eb('dag_id', 'not in', active.activeDagIds));
      }
      return eb.or(reasons);
    });
    const ids = (await stale.orderBy('dag_id').execute()).map((r) => r.dag_id);
    if (ids.length > 0) await db.updateTable('dag').set({ is_stale: bool(ctx, true) }).where('dag_id', 'in', ids).execute();
    return ids;
  });
}

export async function deleteDag(ctx: StoreContext, dagId: string): Promise<boolean> {
  const result = await ctx.db.deleteFrom('dag').where('dag_id', '=', dagId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
