import { isTaskInstanceState, type DagRun, type TaskInstanceOrderField, type TaskInstanceState } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import { clearAndRequeue } from '../actions/runs.js';
import { runsAround, taskInstancesFor, withRelatives } from '../actions/select.js';
import { setTaskInstanceState } from '../actions/task-states.js';
import type { ApiContext } from '../context.js';
import { HttpError, ValidationHttpError } from '../errors.js';
import { DATE_TIME, dateParam, ORDER_BY_PARAM, orderBy, page, PAGE_PARAMS, type PageQuery } from '../http/query.js';
import { dagOr404, runOr404, serializedDag, taskInstanceOr404 } from '../lookup.js';
import { FALLBACK_DATES, runDatesFor, runKey } from '../run-dates.js';
import { TASK_INSTANCE_COLLECTION, TASK_INSTANCE_RESPONSE } from '../serialize/schemas.js';
import { toTaskInstanceResponse, toTryResponse } from '../serialize/runs.js';

const TI_PARAMS = {
  type: 'object',
  required: ['dag_id', 'dag_run_id', 'task_id'],
  properties: { dag_id: { type: 'string', minLength: 1 }, dag_run_id: { type: 'string', minLength: 1 }, task_id: { type: 'string', minLength: 1 } },
} as const;

const TI_ORDER: Record<string, TaskInstanceOrderField> = {
  task_id: 'taskId',
  map_index: 'mapIndex',
  state: 'state',
  start_date: 'startDate',
  end_date: 'endDate',
  duration: 'duration',
  priority_weight: 'priorityWeight',
  updated_at: 'updatedAt',
};

/**
 * Most runs the run filters of a task instance listing may match: their ids go into the store's query as a list,
 * and databases cap a query's parameters (SQLite at 32,766).
 */
const MAX_FILTERED_RUNS = 5000;

/** The states a user may set (Airflow's: mark success, failed or skipped). */
const SETTABLE_STATES = ['success', 'failed', 'skipped'] as const;

type TiParams = { dag_id: string; dag_run_id: string; task_id: string };

interface TiListQuery extends PageQuery {
  task_id?: string;
  run_after_gte?: string;
  run_after_lte?: string;
  logical_date_gte?: string;
  logical_date_lte?: string;
  state?: string[];
  map_index?: number[];
}

interface PatchBody {
  new_state?: TaskInstanceState | null;
  note?: string | null;
  include_upstream: boolean;
  include_downstream: boolean;
  include_future: boolean;
  include_past: boolean;
}

interface ClearBody {
  dry_run: boolean;
  dag_run_id?: string | null;
  task_ids?: (string | [string, number])[] | null;
  start_date?: string | null;
  end_date?: string | null;
  only_failed: boolean;
  only_running: boolean;
  reset_dag_runs: boolean;
  include_upstream: boolean;
  include_downstream: boolean;
  include_future: boolean;
  include_past: boolean;
  prevent_running_task?: boolean;
  run_on_latest_version?: boolean;
}

