/** A request the server answered with an error status; `message` says it in words for the user. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status (401: log in again, 403: not allowed, 404: gone, 422: bad input ...). */
  readonly status: number;
  /** The server's `detail`, flattened to text. */
  readonly detail: string;
  /** Method and path of the request, for the message. */
  readonly method: string;
  readonly path: string;
  constructor(status: number, detail: string, method: string, path: string) {
    super(`${statusWords(status)}: ${detail}`);
    this.status = status;
    this.detail = detail;
    this.method = method;
    this.path = path;
  }
}

/** The server could not be reached (down, restarting, or the network is gone). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, options?: ErrorOptions) {
    super(`Cannot reach the Updraft server (${method} ${path}): is it running?`, options);
    this.method = method;
    this.path = path;
  }
}

/** Bad options given to the API client: `field` names the option. */
export class ApiClientOptionsError extends Error {
  override readonly name = 'ApiClientOptionsError';
  readonly field: string;
  constructor(field: string, expected: string, got: unknown) {
    super(`ApiClientOptions.${field}: expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
    this.field = field;
  }
}

function statusWords(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request';
    case 401:
      return 'Not logged in';
    case 403:
      return 'Not allowed';
    case 404:
      return 'Not found';
    case 409:
      return 'Conflict';
    case 422:
      return 'Invalid input';
    case 429:
      return 'Too many requests';
    default:
      return status >= 500 ? `Server error (${status})` : `Request failed (${status})`;
  }
}

/**
 * Airflow's error bodies as one line of text: `{"detail": "..."}`, or FastAPI's validation list
 * `{"detail": [{"loc": [...], "msg": "..."}]}`, or anything else the server sent.
 */
export function describeErrorBody(body: unknown, fallback: string): string {
  if (typeof body === 'object' && body !== null && 'detail' in body) {
    const detail = body.detail;
    if (typeof detail === 'string' && detail !== '') return detail;
    if (Array.isArray(detail)) {
      const parts = detail.map((d: unknown) => {
        if (typeof d !== 'object' || d === null) return String(d);
        const { loc, msg } = d as { loc?: unknown; msg?: unknown };
        const where = Array.isArray(loc) ? loc.filter((x) => x !== 'body' && x !== 'query').join('.') : '';
        return where ? `${where}: ${String(msg)}` : String(msg);
      });
      if (parts.length > 0) return parts.join('; ');
    }
  }
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 300);
  return fallback;
}
