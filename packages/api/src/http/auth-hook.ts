import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAllows } from '../auth/roles.js';
import type { ApiContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { Access } from './route-config.js';

/** Cookie holding the browser session's token (Airflow 3's name). */
export const SESSION_COOKIE = '_token';
/** Cookie the UI reads and echoes in the `X-CSRF-Token` header of state-changing requests. */
export const CSRF_COOKIE = 'updraft_csrf';
/** Header carrying the CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Routes that plugins register without our config: the docs page, CORS preflights and the web UI's static
 * files (`/*`, registered only when a UI folder is served) are public.
 */
function defaultAccess(method: string | string[], url: string): Access | undefined {
  if (url === '/docs' || url.startsWith('/docs/')) return 'public';
  if (method === 'OPTIONS') return 'public';
  if (url === '/*' && (method === 'GET' || method === 'HEAD' || (Array.isArray(method) && method.every((m) => m === 'GET' || m === 'HEAD')))) return 'public';
  return undefined;
}

/**
 * Authentication and roles on every route. A route must declare `config.access` (registration fails
 * otherwise), so a new route cannot be public by accident. Tokens come from `Authorization: Bearer` or the
 * session cookie; a cookie-authenticated request that changes state must carry the CSRF header.
 */
export function installAuthHook(app: FastifyInstance, ctx: ApiContext): void {
  app.decorateRequest('user', null);
  app.addHook('onRoute', (route) => {
    route.config ??= {};
    route.config.access ??= defaultAccess(route.method, route.url);
    if (route.config.access === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no config.access`);
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    request.user = await authenticate(request, ctx);
    if (!roleAllows(request.user.role, access)) {
      throw new HttpError(403, `Forbidden: this needs the ${access} role; user '${request.user.username}' has ${request.user.role}`);
    }
  });
}

async function authenticate(request: FastifyRequest, ctx: ApiContext) {
  const header = request.headers.authorization;
  let token: string | undefined;
  let via: 'bearer' | 'cookie' = 'bearer';
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized('Authorization header must be "Bearer <token>"');
    token = m[1];
  } else {
    token = request.cookies[SESSION_COOKIE];
    via = 'cookie';
  }
  if (!token) throw unauthorized('Not authenticated');
  const claims = await ctx.tokens.verify(token);
  if (!claims) throw unauthorized('Invalid or expired token');
  const user = ctx.users.get(claims.username);
  if (!user || ctx.users.tokenVersion(claims.username) !== claims.version) throw unauthorized('Token revoked: log in again');
  if (via === 'cookie' && !SAFE_METHODS.has(request.method)) {
    const csrf = request.headers[CSRF_HEADER];
    if (typeof csrf !== 'string' || !ctx.tokens.checkCsrf(claims.jti, csrf)) {
      throw new HttpError(403, `CSRF token missing or invalid: send the ${CSRF_COOKIE} cookie's value in the X-CSRF-Token header`);
    }
  }
  return { username: user.username, role: user.role, via };
}

function unauthorized(detail: string): HttpError {
  return new HttpError(401, detail);
}