/** Task instances: list, get, mark, tries, clear. */
export function taskInstanceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;

  app.get<{ Params: { dag_id: string; dag_run_id: string }; Querystring: TiListQuery }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Task Instances (`~` for dag_id or dag_run_id lists across them)',
        tags: ['Task Instance'],
        params: { type: 'object', required: ['dag_id', 'dag_run_id'], properties: { dag_id: { type: 'string', minLength: 1 }, dag_run_id: { type: 'string', minLength: 1 } } },
        querystring: {
          type: 'object',
          properties: {
            ...PAGE_PARAMS,
            task_id: { type: 'string' },
            state: { type: 'array', items: { type: 'string' }, description: 'Task instance states; `no_status` for none' },
            map_index: { type: 'array', items: { type: 'integer' } },
            run_after_gte: DATE_TIME,
            run_after_lte: DATE_TIME,
            logical_date_gte: DATE_TIME,
            logical_date_lte: DATE_TIME,
            order_by: ORDER_BY_PARAM,
          },
        },
        response: { 200: TASK_INSTANCE_COLLECTION },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_id: dagId, dag_run_id: runId } = request.params;
      const q = request.query;
      let run: DagRun | null = null;
      if (runId !== '~') {
        if (dagId === '~') throw new HttpError(400, 'dag_id `~` needs dag_run_id `~` as well');
        run = await runOr404(store, dagId, runId);
      } else if (dagId !== '~') {
        await dagOr404(store, dagId);
      }
      const states = q.state?.map((s, i): TaskInstanceState | null => {
        if (s === 'no_status' || s === 'none') return null;
        if (!isTaskInstanceState(s)) throw new ValidationHttpError([{ type: 'enum', loc: ['query', 'state', i], msg: `Invalid value for state: ${s}`, input: s }]);
        return s;
      });
      if (q.map_index && q.map_index.length > 1) throw new ValidationHttpError([{ type: 'value_error', loc: ['query', 'map_index'], msg: 'Filter on one map_index at a time' }]);
      const order = q.order_by === undefined ? {} : orderBy(q.order_by, TI_ORDER, 'mapIndex');
      let runIds = runId !== '~' ? [runId] : undefined;
      if (q.run_after_gte ?? q.run_after_lte ?? q.logical_date_gte ?? q.logical_date_lte) {
        // The run filters pick runs first; the store filters task instances by run id.
        const runs = await store.listDagRuns({
          ...(dagId !== '~' && { dagIds: [dagId] }),
          runAfterGte: dateParam(q.run_after_gte),
          runAfterLte: dateParam(q.run_after_lte),
          logicalDateGte: dateParam(q.logical_date_gte),
          logicalDateLte: dateParam(q.logical_date_lte),
        });
        const matching = runs.items.map((r) => r.runId);
        if (matching.length > MAX_FILTERED_RUNS) {
          throw new HttpError(400, `The run filters match ${matching.length} runs; narrow them (dag_id, run_after_gte ...) to at most ${MAX_FILTERED_RUNS}`);
        }
        runIds = runIds ? runIds.filter((id) => matching.includes(id)) : matching;
      }
      const result = await store.listTaskInstances({
        ...page(q, options.maximumPageLimit),
        ...order,
        ...(dagId !== '~' && { dagIds: [dagId] }),
        ...(runIds && { runIds }),
        ...(q.task_id !== undefined && { taskIds: [q.task_id] }),
        ...(states && { states }),
        ...(q.map_index?.[0] !== undefined && { mapIndex: q.map_index[0] }),
      });
      const runs = await runDatesFor(store, result.items, run ? [run] : []);
      return {
        task_instances: result.items.map((ti) => toTaskInstanceResponse(ti, runs.get(runKey(ti)) ?? FALLBACK_DATES)),
        total_entries: result.total,
      };
    }),
  );

  app.get<{ Params: TiParams; Querystring: { map_index: number } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Task Instance',
        tags: ['Task Instance'],
        params: TI_PARAMS,
        querystring: { type: 'object', properties: { map_index: { type: 'integer', default: -1 } } },
        response: { 200: TASK_INSTANCE_RESPONSE },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId } = request.params;
      const run = await runOr404(store, dagId, runId);
      return toTaskInstanceResponse(await taskInstanceOr404(store, dagId, runId, taskId, request.query.map_index), run);
    }),
  );

  app.patch<{ Params: TiParams; Querystring: { map_index: number; update_mask?: string[] }; Body: PatchBody }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id',
    {
      config: { access: 'op' },
      schema: {
        summary: 'Patch Task Instance: mark success, failed or skipped (with relatives), set the note',
        tags: ['Task Instance'],
        params: TI_PARAMS,
        querystring: { type: 'object', properties: { map_index: { type: 'integer', default: -1 }, update_mask: { type: 'array', items: { type: 'string' } } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            new_state: { type: ['string', 'null'] },
            note: { type: ['string', 'null'], maxLength: 1000 },
            include_upstream: { type: 'boolean', default: false },
            include_downstream: { type: 'boolean', default: false },
            include_future: { type: 'boolean', default: false },
            include_past: { type: 'boolean', default: false },
          },
        },
      },
    },
    async (request) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId } = request.params;
      const body = request.body;
      const mapIndex = request.query.map_index;
      const mask = request.query.update_mask ?? Object.keys(body).filter((k) => k === 'new_state' || k === 'note');
      const unknown = mask.filter((f) => f !== 'new_state' && f !== 'note');
      if (unknown.length > 0) throw new HttpError(400, `Invalid field(s) in update_mask: ${unknown.join(', ')}; use new_state and note`);
      const newState = body.new_state;
      if (mask.includes('new_state') && (newState == null || !(SETTABLE_STATES as readonly string[]).includes(newState))) {
        throw new ValidationHttpError([{ type: 'value_error', loc: ['body', 'new_state'], msg: `new_state must be one of ${SETTABLE_STATES.join(', ')}`, input: newState }]);
      }
      const run = await runOr404(store, dagId, runId);
      const ti = await taskInstanceOr404(store, dagId, runId, taskId, mapIndex);
      let affected = [ti];
      if (mask.includes('new_state') && newState != null) {
        const serialized = await serializedDag(store, dagId);
        const taskIds = withRelatives(serialized, [taskId], body.include_upstream, body.include_downstream);
        const runs = await runsAround(store, run, body.include_past, body.include_future);
        affected = (await taskInstancesFor(store, dagId, runs, taskIds)).filter((t) => t.mapIndex === mapIndex || t.taskId !== taskId);
        const now = options.now();
        for (const t of affected) await setTaskInstanceState(store, t, newState, now);
      }
      if (mask.includes('note') && body.note !== undefined) {
        const current = await taskInstanceOr404(store, dagId, runId, taskId, mapIndex);
        await store.transitionTaskInstance({ dagId, runId, taskId, mapIndex }, { from: [current.state], to: current.state, patch: { note: body.note } });
      }
      await ctx.audit(request, 'patch_task_instance', { dagId, runId, taskId, mapIndex, logicalDate: run.logicalDate, extra: JSON.stringify(body) });
      const fresh = await taskInstancesFor(store, dagId, await runsAround(store, run, body.include_past, body.include_future), [...new Set(affected.map((t) => t.taskId))]);
      const keys = new Set(affected.map((t) => t.id));
      const runs = await runDatesFor(store, fresh, [run]);
      const list = fresh.filter((t) => keys.has(t.id));
      return { task_instances: list.map((t) => toTaskInstanceResponse(t, runs.get(runKey(t)) ?? run)), total_entries: list.length };
    },
  );

  app.get<{ Params: TiParams; Querystring: { map_index: number } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/tries',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Task Instance Tries: the recorded tries, then the current one',
        tags: ['Task Instance'],
        params: TI_PARAMS,
        querystring: { type: 'object', properties: { map_index: { type: 'integer', default: -1 } } },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId } = request.params;
      const mapIndex = request.query.map_index;
      const ti = await taskInstanceOr404(store, dagId, runId, taskId, mapIndex);
      const history = await store.listTaskInstanceHistory({ dagId, runId, taskId, mapIndex });
      const tries = history.filter((h) => h.tryNumber !== ti.tryNumber).map(toTryResponse);
      if (ti.tryNumber > 0) tries.push(toTryResponse(ti));
      return { task_instances: tries, total_entries: tries.length };
    }),
  );

  app.post<{ Params: { dag_id: string }; Body: ClearBody }>(
    '/api/v2/dags/:dag_id/clearTaskInstances',
    {
      config: { access: 'op' },
      schema: {
        summary: 'Clear Task Instances: they run again (dry_run, the default, only lists them)',
        tags: ['Task Instance'],
        params: { type: 'object', required: ['dag_id'], properties: { dag_id: { type: 'string', minLength: 1 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            dry_run: { type: 'boolean', default: true },
            dag_run_id: { type: ['string', 'null'] },
            task_ids: {
              type: ['array', 'null'],
              items: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'string' }, { type: 'integer' }] }] },
            },
            start_date: { type: ['string', 'null'], format: 'date-time' },
            end_date: { type: ['string', 'null'], format: 'date-time' },
            only_failed: { type: 'boolean', default: true },
            only_running: { type: 'boolean', default: false },
            reset_dag_runs: { type: 'boolean', default: true },
            include_upstream: { type: 'boolean', default: false },
            include_downstream: { type: 'boolean', default: false },
            include_future: { type: 'boolean', default: false },
            include_past: { type: 'boolean', default: false },
            prevent_running_task: { type: 'boolean', default: false },
            run_on_latest_version: { type: 'boolean', default: false },
          },
        },
      },
    },
    async (request) => {
      const { dag_id: dagId } = request.params;
      const body = request.body;
      await dagOr404(store, dagId);
      const serialized = await serializedDag(store, dagId);
      let runs: DagRun[];
      if (body.dag_run_id != null) {
        runs = await runsAround(store, await runOr404(store, dagId, body.dag_run_id), body.include_past, body.include_future);
      } else {
        const result = await store.listDagRuns({
          dagIds: [dagId],
          ...(body.start_date != null && { logicalDateGte: new Date(body.start_date) }),
          ...(body.end_date != null && { logicalDateLte: new Date(body.end_date) }),
        });
        runs = result.items;
      }
      const named = body.task_ids?.map((t) => (typeof t === 'string' ? { taskId: t, mapIndex: null } : { taskId: t[0], mapIndex: t[1] }));
      const taskIds = named ? withRelatives(serialized, named.map((n) => n.taskId), body.include_upstream, body.include_downstream) : undefined;
      let tis = await taskInstancesFor(store, dagId, runs, taskIds);
      if (named) {
        // A [task_id, map_index] pair narrows that task to one map index; relatives keep every index.
        const pinned = new Map(named.filter((n) => n.mapIndex !== null).map((n) => [n.taskId, n.mapIndex]));
        tis = tis.filter((t) => !pinned.has(t.taskId) || pinned.get(t.taskId) === t.mapIndex);
      }
      if (body.only_failed) tis = tis.filter((t) => t.state === 'failed' || t.state === 'upstream_failed');
      if (body.only_running) tis = tis.filter((t) => t.state === 'running');
      if (body.prevent_running_task && tis.some((t) => t.state === 'running')) {
        throw new HttpError(400, 'Some of the task instances are running; prevent_running_task refuses to clear them');
      }
      const byRun = new Map(runs.map((r) => [runKey(r), r]));
      const listed = tis.map((t) => toTaskInstanceResponse(t, byRun.get(runKey(t)) ?? FALLBACK_DATES));
      if (!body.dry_run) {
        await clearAndRequeue(store, serialized, tis, body.reset_dag_runs);
        await ctx.audit(request, 'post_clear_task_instances', { dagId, runId: body.dag_run_id ?? null, extra: JSON.stringify(body) });
      }
      return { task_instances: listed, total_entries: listed.length };
    },
  );
}
