import type { Job } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import type { AuditEventOrderField, ImportErrorOrderField } from '@updraft/store';
import { DATE_TIME, dateParam, ORDER_BY_PARAM, orderBy, page, PAGE_PARAMS, type PageQuery } from '../http/query.js';
import { toEventLogResponse, toImportErrorResponse } from '../serialize/runs.js';

const IMPORT_ERROR_ORDER: Record<string, ImportErrorOrderField> = { id: 'id', import_error_id: 'id', timestamp: 'timestamp', filename: 'filename' };

const EVENT_ORDER: Record<string, AuditEventOrderField> = {
  id: 'id',
  event_log_id: 'id',
  dttm: 'dttm',
  when: 'dttm',
  event: 'event',
  owner: 'owner',
  dag_id: 'dagId',
};

interface EventQuery extends PageQuery {
  dag_id?: string;
  task_id?: string;
  run_id?: string;
  owner?: string;
  event?: string;
  included_events?: string[];
  excluded_events?: string[];
  before?: string;
  after?: string;
}

/** Version, health, import errors and the audit log. */
export function monitorRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;

  app.get('/api/v2/version', { config: { access: 'viewer' }, schema: { summary: 'Get Version', tags: ['Version'] } }, () => ({
    version: options.version,
    git_version: null,
  }));

  app.get('/api/v2/monitor/health', { config: { access: 'public' }, schema: { summary: 'Get Health', tags: ['Monitor'] } }, async () => {
    let database = 'healthy';
    let scheduler: Job | null = null;
    let processor: Job | null = null;
    try {
      [scheduler, processor] = await Promise.all([store.latestJob(options.schedulerJobType), store.latestJob(options.dagProcessorJobType)]);
    } catch {
      database = 'unhealthy';
    }
    const status = (job: Job | null) => {
      if (!job) return null;
      const age = (options.now().getTime() - job.latestHeartbeat.getTime()) / 1000;
      return job.state === 'running' && age <= options.healthCheckThresholdSeconds ? 'healthy' : 'unhealthy';
    };
    return {
      metadatabase: { status: database },
      scheduler: { status: status(scheduler), latest_scheduler_heartbeat: scheduler?.latestHeartbeat.toISOString() ?? null },
      triggerer: { status: null, latest_triggerer_heartbeat: null },
      dag_processor: { status: status(processor), latest_dag_processor_heartbeat: processor?.latestHeartbeat.toISOString() ?? null },
    };
  });

  app.get<{ Querystring: PageQuery & { filename?: string } }>(
    '/api/v2/importErrors',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Import Errors',
        tags: ['Import Error'],
        querystring: { type: 'object', properties: { ...PAGE_PARAMS, order_by: ORDER_BY_PARAM, filename: { type: 'string' } } },
      },
    },
    ctx.coalesce(async (request) => {
      const q = request.query;
      const result = await store.listImportErrors({
        ...page(q, options.maximumPageLimit),
        ...orderBy(q.order_by, IMPORT_ERROR_ORDER, 'id'),
        ...(q.filename !== undefined && { filename: q.filename }),
      });
      return { import_errors: result.items.map(toImportErrorResponse), total_entries: result.total };
    }),
  );

  app.get<{ Querystring: EventQuery }>(
    '/api/v2/eventLogs',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Event Logs: the audit log',
        tags: ['Event Log'],
        querystring: {
          type: 'object',
          properties: {
            ...PAGE_PARAMS,
            order_by: ORDER_BY_PARAM,
            dag_id: { type: 'string' },
            task_id: { type: 'string' },
            run_id: { type: 'string' },
            owner: { type: 'string' },
            event: { type: 'string' },
            included_events: { type: 'array', items: { type: 'string' } },
            excluded_events: { type: 'array', items: { type: 'string' } },
            before: DATE_TIME,
            after: DATE_TIME,
          },
        },
      },
    },
    async (request) => {
      const q = request.query;
      const events = q.event !== undefined ? [q.event, ...(q.included_events ?? [])] : q.included_events;
      const result = await store.listEvents({
        ...page(q, options.maximumPageLimit),
        ...orderBy(q.order_by, EVENT_ORDER, 'id'),
        ...(q.dag_id !== undefined && { dagId: q.dag_id }),
        ...(q.task_id !== undefined && { taskId: q.task_id }),
        ...(q.run_id !== undefined && { runId: q.run_id }),
        ...(q.owner !== undefined && { owner: q.owner }),
        ...(events && { events }),
        ...(q.excluded_events && { excludedEvents: q.excluded_events }),
        before: dateParam(q.before),
        after: dateParam(q.after),
      });
      return { event_logs: result.items.map(toEventLogResponse), total_entries: result.total };
    },
  );
}
