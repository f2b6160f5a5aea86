import { TASK_INSTANCE_FINISHED_STATES } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import type { ApiEvent } from '../live/events.js';
import type { LiveHub } from '../live/hub.js';
import { parseLogLines, readLogChunk } from '../live/log-file.js';
import { openSse } from '../live/sse.js';
import { taskInstanceOr404 } from '../lookup.js';
import { LOG_CHUNK_BYTES, tryLogFile } from './logs.js';

/**
 * Live updates for the UI (private routes, as Airflow's `/ui`): `/ui/events` streams run and task state
 * changes, optionally for one DAG or run; `.../logs/{try}/stream` streams a try's log lines as they are written.
 */
export function liveRoutes(app: FastifyInstance, ctx: ApiContext, hub: LiveHub): void {
  const { store, options } = ctx;

  app.get<{ Querystring: { dag_id?: string; dag_run_id?: string } }>(
    '/ui/events',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Server-sent events: dag_run and task_instance state changes (resync: fetch again)',
        tags: ['UI'],
        querystring: { type: 'object', properties: { dag_id: { type: 'string' }, dag_run_id: { type: 'string' } } },
      },
    },
    (request, reply) => {
      const { dag_id: dagId, dag_run_id: runId } = request.query;
      const wanted = (e: ApiEvent) => e.type === 'resync' || ((dagId === undefined || e.dag_id === dagId) && (runId === undefined || e.dag_run_id === runId));
      let unsubscribe: (() => void) | null = null;
      const stream = openSse(request, reply, () => unsubscribe?.());
      unsubscribe = hub.subscribe((e) => {
        if (wanted(e)) stream.send(e.type, e);
      });
      // After the baseline: a client that fetched state over REST after `ready` misses no change.
      void hub.whenReady().then(() => stream.send('ready', { dag_id: dagId ?? null, dag_run_id: runId ?? null }));
    },
  );

  app.get<{ Params: { dag_id: string; dag_run_id: string; task_id: string; try_number: number }; Querystring: { map_index: number } }>(
    '/ui/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/logs/:try_number/stream',
    {
      config: { access: 'viewer' },
      schema: {
        summary: "Server-sent events: a try's log lines as they are written (Last-Event-ID resumes at a byte offset)",
        tags: ['UI'],
        params: {
          type: 'object',
          required: ['dag_id', 'dag_run_id', 'task_id', 'try_number'],
          properties: { dag_id: { type: 'string' }, dag_run_id: { type: 'string' }, task_id: { type: 'string' }, try_number: { type: 'integer', minimum: 0 } },
        },
        querystring: { type: 'object', properties: { map_index: { type: 'integer', default: -1 } } },
      },
    },
    async (request, reply) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId, try_number: tryNumber } = request.params;
      const mapIndex = request.query.map_index;
      // Checked before the stream opens, so a bad request is an ordinary 4xx.
      const first = await taskInstanceOr404(store, dagId, runId, taskId, mapIndex);
      await tryLogFile(options.logsFolder, first, tryNumber);
      const lastId = Number(request.headers['last-event-id']);
      let pos = Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : 0;
      let timer: NodeJS.Timeout | null = null;
      const stream = openSse(request, reply, () => {
        if (timer) clearTimeout(timer);
      });
      const tick = async () => {
        try {
          const ti = await store.getTaskInstance({ dagId, runId, taskId, mapIndex });
          if (!ti) return stream.end();
          const ended = tryNumber < ti.tryNumber || (ti.state !== null && TASK_INSTANCE_FINISHED_STATES.has(ti.state));
          const file = await tryLogFile(options.logsFolder, ti, tryNumber);
          for (;;) {
            const chunk = file ? await readLogChunk(file, pos, LOG_CHUNK_BYTES, ended) : { text: '', next: pos, size: 0 };
            if (chunk.text === '') break;
            pos = chunk.next;
            stream.send('log', { lines: parseLogLines(chunk.text), pos }, pos);
          }
          if (ended) {
            stream.send('end', { state: ti.state, pos });
            return stream.end();
          }
        } catch {
          return stream.end();
        }
        if (!stream.closed) timer = setTimeout(() => void tick(), options.pollIntervalMs);
      };
      await tick();
    },
  );
}
