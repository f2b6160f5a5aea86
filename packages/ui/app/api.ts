import { ApiClient } from '../src/api/client.js';
import { ApiError } from '../src/api/errors.js';

/** The CSRF cookie the server sets at login; echoed in `X-CSRF-Token` on state-changing requests. */
function csrfCookie(): string | null {
  const m = /(?:^|;\s*)updraft_csrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1] as string) : null;
}

/** The app's one API client: same origin, cookie session. */
// Six at a time: what a browser opens to one host over HTTP/1.1.
export const api = new ApiClient({ baseUrl: '', csrfToken: csrfCookie, pageConcurrency: 6 });

/** Words for any error, for the user. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Whether an error means the session is gone. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
