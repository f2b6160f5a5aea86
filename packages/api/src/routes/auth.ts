import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type Role } from '../auth/roles.js';
import { USERNAME_PATTERN } from '../auth/users.js';
import type { ApiContext } from '../context.js';
import { HttpError, NotFoundHttpError, UnknownUserError, UserExistsError, UserInputError, ValidationHttpError } from '../errors.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../http/auth-hook.js';

const credentials = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

const userSchema = {
  type: 'object',
  required: ['username', 'role', 'created_at', 'updated_at'],
  properties: {
    username: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

interface Credentials {
  username: string;
  password: string;
}

/**
 * Login as Airflow 3: `POST /auth/token` trades a username and password for a JWT (JSON or form body). The
 * browser logs in with `POST /auth/login`, which sets an HttpOnly session cookie and a CSRF cookie instead.
 * Admins manage users under `/auth/users`. Login attempts are rate-limited per client address.
 */
export function authRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { options, users, tokens } = ctx;
  const rateLimit = { max: options.loginRateLimit.max, timeWindow: options.loginRateLimit.windowMs };

  async function login(request: FastifyRequest<{ Body: Credentials }>) {
    const { username, password } = request.body;
    const user = await users.verify(username, password);
    if (!user) {
      await ctx.audit(request, 'login_failed', { extra: JSON.stringify({ username: USERNAME_PATTERN.test(username) ? username : '(invalid)' }) });
      throw new HttpError(401, 'Invalid username or password');
    }
    request.user = { username: user.username, role: user.role, via: 'bearer' };
    const issued = await tokens.issue({ username: user.username, role: user.role, version: users.tokenVersion(user.username) ?? 0 });
    await ctx.audit(request, 'login');
    return { user, ...issued };
  }

  app.post<{ Body: Credentials }>(
    '/auth/token',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Create a token (Airflow 3 login): JSON or form body with username and password',
        tags: ['Login'],
        body: credentials,
        response: {
          201: {
            type: 'object',
            required: ['access_token'],
            properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' } },
          },
        },
      },
    },
    async (request, reply) => {
      const { token, expiresIn } = await login(request);
      return reply.code(201).send({ access_token: token, token_type: 'bearer', expires_in: expiresIn });
    },
  );

  app.post<{ Body: Credentials }>(
    '/auth/login',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Browser login: sets the session cookie and the CSRF cookie',
        tags: ['Login'],
        body: credentials,
        response: {
          200: {
            type: 'object',
            required: ['username', 'role', 'csrf_token', 'expires_in'],
            properties: { username: { type: 'string' }, role: { type: 'string' }, csrf_token: { type: 'string' }, expires_in: { type: 'integer' } },
          },
        },
      },
    },
    async (request, reply) => {
      const { user, token, jti, expiresIn } = await login(request);
      const csrf = tokens.csrfFor(jti);
      const common = { path: '/', sameSite: 'strict' as const, secure: options.secureCookies, maxAge: expiresIn };
      reply.setCookie(SESSION_COOKIE, token, { ...common, httpOnly: true });
      reply.setCookie(CSRF_COOKIE, csrf, { ...common, httpOnly: false });
      return { username: user.username, role: user.role, csrf_token: csrf, expires_in: expiresIn };
    },
  );

  app.post('/auth/logout', { config: { access: 'public' }, schema: { summary: 'Browser logout: clears the session cookies', tags: ['Login'] } }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/auth/me', { config: { access: 'viewer' }, schema: { summary: 'The logged-in user', tags: ['Login'] } }, (request) => {
    const user = request.user;
    return { username: user?.username, role: user?.role };
  });

  // ----------------------------------------------------------------------------------------------- users

  const toUser = (u: { username: string; role: Role; createdAt: Date; updatedAt: Date }) => ({
    username: u.username,
    role: u.role,
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  });

  app.get(
    '/auth/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List users',
        tags: ['Users'],
        response: { 200: { type: 'object', required: ['users', 'total_entries'], properties: { users: { type: 'array', items: userSchema }, total_entries: { type: 'integer' } } } },
      },
    },
    () => {
      const list = users.list();
      return { users: list.map(toUser), total_entries: list.length };
    },
  );

  app.post<{ Body: { username: string; role: Role; password?: string } }>(
    '/auth/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create a user; a random password is generated and returned once when none is given',
        tags: ['Users'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'role'],
          properties: { username: { type: 'string' }, role: { type: 'string', enum: [...ROLES] }, password: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      const { username, role, password } = request.body;
      const created = await userAction(() => users.create(username, role, password));
      await ctx.audit(request, 'create_user', { extra: JSON.stringify({ username, role }) });
      return reply.code(201).send({ ...toUser(created.user), ...(password === undefined && { password: created.password }) });
    },
  );

  app.patch<{ Params: { username: string }; Body: { role?: Role; password?: string; generate_password?: boolean } }>(
    '/auth/users/:username',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Change a user's role or password (revokes the user's tokens)",
        tags: ['Users'],
        params: { type: 'object', required: ['username'], properties: { username: { type: 'string' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { role: { type: 'string', enum: [...ROLES] }, password: { type: 'string' }, generate_password: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const { username } = request.params;
      const { role, password, generate_password: generate } = request.body;
      if (password !== undefined && generate) {
        throw new ValidationHttpError([{ type: 'value_error', loc: ['body', 'generate_password'], msg: 'give either password or generate_password, not both' }]);
      }
      let generated: string | undefined;
      if (password !== undefined || generate) {
        const reset = await userAction(() => users.resetPassword(username, password));
        if (generate) generated = reset.password;
      }
      if (role !== undefined) await userAction(() => Promise.resolve(users.setRole(username, role)));
      const user = users.get(username);
      if (!user) throw new NotFoundHttpError(`User '${username}' not found`);
      await ctx.audit(request, 'update_user', { extra: JSON.stringify({ username, role, password_changed: password !== undefined || generate === true }) });
      return { ...toUser(user), ...(generated !== undefined && { password: generated }) };
    },
  );

  app.delete<{ Params: { username: string } }>(
    '/auth/users/:username',
    {
      config: { access: 'admin' },
      schema: { summary: 'Delete a user', tags: ['Users'], params: { type: 'object', required: ['username'], properties: { username: { type: 'string' } } } },
    },
    async (request, reply: FastifyReply) => {
      const { username } = request.params;
      if (username === request.user?.username) throw new HttpError(400, 'You cannot delete yourself');
      if (!users.delete(username)) throw new NotFoundHttpError(`User '${username}' not found`);
      await ctx.audit(request, 'delete_user', { extra: JSON.stringify({ username }) });
      return reply.code(204).send();
    },
  );
}

async function userAction<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UnknownUserError) throw new NotFoundHttpError(`User '${error.username}' not found`);
    if (error instanceof UserExistsError) throw new HttpError(409, `User '${error.username}' exists already`);
    if (error instanceof UserInputError) throw new ValidationHttpError([{ type: 'value_error', loc: ['body', error.field], msg: error.message }]);
    throw error;
  }
}
