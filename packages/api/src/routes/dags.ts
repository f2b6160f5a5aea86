import { readFile } from 'node:fs/promises';
import type { DagOrderField } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { HttpError, NotFoundHttpError } from '../errors.js';
import { likeMatcher, ORDER_BY_PARAM, orderBy, page, PAGE_PARAMS, type PageQuery } from '../http/query.js';
import { dagOr404, serializedDag } from '../lookup.js';
import { DAG_COLLECTION, DAG_RESPONSE, DAG_TAG_COLLECTION } from '../serialize/schemas.js';
import { toDagDetailsResponse, toDagResponse, toTaskResponse } from '../serialize/dags.js';

const DAG_ID = { type: 'object', required: ['dag_id'], properties: { dag_id: { type: 'string', minLength: 1 } } } as const;

const DAG_ORDER: Record<string, DagOrderField> = {
  dag_id: 'dagId',
  dag_display_name: 'dagId',
  next_dagrun: 'nextDagrun',
  last_parsed_time: 'lastParsedTime',
  fileloc: 'fileloc',
};

interface DagListQuery extends PageQuery {
  dag_id_pattern?: string;
  tags?: string[];
  tags_match_mode?: 'any' | 'all';
  paused?: boolean;
  exclude_stale: boolean;
}

/** DAGs: list, get, pause and unpause, details, tasks, source, tags. */
export function dagRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;

  app.get<{ Querystring: DagListQuery }>(
    '/api/v2/dags',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Dags',
        tags: ['DAG'],
        querystring: {
          type: 'object',
          properties: {
            ...PAGE_PARAMS,
            dag_id_pattern: { type: 'string', description: 'SQL LIKE expression: `%` and `_` wildcards' },
            tags: { type: 'array', items: { type: 'string' } },
            tags_match_mode: { type: 'string', enum: ['any', 'all'] },
            paused: { type: 'boolean' },
            exclude_stale: { type: 'boolean', default: true },
            order_by: ORDER_BY_PARAM,
          },
        },
        response: { 200: DAG_COLLECTION },
      },
    },
    ctx.coalesce(async (request) => {
      const q = request.query;
      const result = await store.listDags({
        ...page(q, options.maximumPageLimit),
        ...orderBy(q.order_by, DAG_ORDER, 'dagId'),
        ...(q.dag_id_pattern !== undefined && { dagIdPattern: q.dag_id_pattern }),
        ...(q.tags !== undefined && { tags: q.tags, tagsMatchMode: q.tags_match_mode ?? 'any' }),
        ...(q.paused !== undefined && { paused: q.paused }),
        excludeStale: q.exclude_stale,
      });
      return { dags: result.items.map(toDagResponse), total_entries: result.total };
    }),
  );

  app.get<{ Querystring: PageQuery & { tag_name_pattern?: string } }>(
    '/api/v2/dagTags',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Dag Tags: the tags of the DAGs that are not stale',
        tags: ['DAG'],
        querystring: { type: 'object', properties: { ...PAGE_PARAMS, order_by: ORDER_BY_PARAM, tag_name_pattern: { type: 'string' } } },
        response: { 200: DAG_TAG_COLLECTION },
      },
    },
    ctx.coalesce(async (request) => {
      const q = request.query;
      const { direction } = orderBy(q.order_by, { name: 'name' }, 'name');
      const matches = q.tag_name_pattern === undefined ? () => true : likeMatcher(q.tag_name_pattern);
      // The store lists DAGs with their tags; the tags of every DAG are few next to its runs and task instances.
      const { items } = await store.listDags({ excludeStale: true });
      const names = [...new Set(items.flatMap((d) => d.tags))].filter(matches).sort();
      if (direction === 'desc') names.reverse();
      const { limit, offset } = page(q, options.maximumPageLimit);
      return { tags: names.slice(offset, offset + limit), total_entries: names.length };
    }),
  );

  app.get<{ Params: { dag_id: string } }>(
    '/api/v2/dags/:dag_id',
    { config: { access: 'viewer' }, schema: { summary: 'Get Dag', tags: ['DAG'], params: DAG_ID, response: { 200: DAG_RESPONSE } } },
    ctx.coalesce(async (request) => toDagResponse(await dagOr404(store, request.params.dag_id))),
  );

  app.patch<{ Params: { dag_id: string }; Querystring: { update_mask?: string[] }; Body: { is_paused: boolean } }>(
    '/api/v2/dags/:dag_id',
    {
      config: { access: 'op' },
      schema: {
        summary: 'Patch Dag: pause or unpause',
        tags: ['DAG'],
        params: DAG_ID,
        querystring: { type: 'object', properties: { update_mask: { type: 'array', items: { type: 'string' } } } },
        body: { type: 'object', additionalProperties: false, required: ['is_paused'], properties: { is_paused: { type: 'boolean' } } },
      },
    },
    async (request) => {
      const { dag_id: dagId } = request.params;
      const mask = request.query.update_mask;
      if (mask && mask.some((field) => field !== 'is_paused')) {
        throw new HttpError(400, `Only is_paused can be updated; update_mask named ${mask.filter((f) => f !== 'is_paused').join(', ')}`);
      }
      await dagOr404(store, dagId);
      await store.setDagPaused(dagId, request.body.is_paused);
      await ctx.audit(request, 'patch_dag', { dagId, extra: JSON.stringify(request.body) });
      return toDagResponse(await dagOr404(store, dagId));
    },
  );

  app.get<{ Params: { dag_id: string } }>(
    '/api/v2/dags/:dag_id/details',
    { config: { access: 'viewer' }, schema: { summary: 'Get Dag Details', tags: ['DAG'], params: DAG_ID } },
    ctx.coalesce(async (request) => {
      const dag = await dagOr404(store, request.params.dag_id);
      const [serialized, active] = await Promise.all([serializedDag(store, dag.dagId), store.countActiveRuns(dag.dagId)]);
      return toDagDetailsResponse(dag, serialized, active.queued + active.running);
    }),
  );

  app.get<{ Params: { dag_id: string }; Querystring: { order_by: string } }>(
    '/api/v2/dags/:dag_id/tasks',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Tasks',
        tags: ['Task'],
        params: DAG_ID,
        querystring: { type: 'object', properties: { order_by: { type: 'string', default: 'task_id' } } },
      },
    },
    ctx.coalesce(async (request) => {
      const { dag_id: dagId } = request.params;
      const s = await serializedDag(store, dagId);
      if (!s) {
        await dagOr404(store, dagId);
        return { tasks: [], total_entries: 0 };
      }
      const raw = request.query.order_by;
      const desc = raw.startsWith('-');
      const key = desc ? raw.slice(1) : raw;
      const tasks = s.tasks.map((t) => toTaskResponse(s, t));
      if (!tasks.every((t) => key in t)) throw new HttpError(400, `'${key}' is not an attribute of a task`);
      tasks.sort((a, b) => compare((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]) * (desc ? -1 : 1));
      return { tasks, total_entries: tasks.length };
    }),
  );

  app.get<{ Params: { dag_id: string; task_id: string } }>(
    '/api/v2/dags/:dag_id/tasks/:task_id',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Task',
        tags: ['Task'],
        params: { type: 'object', required: ['dag_id', 'task_id'], properties: { dag_id: { type: 'string' }, task_id: { type: 'string' } } },
      },
    },
    async (request) => {
      const { dag_id: dagId, task_id: taskId } = request.params;
      const s = await serializedDag(store, dagId);
      if (!s) await dagOr404(store, dagId);
      const task = s?.tasks.find((t) => t.taskId === taskId);
      if (!s || !task) throw new NotFoundHttpError(`Task ${taskId} not found in Dag ${dagId}`);
      return toTaskResponse(s, task);
    },
  );

  app.get<{ Params: { dag_id: string } }>(
    '/api/v2/dagSources/:dag_id',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Dag Source: JSON, or the file itself with Accept: text/plain',
        tags: ['DagSource'],
        params: DAG_ID,
        querystring: { type: 'object', properties: { version_number: { type: 'integer' } } },
      },
    },
    async (request, reply) => {
      const dag = await dagOr404(store, request.params.dag_id);
      let content: string | null;
      try {
        // fileloc comes from the store (written by the DAG processor), never from the request.
        content = await readFile(dag.fileloc, 'utf8');
      } catch {
        content = null;
      }
      if (prefersText(request.headers.accept)) {
        if (content === null) throw new NotFoundHttpError(`The source of Dag ${dag.dagId} cannot be read`);
        return reply.type('text/plain; charset=utf-8').send(content);
      }
      return { dag_id: dag.dagId, dag_display_name: dag.dagId, content, version_number: null };
    },
  );
}

/** Whether an Accept header asks for text/plain ahead of JSON. */
export function prefersText(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((p) => p.split(';')[0]?.trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.indexOf('application/json');
  return text !== -1 && (json === -1 || text < json);
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
}
