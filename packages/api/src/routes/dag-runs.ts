import type { DagRunOrderField, DagRunState, DagRunType } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import { clearAndRequeue, markDagRun, taskInstancesOf } from '../actions/runs.js';
import { triggerDagRun, type TriggerBody } from '../actions/trigger.js';
import type { ApiContext } from '../context.js';
import { HttpError } from '../errors.js';
import { DATE_TIME, dateParam, ORDER_BY_PARAM, orderBy, page, PAGE_PARAMS, type PageQuery } from '../http/query.js';
import { dagOr404, runOr404, serializedDag } from '../lookup.js';
import { DAG_RUN_COLLECTION, DAG_RUN_RESPONSE } from '../serialize/schemas.js';
import { toDagRunResponse, toTaskInstanceResponse } from '../serialize/runs.js';

const RUN_PARAMS = {
  type: 'object',
  required: ['dag_id', 'dag_run_id'],
  properties: { dag_id: { type: 'string', minLength: 1 }, dag_run_id: { type: 'string', minLength: 1 } },
} as const;

const NULLABLE_DATE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;

const RUN_ORDER: Record<string, DagRunOrderField> = {
  id: 'id',
  run_id: 'runId',
  dag_run_id: 'runId',
  run_after: 'runAfter',
  logical_date: 'logicalDate',
  start_date: 'startDate',
  end_date: 'endDate',
  state: 'state',
};

interface RunListQuery extends PageQuery {
  state?: DagRunState[];
  run_type?: DagRunType[];
  run_after_gte?: string;
  run_after_lte?: string;
  logical_date_gte?: string;
  logical_date_lte?: string;
  start_date_gte?: string;
  start_date_lte?: string;
  end_date_gte?: string;
  end_date_lte?: string;
}

type RunParams = { dag_id: string; dag_run_id: string };

