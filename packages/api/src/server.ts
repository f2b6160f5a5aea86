import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadOrCreateSecret } from './auth/secret.js';
import { createTokenService } from './auth/tokens.js';
import { openUsers } from './auth/users.js';
import { createContext } from './context.js';
import { HttpError } from './errors.js';
import { installAuthHook } from './http/auth-hook.js';
import { installErrorHandlers } from './http/error-handler.js';
import type { Access } from './http/route-config.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { createValidatorCompiler } from './http/validation.js';
import { LiveHub } from './live/hub.js';
import { resolveApiServerOptions, type ApiServerOptions, type ResolvedApiServerOptions } from './options.js';
import { authRoutes } from './routes/auth.js';
import { dagRunRoutes } from './routes/dag-runs.js';
import { dagRoutes } from './routes/dags.js';
import { liveRoutes } from './routes/live.js';
import { logRoutes } from './routes/logs.js';
import { monitorRoutes } from './routes/monitor.js';
import { outputRoutes } from './routes/outputs.js';
import { recentRunsRoutes } from './routes/recent-runs.js';
import { runReportRoutes } from './routes/run-report.js';
import { taskInstanceRoutes } from './routes/task-instances.js';
import { xcomValueRoutes } from './routes/xcom-values.js';
import { xcomRoutes } from './routes/xcoms.js';

/** One registered route, for listings and the structural security tests. */
export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
}

/** A configured API server. */
export interface ApiServer {
  /** The Fastify instance (routes, hooks, `inject`). */
  readonly app: FastifyInstance;
  /** The options in force, defaults filled in. */
  readonly options: ResolvedApiServerOptions;
  /** Sends a request without a socket (tests). */
  readonly inject: FastifyInstance['inject'];
  /** Every route with its access level (HEAD routes left out). */
  routes(): RouteInfo[];
  /** Starts listening on `options.host:options.port`; returns the base URL. */
  listen(): Promise<string>;
  /** Stops listening, ends live streams. Does not close the store. */
  close(): Promise<void>;
}

/**
 * Builds Updraft's REST API server: Airflow's `/api/v2` paths and fields over the metadata store, JWT login
 * (`POST /auth/token`) and browser sessions, roles on every route, the OpenAPI document at `/openapi.json`
 * and its docs page at `/docs`, live updates under `/ui`. Call {@link bootstrapAdmin} first on a new home.
 * @throws ApiOptionsError for bad options.
 */
export async function createApiServer(input: ApiServerOptions): Promise<ApiServer> {
  const options = resolveApiServerOptions(input);
  const users = openUsers({ home: options.home, scryptLogN: options.scryptLogN });
  const secret = options.secretKey ?? loadOrCreateSecret(options.home);
  const tokens = createTokenService(secret, options.tokenTtlSeconds, options.now);
  const ctx = createContext(options, users, tokens);
  const hub = new LiveHub(options.store, options.events, options.pollIntervalMs);

  const app = Fastify({
    logger: options.logger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  app.setValidatorCompiler(createValidatorCompiler());
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const routes: RouteInfo[] = [];
  // Before the auth hook: its onRequest hook must run first, to parse the session cookie.
  await app.register(fastifyCookie);
  installAuthHook(app, ctx);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, access: route.config?.access ?? 'public' });
    }
  });
  installSecurityHeaders(app);
  installErrorHandlers(app, options.uiFolder !== null);

  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new HttpError(429, `Too many login attempts: try again in ${context.after}`),
  });
  if (options.corsOrigins.length > 0) await app.register(fastifyCors, { origin: options.corsOrigins, credentials: true });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Updraft API',
        version: options.version,
        description: "Updraft's REST API: Airflow 3's public API paths and fields for what Updraft implements.",
      },
      components: { securitySchemes: { HTTPBearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ HTTPBearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register((scope, _opts, done) => {
    authRoutes(scope, ctx);
    monitorRoutes(scope, ctx);
    dagRoutes(scope, ctx);
    dagRunRoutes(scope, ctx);
    taskInstanceRoutes(scope, ctx);
    logRoutes(scope, ctx);
    xcomRoutes(scope, ctx);
    liveRoutes(scope, ctx, hub);
    outputRoutes(scope, ctx);
    runReportRoutes(scope, ctx);
    recentRunsRoutes(scope, ctx);
    xcomValueRoutes(scope, ctx);
    scope.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () => app.swagger());
    done();
  });
  if (options.uiFolder !== null) await serveUi(app, options.uiFolder);
  app.addHook('onClose', () => hub.close());
  await app.ready();

  return {
    app,
    options,
    inject: ((...args: Parameters<FastifyInstance['inject']>) => app.inject(...args)),
    routes: () => [...routes],
    listen: () => app.listen({ host: options.host, port: options.port }),
    close: () => app.close(),
  };
}

/** The built web UI's files (index.html for other paths comes from the not-found handler). */
async function serveUi(app: FastifyInstance, folder: string): Promise<void> {
  await app.register(fastifyStatic, { root: folder, prefix: '/', wildcard: true, index: ['index.html'], serveDotFiles: false });
}
