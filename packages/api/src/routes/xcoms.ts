import type { DagRun, XComOrderField } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { NotFoundHttpError } from '../errors.js';
import { ORDER_BY_PARAM, orderBy, page, PAGE_PARAMS, type PageQuery } from '../http/query.js';
import { dagOr404, runOr404, taskInstanceOr404 } from '../lookup.js';
import { FALLBACK_DATES, runDatesFor, runKey } from '../run-dates.js';
import { toXComResponse } from '../serialize/runs.js';

const TI_PARAMS = {
  type: 'object',
  required: ['dag_id', 'dag_run_id', 'task_id'],
  properties: { dag_id: { type: 'string', minLength: 1 }, dag_run_id: { type: 'string', minLength: 1 }, task_id: { type: 'string', minLength: 1 } },
} as const;

type TiParams = { dag_id: string; dag_run_id: string; task_id: string };

const XCOM_ORDER: Record<string, XComOrderField> = { key: 'key', xcom_key: 'key', task_id: 'taskId', map_index: 'mapIndex', timestamp: 'timestamp' };

/** XComs: list (without values; `~` across DAGs, runs or tasks) and one entry with its value. */
export function xcomRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;

  app.get<{ Params: TiParams; Querystring: PageQuery & { xcom_key?: string; map_index?: number } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/xcomEntries',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Xcom Entries (`~` for dag_id, dag_run_id or task_id lists across them)',
        tags: ['XCom'],
        params: TI_PARAMS,
        querystring: {
          type: 'object',
          properties: { ...PAGE_PARAMS, order_by: ORDER_BY_PARAM, xcom_key: { type: 'string' }, map_index: { type: 'integer', minimum: -1 } },
        },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId } = request.params;
      const q = request.query;
      const known: DagRun[] = [];
      if (dagId !== '~' && runId !== '~') known.push(await runOr404(store, dagId, runId));
      else if (dagId !== '~') await dagOr404(store, dagId);
      const result = await store.listXcoms({
        ...page(q, options.maximumPageLimit),
        ...(q.order_by !== undefined && orderBy(q.order_by, XCOM_ORDER, 'key')),
        ...(dagId !== '~' && { dagId }),
        ...(runId !== '~' && { runId }),
        ...(taskId !== '~' && { taskIds: [taskId] }),
        ...(q.xcom_key !== undefined && { keys: [q.xcom_key] }),
        ...(q.map_index !== undefined && { mapIndex: q.map_index }),
      });
      const runs = await runDatesFor(store, result.items, known);
      return { xcom_entries: result.items.map((x) => toXComResponse(x, runs.get(runKey(x)) ?? FALLBACK_DATES)), total_entries: result.total };
    }),
  );

  app.get<{ Params: TiParams & { xcom_key: string }; Querystring: { map_index: number; deserialize: boolean; stringify: boolean } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/xcomEntries/:xcom_key',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Xcom Entry: the value as JSON (stringify=true: as JSON text)',
        tags: ['XCom'],
        params: { ...TI_PARAMS, required: [...TI_PARAMS.required, 'xcom_key'], properties: { ...TI_PARAMS.properties, xcom_key: { type: 'string', minLength: 1 } } },
        querystring: {
          type: 'object',
          properties: { map_index: { type: 'integer', default: -1 }, deserialize: { type: 'boolean', default: false }, stringify: { type: 'boolean', default: false } },
        },
      },
    },
    async (request) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId, xcom_key: key } = request.params;
      const { map_index: mapIndex, stringify } = request.query;
      const run = await runOr404(store, dagId, runId);
      await taskInstanceOr404(store, dagId, runId, taskId, mapIndex);
      const xcom = await store.getXcom({ dagId, runId, taskId, mapIndex, key });
      if (!xcom) throw new NotFoundHttpError(`XCom entry with key: \`${key}\` not found`);
      return { ...toXComResponse(xcom, run), value: stringify ? JSON.stringify(xcom.value) : xcom.value };
    },
  );
}