/** DAG runs: list, trigger, get, mark, note, delete, clear. */
export function dagRunRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;

  app.get<{ Params: { dag_id: string }; Querystring: RunListQuery }>(
    '/api/v2/dags/:dag_id/dagRuns',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Dag Runs (dag_id `~` lists the runs of every DAG)',
        tags: ['DagRun'],
        params: { type: 'object', required: ['dag_id'], properties: { dag_id: { type: 'string', minLength: 1 } } },
        querystring: {
          type: 'object',
          properties: {
            ...PAGE_PARAMS,
            state: { type: 'array', items: { type: 'string', enum: ['queued', 'running', 'success', 'failed'] } },
            run_type: { type: 'array', items: { type: 'string', enum: ['backfill', 'scheduled', 'manual', 'asset_triggered'] } },
            run_after_gte: DATE_TIME,
            run_after_lte: DATE_TIME,
            logical_date_gte: DATE_TIME,
            logical_date_lte: DATE_TIME,
            start_date_gte: DATE_TIME,
            start_date_lte: DATE_TIME,
            end_date_gte: DATE_TIME,
            end_date_lte: DATE_TIME,
            order_by: ORDER_BY_PARAM,
          },
        },
        response: { 200: DAG_RUN_COLLECTION },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_id: dagId } = request.params;
      const q = request.query;
      if (dagId !== '~') await dagOr404(store, dagId);
      const result = await store.listDagRuns({
        ...page(q, options.maximumPageLimit),
        ...orderBy(q.order_by, RUN_ORDER, 'id'),
        ...(dagId !== '~' && { dagIds: [dagId] }),
        ...(q.state && { states: q.state }),
        ...(q.run_type && { runTypes: q.run_type }),
        runAfterGte: dateParam(q.run_after_gte),
        runAfterLte: dateParam(q.run_after_lte),
        logicalDateGte: dateParam(q.logical_date_gte),
        logicalDateLte: dateParam(q.logical_date_lte),
        startDateGte: dateParam(q.start_date_gte),
        startDateLte: dateParam(q.start_date_lte),
        endDateGte: dateParam(q.end_date_gte),
        endDateLte: dateParam(q.end_date_lte),
      });
      return { dag_runs: result.items.map(toDagRunResponse), total_entries: result.total };
    }),
  );

  app.post<{ Params: { dag_id: string }; Body: TriggerBody }>(
    '/api/v2/dags/:dag_id/dagRuns',
    {
      config: { access: 'op' },
      schema: {
        summary: 'Trigger Dag Run',
        tags: ['DagRun'],
        params: { type: 'object', required: ['dag_id'], properties: { dag_id: { type: 'string', minLength: 1 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            dag_run_id: { type: ['string', 'null'] },
            logical_date: NULLABLE_DATE_TIME,
            run_after: NULLABLE_DATE_TIME,
            data_interval_start: NULLABLE_DATE_TIME,
            data_interval_end: NULLABLE_DATE_TIME,
            conf: { type: ['object', 'null'], additionalProperties: true },
            note: { type: ['string', 'null'] },
            partition_key: { type: ['string', 'null'] },
          },
        },
      },
    },
    async (request) => {
      const { dag_id: dagId } = request.params;
      const run = await triggerDagRun(store, dagId, request.body ?? {}, options.now());
      await ctx.audit(request, 'trigger_dag_run', { dagId, runId: run.runId, logicalDate: run.logicalDate, extra: JSON.stringify(request.body ?? {}) });
      return toDagRunResponse(run);
    },
  );

  app.get<{ Params: RunParams }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id',
    { config: { access: 'viewer' }, schema: { summary: 'Get Dag Run', tags: ['DagRun'], params: RUN_PARAMS, response: { 200: DAG_RUN_RESPONSE } } },
    ctx.coalesce(async (request) => toDagRunResponse(await runOr404(store, request.params.dag_id, request.params.dag_run_id))),
  );

  app.patch<{ Params: RunParams; Querystring: { update_mask?: string[] }; Body: { state?: 'queued' | 'success' | 'failed' | null; note?: string | null } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id',
    {
      config: { access: 'op' },
      schema: {
        summary: 'Patch Dag Run: mark queued, success or failed; set the note',
        tags: ['DagRun'],
        params: RUN_PARAMS,
        querystring: { type: 'object', properties: { update_mask: { type: 'array', items: { type: 'string' } } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { state: { type: ['string', 'null'], enum: ['queued', 'success', 'failed', null] }, note: { type: ['string', 'null'], maxLength: 1000 } },
        },
      },
    },
    async (request) => {
      const { dag_id: dagId, dag_run_id: runId } = request.params;
      const body = request.body;
      const mask = request.query.update_mask ?? Object.keys(body);
      const unknown = mask.filter((f) => f !== 'state' && f !== 'note');
      if (unknown.length > 0) throw new HttpError(400, `Invalid field(s) in update_mask: ${unknown.join(', ')}; use state and note`);
      const run = await runOr404(store, dagId, runId);
      if (mask.includes('state') && body.state != null && body.state !== run.state) await markDagRun(store, run, body.state, options.now());
      if (mask.includes('note') && body.note !== undefined) {
        const current = await runOr404(store, dagId, runId);
        await store.updateDagRunState(dagId, runId, { state: current.state, from: [current.state], note: body.note });
      }
      await ctx.audit(request, 'patch_dag_run', { dagId, runId, logicalDate: run.logicalDate, extra: JSON.stringify(body) });
      return toDagRunResponse(await runOr404(store, dagId, runId));
    },
  );

  app.delete<{ Params: RunParams }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id',
    { config: { access: 'op' }, schema: { summary: 'Delete Dag Run', tags: ['DagRun'], params: RUN_PARAMS } },
    async (request, reply) => {
      const { dag_id: dagId, dag_run_id: runId } = request.params;
      const run = await runOr404(store, dagId, runId);
      await store.deleteDagRun(dagId, runId);
      await ctx.audit(request, 'delete_dag_run', { dagId, runId, logicalDate: run.logicalDate });
      return reply.code(204).send();
    },
  );

  app.post<{ Params: RunParams; Body: { dry_run: boolean; only_failed: boolean; run_on_latest_version?: boolean } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/clear',
    {
      config: { access: 'op' },
      schema: {
        summary: 'Clear Dag Run: its task instances run again (dry_run, the default, only lists them)',
        tags: ['DagRun'],
        params: RUN_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { dry_run: { type: 'boolean', default: true }, only_failed: { type: 'boolean', default: false }, run_on_latest_version: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const { dag_id: dagId, dag_run_id: runId } = request.params;
      const { dry_run: dryRun, only_failed: onlyFailed } = request.body;
      const run = await runOr404(store, dagId, runId);
      const tis = (await taskInstancesOf(store, run)).filter((ti) => !onlyFailed || ti.state === 'failed' || ti.state === 'upstream_failed');
      if (dryRun) return { task_instances: tis.map((ti) => toTaskInstanceResponse(ti, run)), total_entries: tis.length };
      await clearAndRequeue(store, await serializedDag(store, dagId), tis, false);
      await store.updateDagRunState(dagId, runId, { state: 'queued', startDate: null, endDate: null });
      await ctx.audit(request, 'clear_dag_run', { dagId, runId, logicalDate: run.logicalDate, extra: JSON.stringify(request.body) });
      return toDagRunResponse(await runOr404(store, dagId, runId));
    },
  );
}
