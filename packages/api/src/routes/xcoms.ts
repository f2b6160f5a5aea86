import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { NotFoundHttpError } from '../errors.js';
import { page, PAGE_PARAMS, type PageQuery } from '../http/query.js';
import { runOr404, taskInstanceOr404 } from '../lookup.js';
import { toXComResponse } from '../serialize/runs.js';

const TI_PARAMS = {
  type: 'object',
  required: ['dag_id', 'dag_run_id', 'task_id'],
  properties: { dag_id: { type: 'string', minLength: 1 }, dag_run_id: { type: 'string', minLength: 1 }, task_id: { type: 'string', minLength: 1 } },
} as const;

type TiParams = { dag_id: string; dag_run_id: string; task_id: string };

/** XComs of a task instance: list (without values) and one entry with its value. */
export function xcomRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;

  app.get<{ Params: TiParams; Querystring: PageQuery & { xcom_key?: string; map_index?: number } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/xcomEntries',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Xcom Entries',
        tags: ['XCom'],
        params: TI_PARAMS,
        querystring: { type: 'object', properties: { ...PAGE_PARAMS, xcom_key: { type: 'string' }, map_index: { type: 'integer' } } },
      },
    },
    async (request) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId } = request.params;
      const q = request.query;
      const run = await runOr404(store, dagId, runId);
      const result = await store.listXcoms({
        ...page(q, options.maximumPageLimit),
        dagId,
        runId,
        taskIds: [taskId],
        ...(q.xcom_key !== undefined && { keys: [q.xcom_key] }),
        ...(q.map_index !== undefined && { mapIndex: q.map_index }),
      });
      return { xcom_entries: result.items.map((x) => toXComResponse(x, run)), total_entries: result.total };
    },
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
