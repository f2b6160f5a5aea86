import { ApiClientOptionsError } from './errors.js';

/** Options of the API client. */
export interface ApiClientOptions {
  /** Where the server is: `''` for the page's own origin (the browser app), or `http://host:port`; default `''`. */
  baseUrl?: string;
  /** The fetch to use; default the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Reads the CSRF token that a cookie session needs on state-changing requests (the `updraft_csrf` cookie);
   * default: none, for bearer-token clients.
   */
  csrfToken?: (() => string | null) | null;
  /** A bearer token (`POST /auth/token`) for clients without a cookie session; default none. */
  token?: string | null;
  /** Page size asked of listings (a server may answer smaller pages); default 100, Airflow's maximum page. */
  pageSize?: number;
  /** Most page requests a long listing sends at once; default 4. */
  pageConcurrency?: number;
}

/** `ApiClientOptions` with defaults filled in. */
export interface ResolvedApiClientOptions {
  baseUrl: string;
  fetch: typeof fetch;
  csrfToken: (() => string | null) | null;
  token: string | null;
  pageSize: number;
  pageConcurrency: number;
}

/** Validates `ApiClientOptions` and fills in the defaults. @throws ApiClientOptionsError naming the field. */
export function resolveApiClientOptions(options: ApiClientOptions = {}): ResolvedApiClientOptions {
  const baseUrl = options.baseUrl ?? '';
  if (typeof baseUrl !== 'string' || (baseUrl !== '' && !/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(baseUrl))) {
    throw new ApiClientOptionsError('baseUrl', "'' or an http(s) URL", baseUrl);
  }
  const f = options.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') throw new ApiClientOptionsError('fetch', 'a fetch function', f);
  const csrfToken = options.csrfToken ?? null;
  if (csrfToken !== null && typeof csrfToken !== 'function') throw new ApiClientOptionsError('csrfToken', 'a function', csrfToken);
  const token = options.token ?? null;
  if (token !== null && (typeof token !== 'string' || token === '')) throw new ApiClientOptionsError('token', 'a non-empty string', token);
  const int = (field: 'pageSize' | 'pageConcurrency', fallback: number, max: number): number => {
    const v = options[field] ?? fallback;
    if (!Number.isInteger(v) || v < 1 || v > max) throw new ApiClientOptionsError(field, `an integer from 1 to ${max}`, v);
    return v;
  };
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    // Bound to globalThis: browsers throw "Illegal invocation" for a fetch called as a method of another object.
    fetch: f === globalThis.fetch ? f.bind(globalThis) : f,
    csrfToken,
    token,
    pageSize: int('pageSize', 100, 10_000),
    pageConcurrency: int('pageConcurrency', 4, 16),
  };
}
