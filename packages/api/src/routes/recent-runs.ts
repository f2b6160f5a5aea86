import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { DAG_RUN_RESPONSE } from '../serialize/schemas.js';
import { toDagRunResponse } from '../serialize/runs.js';

/**
 * `GET /ui/dags/recent_dag_runs`: the latest runs of several DAGs in one request, for the DAG list (Airflow's UI
 * has a route of this name too). Newest first, by `run_after`; a DAG without runs, or unknown, has none.
 */
export function recentRunsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;
  app.get<{ Querystring: { dag_ids: string[]; dag_runs_limit: number } }>(
    '/ui/dags/recent_dag_runs',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'The latest runs of each of the given DAGs',
        tags: ['UI'],
        querystring: {
          type: 'object',
          required: ['dag_ids'],
          properties: {
            dag_ids: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: options.maximumPageLimit },
            dag_runs_limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['dags'],
            properties: {
              dags: {
                type: 'array',
                items: { type: 'object', required: ['dag_id', 'latest_dag_runs'], properties: { dag_id: { type: 'string' }, latest_dag_runs: { type: 'array', items: DAG_RUN_RESPONSE } } },
              },
            },
          },
        },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_ids: dagIds, dag_runs_limit: limit } = request.query;
      const dags = [];
      // One query per DAG: each is a short index range (the store has no "latest n per DAG" query).
      for (const dagId of [...new Set(dagIds)]) {
        const runs = await store.listDagRuns({ dagIds: [dagId], orderBy: 'runAfter', direction: 'desc', limit });
        dags.push({ dag_id: dagId, latest_dag_runs: runs.items.map(toDagRunResponse) });
      }
      return { dags };
    }),
  );
}
