import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { NotFoundHttpError } from '../errors.js';
import { mediaType } from '../output-files.js';
import { resolveInside } from '../safe-path.js';

/**
 * Files written by pipelines (reports, metrics, models), served for the UI from the configured output
 * folders. The page may be user-made HTML: it is sandboxed (no scripts, no same-origin access to the API).
 */
export function outputRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const folders = ctx.options.outputFolders;

  app.get('/ui/outputs', { config: { access: 'viewer' }, schema: { summary: 'The output folders', tags: ['UI'] } }, () => ({
    folders: Object.keys(folders).sort(),
  }));

  app.get<{ Params: { folder: string; '*': string } }>(
    '/ui/outputs/:folder/*',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'A file under an output folder',
        tags: ['UI'],
        params: { type: 'object', required: ['folder', '*'], properties: { folder: { type: 'string' }, '*': { type: 'string' } } },
      },
    },
    async (request, reply) => {
      const root = Object.hasOwn(folders, request.params.folder) ? folders[request.params.folder] : undefined;
      if (root === undefined) throw new NotFoundHttpError(`No output folder '${request.params.folder}'`);
      const file = await resolveInside(root, request.params['*'].split('/'));
      const info = await stat(file);
      if (!info.isFile()) throw new NotFoundHttpError('File not found');
      const type = mediaType(file);
      reply.header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'");
      if (type === 'application/octet-stream') reply.header('content-disposition', 'attachment');
      return reply.type(type).header('content-length', info.size).send(createReadStream(file));
    },
  );
}
