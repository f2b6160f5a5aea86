import type { AuditEventInput, MetadataStore } from '@updraft/store';
import type { FastifyRequest } from 'fastify';
import type { TokenService } from './auth/tokens.js';
import type { Users } from './auth/users.js';
import { createCoalescer, type Coalesce } from './http/coalesce.js';
import type { ResolvedApiServerOptions } from './options.js';

/** What route modules share: the store, the options, users, tokens and the audit log. */
export interface ApiContext {
  readonly store: MetadataStore;
  readonly options: ResolvedApiServerOptions;
  readonly users: Users;
  readonly tokens: TokenService;
  /** Makes identical reads that arrive together share one answer (see `createCoalescer`). */
  readonly coalesce: Coalesce;
  /** Records a user action in the audit log, with the caller as owner. */
  audit(request: FastifyRequest, event: string, fields?: Omit<AuditEventInput, 'event' | 'owner'>): Promise<void>;
}

export function createContext(options: ResolvedApiServerOptions, users: Users, tokens: TokenService): ApiContext {
  const { store } = options;
  return {
    store,
    options,
    users,
    tokens,
    coalesce: createCoalescer(),
    async audit(request, event, fields = {}) {
      await store.addEvent({ event, owner: request.user?.username ?? null, dttm: options.now(), ...fields });
    },
  };
}
