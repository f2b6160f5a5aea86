/**
 * `@updraft/api`: Updraft's REST API server. Airflow 3's `/api/v2` paths and field names over the metadata
 * store, JWT auth with viewer/op/admin roles, server-sent events for the UI, and the users of a home.
 */
export { createApiServer } from './server.js';
export type { ApiServer, RouteInfo } from './server.js';
export { resolveApiServerOptions } from './options.js';
export type { ApiServerOptions, ResolvedApiServerOptions } from './options.js';
export type { ApiEvent, ApiEventSource } from './live/events.js';
export { bootstrapAdmin } from './auth/bootstrap.js';
export type { BootstrapResult } from './auth/bootstrap.js';
export { openUsers, USERNAME_PATTERN, MIN_PASSWORD_LENGTH } from './auth/users.js';
export type { Users, UserInfo, UsersOptions } from './auth/users.js';
export { ROLES, isRole } from './auth/roles.js';
export type { Role } from './auth/roles.js';
export type { Access, AuthUser } from './http/route-config.js';
export {
  ApiOptionsError,
  HttpError,
  NotFoundHttpError,
  UnknownUserError,
  UserExistsError,
  UserInputError,
  UsersFileError,
  ValidationHttpError,
} from './errors.js';
export type { ValidationIssue } from './errors.js';
export { API_VERSION } from './version.js';
