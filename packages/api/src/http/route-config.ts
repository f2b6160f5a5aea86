import type { Role } from '../auth/roles.js';

/** Who may call a route: anyone (`public`), or users with at least this role. Every route must say. */
export type Access = 'public' | Role;

/** The authenticated caller of a request. */
export interface AuthUser {
  username: string;
  role: Role;
  /** How the request authenticated: an `Authorization: Bearer` header or the browser session cookie. */
  via: 'bearer' | 'cookie';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route (checked when routes are registered). */
    access?: Access;
  }
  interface FastifyRequest {
    /** Set by the auth hook on routes that are not public. */
    user: AuthUser | null;
  }
}
