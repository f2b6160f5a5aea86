import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { TASK_INSTANCE_FINISHED_STATES, type TaskInstance } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { HttpError, NotFoundHttpError } from '../errors.js';
import { logFilePath } from '../live/log-path.js';
import { parseLogLines, readLogChunk } from '../live/log-file.js';
import { taskInstanceOr404 } from '../lookup.js';
import { prefersText } from './dags.js';

/** Most bytes one log response carries; the continuation token fetches the rest. */
export const LOG_CHUNK_BYTES = 1024 * 1024;
/** Most bytes `full_content=true` returns. */
const FULL_CONTENT_BYTES = 64 * 1024 * 1024;

type LogParams = { dag_id: string; dag_run_id: string; task_id: string; try_number: number };

/** The continuation token: where the next read starts. Unsigned: it only moves within a log the caller may read. */
export function encodeLogToken(pos: number): string {
  return Buffer.from(JSON.stringify({ log_pos: pos })).toString('base64url');
}

function decodeLogToken(token: string): number {
  try {
    const { log_pos: pos } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { log_pos?: unknown };
    if (typeof pos === 'number' && Number.isSafeInteger(pos) && pos >= 0) return pos;
  } catch {
    // Reported below.
  }
  throw new HttpError(400, 'Invalid continuation token');
}

/**
 * The log file of one try, checked: the try must exist, and the file must lie inside the logs folder even
 * after symlinks (a link that escapes reads as no log). Returns null when the runner has not written it yet.
 */
export async function tryLogFile(logsFolder: string, ti: TaskInstance, tryNumber: number): Promise<string | null> {
  if (tryNumber < 1 || tryNumber > Math.max(ti.tryNumber, 0)) {
    throw new NotFoundHttpError(`Try ${tryNumber} of task instance ${ti.dagId}/${ti.runId}/${ti.taskId} does not exist (it has ${ti.tryNumber})`);
  }
  const path = logFilePath(logsFolder, ti, tryNumber);
  let real: string;
  let root: string;
  try {
    real = await realpath(path);
    root = await realpath(logsFolder);
  } catch {
    return null;
  }
  if (!real.startsWith(root + sep)) throw new NotFoundHttpError('Log not found');
  return real;
}

/** `GET .../logs/{try_number}`: JSON lines with a continuation token, NDJSON, or plain text by `Accept`. */
export function logRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;
  app.get<{ Params: LogParams; Querystring: { full_content: boolean; map_index: number; token?: string } }>(
    '/api/v2/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/logs/:try_number',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Get Log: JSON (default), application/x-ndjson or text/plain by Accept',
        tags: ['Task Instance'],
        params: {
          type: 'object',
          required: ['dag_id', 'dag_run_id', 'task_id', 'try_number'],
          properties: { dag_id: { type: 'string' }, dag_run_id: { type: 'string' }, task_id: { type: 'string' }, try_number: { type: 'integer', minimum: 0 } },
        },
        querystring: {
          type: 'object',
          properties: { full_content: { type: 'boolean', default: false }, map_index: { type: 'integer', default: -1 }, token: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (request, reply) => {
      const { dag_id: dagId, dag_run_id: runId, task_id: taskId, try_number: tryNumber } = request.params;
      const q = request.query;
      const ti = await taskInstanceOr404(store, dagId, runId, taskId, q.map_index);
      const file = await tryLogFile(options.logsFolder, ti, tryNumber);
      const from = q.full_content || q.token === undefined ? 0 : decodeLogToken(q.token);
      const ended = tryNumber < ti.tryNumber || (ti.state !== null && TASK_INSTANCE_FINISHED_STATES.has(ti.state));
      const chunk = file ? await readLogChunk(file, from, q.full_content ? FULL_CONTENT_BYTES : LOG_CHUNK_BYTES, ended) : { text: '', next: 0, size: 0 };
      const accept = request.headers.accept ?? '';
      if (prefersText(accept)) return reply.type('text/plain; charset=utf-8').send(chunk.text);
      const lines = parseLogLines(chunk.text);
      if (accept.split(',').some((t) => t.trim().startsWith('application/x-ndjson'))) {
        return reply.type('application/x-ndjson').send(lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
      }
      return { content: lines, continuation_token: encodeLogToken(chunk.next) };
    },
  );
}
