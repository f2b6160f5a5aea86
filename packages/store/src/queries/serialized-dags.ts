import { parseJson, toDate } from '../codec.js';
import { time, type StoreContext } from '../context.js';
import type { SerializedDag, SerializedDagHash, SerializedDagPut } from '../types.js';
import { jsonText, nonEmptyString, validDate } from '../validate.js';
import { rethrowMissingParent } from './parents.js';

export async function putSerializedDag(ctx: StoreContext, input: SerializedDagPut): Promise<boolean> {
  const dagId = nonEmptyString(input.dagId, 'serializedDag.dagId');
  const values = {
    data: jsonText(input.data, 'serializedDag.data'),
    dag_hash: nonEmptyString(input.dagHash, 'serializedDag.dagHash'),
    last_updated: time(ctx, input.lastUpdated ? validDate(input.lastUpdated, 'serializedDag.lastUpdated') : ctx.now()),
  };
  // The hash check lives in the upsert itself, so two processors writing at once cannot both "change" it.
  const result = await ctx.db
    .insertInto('serialized_dag')
    .values({ dag_id: dagId, ...values })
    .onConflict((oc) =>
      oc
        .column('dag_id')
        .doUpdateSet(values)
        .where('serialized_dag.dag_hash', '<>', values.dag_hash),
    )
    .executeTakeFirst()
    .catch(rethrowMissingParent('dag', dagId));
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function getSerializedDag(ctx: StoreContext, dagId: string): Promise<SerializedDag | null> {
  const row = await ctx.db.selectFrom('serialized_dag').selectAll().where('dag_id', '=', dagId).executeTakeFirst();
  if (!row) return null;
  return {
    dagId: row.dag_id,
    data: parseJson(row.data, `serialized_dag ${dagId}`),
    dagHash: row.dag_hash,
    lastUpdated: toDate(row.last_updated),
  };
}

export async function listSerializedDagHashes(ctx: StoreContext, dagIds?: readonly string[]): Promise<SerializedDagHash[]> {
  if (dagIds?.length === 0) return [];
  let query = ctx.db.selectFrom('serialized_dag').select(['dag_id', 'dag_hash']).orderBy('dag_id');
  if (dagIds) query = query.where('dag_id', 'in', dagIds.map((id, i) => nonEmptyString(id, `dagIds[${i}]`)));
  const rows = await query.execute();
  return rows.map((r) => ({ dagId: r.dag_id, dagHash: r.dag_hash }));
}
