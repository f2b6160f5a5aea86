import { open } from 'node:fs/promises';
import type { XCom } from '@updraft/store';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { NotFoundHttpError } from '../errors.js';
import { runOr404 } from '../lookup.js';
import { locateOutputFile, mediaType } from '../output-files.js';

/** Files a report may be: what the UI shows as Markdown, HTML or text. */
const REPORT_FILE = /\.(md|markdown|html?|txt)$/i;
/** Most bytes of a report the route returns; the whole file stays available under `url`. */
export const REPORT_MAX_BYTES = 2 * 1024 * 1024;
/**
 * A file written this long after its task returned its path was written again since (by a later run of a DAG
 * that writes to a fixed path): the slack covers clocks of other machines and coarse file times.
 */
const REWRITE_SLACK_MS = 2000;
/** XComs looked at, latest first: a run whose tasks return more paths than this has its report among the latest. */
const MAX_CANDIDATES = 1000;

/**
 * `GET /ui/dags/{dag_id}/dagRuns/{dag_run_id}/report`: the run's report, for the UI. The report is the file named
 * by the latest `return_value` XCom of the run that is the path of a Markdown, HTML or text file inside one of
 * the served output folders (an absolute path, compared by real path, or `<folder>/<path>`). The answer carries
 * its text (up to {@link REPORT_MAX_BYTES}), the `/ui/outputs` URL of the whole file, and `rewritten` when the
 * file may no longer be this run's: the same task of a later run returned the same file (`rewritten_by_run_id`),
 * or the file changed well after the task returned; 404 when there is none.
 */
export function runReportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, options } = ctx;

  /** The run whose same task returned the same file later (a DAG writing to a fixed path), if any. */
  async function laterRunOfSameFile(x: XCom, file: string): Promise<string | null> {
    const latest = await store.listXcoms({ dagId: x.dagId, taskIds: [x.taskId], keys: ['return_value'], orderBy: 'timestamp', direction: 'desc', limit: 1 });
    const other = latest.items[0];
    if (!other || other.runId === x.runId || other.timestamp.getTime() < x.timestamp.getTime() || typeof other.value !== 'string') return null;
    const same = other.value === x.value || (await locateOutputFile(options.outputFolders, other.value))?.file === file;
    return same ? other.runId : null;
  }

  app.get<{ Params: { dag_id: string; dag_run_id: string } }>(
    '/ui/dags/:dag_id/dagRuns/:dag_run_id/report',
    {
      config: { access: 'viewer' },
      schema: {
        summary: "A run's report: the output file its tasks returned the path of, with its text",
        tags: ['UI'],
        params: {
          type: 'object',
          required: ['dag_id', 'dag_run_id'],
          properties: { dag_id: { type: 'string', minLength: 1 }, dag_run_id: { type: 'string', minLength: 1 } },
        },
      },
    },
    async (request) => {
      const { dag_id: dagId, dag_run_id: runId } = request.params;
      await runOr404(store, dagId, runId);
      const names = Object.keys(options.outputFolders).sort();
      if (names.length > 0) {
        const xcoms = await store.listXcoms({ dagId, runId, keys: ['return_value'], orderBy: 'timestamp', direction: 'desc', limit: MAX_CANDIDATES });
        for (const x of xcoms.items) {
          if (typeof x.value !== 'string' || !REPORT_FILE.test(x.value)) continue;
          const found = await locateOutputFile(options.outputFolders, x.value);
          if (found === null) continue;
          const { text, truncated } = await readHead(found.file, REPORT_MAX_BYTES);
          const laterRun = await laterRunOfSameFile(x, found.file);
          return {
            dag_id: dagId,
            dag_run_id: runId,
            task_id: x.taskId,
            folder: found.folder,
            path: found.path,
            url: `/ui/outputs/${encodeURIComponent(found.folder)}/${found.path.split('/').map(encodeURIComponent).join('/')}`,
            media_type: mediaType(found.file),
            size: found.size,
            modified_at: found.modifiedAt.toISOString(),
            rewritten: laterRun !== null || found.modifiedAt.getTime() > x.timestamp.getTime() + REWRITE_SLACK_MS,
            rewritten_by_run_id: laterRun,
            content: text,
            truncated,
          };
        }
      }
      throw new NotFoundHttpError(
        `Run ${runId} of DAG ${dagId} has no report: no task returned the path of a .md, .html or .txt file inside an output folder ` +
          `(served: ${names.length > 0 ? names.join(', ') : 'none'})`,
      );
    },
  );
}

async function readHead(file: string, max: number): Promise<{ text: string; truncated: boolean }> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, max));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), truncated: size > bytesRead };
  } finally {
    await handle.close();
  }
}
