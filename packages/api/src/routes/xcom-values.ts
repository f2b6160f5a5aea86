import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { dagOr404 } from '../lookup.js';

/**
 * `GET /ui/dags/{dag_id}/xcomValues`: one XCom's values across the DAG's runs, latest pushed first, in one request
 * (the UI's metric chart). Airflow's XCom listings carry no values, and asking for each run's costs a request per
 * run.
 */
export function xcomValueRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;
  app.get<{ Params: { dag_id: string }; Querystring: { task_id: string; xcom_key: string; map_index: number; limit: number } }>(
    '/ui/dags/:dag_id/xcomValues',
    {
      config: { access: 'viewer' },
      schema: {
        summary: "One XCom's values across the DAG's runs, latest pushed first",
        tags: ['UI'],
        params: { type: 'object', required: ['dag_id'], properties: { dag_id: { type: 'string', minLength: 1 } } },
        querystring: {
          type: 'object',
          required: ['task_id', 'xcom_key'],
          properties: {
            task_id: { type: 'string', minLength: 1 },
            xcom_key: { type: 'string', minLength: 1 },
            map_index: { type: 'integer', minimum: -1, default: -1 },
            limit: { type: 'integer', minimum: 1, default: 100 },
          },
        },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_id: dagId } = request.params;
      const q = request.query;
      await dagOr404(store, dagId);
      const result = await store.listXcoms({
        dagId,
        taskIds: [q.task_id],
        keys: [q.xcom_key],
        mapIndex: q.map_index,
        orderBy: 'timestamp',
        direction: 'desc',
        limit: Math.min(q.limit, options.maximumPageLimit),
      });
      return {
        values: result.items.map((x) => ({ dag_run_id: x.runId, timestamp: x.timestamp.toISOString(), value: x.value })),
        total_entries: result.total,
      };
    }),
  );
}
