/**
 * Errors of the API package. `HttpError`s become responses in Airflow's shape (`{"detail": ...}`); the others
 * are thrown to callers of the library functions (options, users file).
 */

/** One problem of a request, in the shape of Airflow's (FastAPI's) validation errors. */
export interface ValidationIssue {
  /** Where: `['body', 'conf', 'epochs']`, `['query', 'limit']`. */
  loc: (string | number)[];
  /** What was wrong, readable. */
  msg: string;
  /** A short machine code: `missing`, `extra_forbidden`, `json_invalid`, `value_error` ... */
  type: string;
  /** The offending value, when useful. */
  input?: unknown;
}

/** An error answered with `status` and `{"detail": detail}`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    /** HTTP status code. */
    readonly status: number,
    /** Airflow's `detail`: a sentence, or a list of validation issues for 422. */
    readonly detail: string | ValidationIssue[],
    options?: ErrorOptions,
  ) {
    super(typeof detail === 'string' ? detail : detail.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '), options);
  }
}

/** 404: the resource a path names does not exist. */
export class NotFoundHttpError extends HttpError {
  override name = 'NotFoundHttpError';
  constructor(detail: string) {
    super(404, detail);
  }
}

/** 422: the request was well-formed HTTP but its content was invalid; `issues` says where and why. */
export class ValidationHttpError extends HttpError {
  override name = 'ValidationHttpError';
  constructor(readonly issues: ValidationIssue[]) {
    super(422, issues);
  }
}

/** A bad `ApiServerOptions` (or users file option) field. */
export class ApiOptionsError extends Error {
  override name = 'ApiOptionsError';
  constructor(
    /** The option at fault, e.g. `port`. */
    readonly field: string,
    /** What was expected. */
    readonly expected: string,
    /** What was given. */
    readonly received: unknown,
  ) {
    super(`ApiServerOptions.${field}: expected ${expected}, got ${describe(received)}`);
  }
}

/** The users file could not be read or has a bad entry. */
export class UsersFileError extends Error {
  override name = 'UsersFileError';
  constructor(
    /** Path of the users file. */
    readonly file: string,
    /** What was wrong, naming the entry and field. */
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
  }
}

/** A user management call named a user that does not exist. */
export class UnknownUserError extends Error {
  override name = 'UnknownUserError';
  constructor(readonly username: string) {
    super(`no user '${username}'`);
  }
}

/** `createUser` was given a username that exists already. */
export class UserExistsError extends Error {
  override name = 'UserExistsError';
  constructor(readonly username: string) {
    super(`user '${username}' exists already`);
  }
}

/** A bad username, role or password given to user management. */
export class UserInputError extends Error {
  override name = 'UserInputError';
  constructor(
    /** `username`, `role` or `password`. */
    readonly field: string,
    /** What was expected. */
    readonly expected: string,
  ) {
    super(`${field}: expected ${expected}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
