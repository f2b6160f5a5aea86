import { ApiError, describeErrorBody, NetworkError } from './errors.js';
import { resolveApiClientOptions, type ApiClientOptions, type ResolvedApiClientOptions } from './options.js';
import { fetchPages } from './paging.js';
import type {
  ClearTaskInstancesBody,
  CurrentUser,
  DAGCollectionResponse,
  DAGDetailsResponse,
  DAGResponse,
  DAGRunCollectionResponse,
  DAGRunResponse,
  DAGSourceResponse,
  DAGTagCollectionResponse,
  ImportErrorCollectionResponse,
  LoginResponse,
  RecentDagRunsResponse,
  RunReportResponse,
  TaskCollectionResponse,
  TaskInstanceCollectionResponse,
  TaskInstanceHistoryCollectionResponse,
  TaskInstanceResponse,
  TaskInstancesLogResponse,
  TriggerDAGRunPostBody,
  XComCollectionResponse,
  XComResponse,
  XComResponseNative,
  XComValuesResponse,
} from './types.js';

/** Filters of the DAG list. */
export interface DagListQuery {
  /** Part of the DAG id (Airflow's `dag_id_pattern`, a SQL LIKE pattern: `%` is added around it). */
  search?: string;
  /** DAGs with any of these tags. */
  tags?: string[];
  /** Only paused (true) or only active (false) DAGs. */
  paused?: boolean;
  limit?: number;
  offset?: number;
}

/** What the Grid needs: the latest runs (oldest first), their task instances and the DAG's tasks. */
export interface GridData {
  runs: DAGRunResponse[];
  taskInstances: TaskInstanceResponse[];
  /** How many runs the DAG has in all. */
  totalRuns: number;
}

type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>;

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** DAG ids per recent-runs request: the server takes up to its page limit (100 unless configured lower). */
const RECENT_RUNS_BATCH = 50;

/**
 * The one module the UI talks to the server through: Airflow 3's `/api/v2` routes with their field names, and
 * Updraft's `/auth` (login, session) and `/ui` (live streams, output files) routes. Every failure is an
 * {@link ApiError} or a {@link NetworkError} whose message can be shown to the user as it is.
 */
export class ApiClient {
  readonly options: ResolvedApiClientOptions;

  constructor(options: ApiClientOptions = {}) {
    this.options = resolveApiClientOptions(options);
  }

  /** The URL of a path on the server, with query parameters (arrays repeat the name, as Airflow's). */
  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(name, v);
      else params.append(name, String(value));
    }
    const qs = params.toString();
    return `${this.options.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Sends a request and decodes its JSON answer (undefined for 204). */
  async request<T>(method: string, path: string, init: { query?: Query; body?: unknown; accept?: string } = {}): Promise<T> {
    const response = await this.#send(method, path, init);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }

  async #send(method: string, path: string, init: { query?: Query; body?: unknown; accept?: string }): Promise<Response> {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token !== null) headers.authorization = `Bearer ${this.options.token}`;
    if (!SAFE_METHODS.has(method)) {
      const csrf = this.options.csrfToken?.();
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    let response: Response;
    try {
      response = await this.options.fetch(this.url(path, init.query), {
        method,
        headers,
        credentials: 'same-origin',
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      });
    } catch (error) {
      throw new NetworkError(method, path, { cause: error });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: the text itself is described.
      }
      throw new ApiError(response.status, describeErrorBody(body, response.statusText || 'no details'), method, path);
    }
    return response;
  }

  // ------------------------------------------------------------------------------------------ session

  /** Browser login: the server sets the session and CSRF cookies. */
  login(username: string, password: string): Promise<LoginResponse> {
    return this.request('POST', '/auth/login', { body: { username, password } });
  }

  /** Trades a username and password for a bearer token (`POST /auth/token`), for non-browser clients. */
  async token(username: string, password: string): Promise<string> {
    const r = await this.request<{ access_token: string }>('POST', '/auth/token', { body: { username, password } });
    return r.access_token;
  }

  /** Ends the browser session (clears its cookies). */
  logout(): Promise<void> {
    return this.request('POST', '/auth/logout');
  }

  /** The logged-in user; an ApiError with status 401 when there is none. */
  me(): Promise<CurrentUser> {
    return this.request('GET', '/auth/me');
  }

  // --------------------------------------------------------------------------------------------- DAGs

  /** `GET /api/v2/dags`. */
  listDags(q: DagListQuery = {}): Promise<DAGCollectionResponse> {
    const search = q.search?.trim();
    return this.request('GET', '/api/v2/dags', {
      query: {
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
        order_by: 'dag_id',
        dag_id_pattern: search ? `%${search}%` : undefined,
        tags: q.tags && q.tags.length > 0 ? q.tags : undefined,
        paused: q.paused,
      },
    });
  }

  /** `GET /api/v2/dagTags`: every tag of the DAGs, by name (all pages). */
  async listDagTags(): Promise<string[]> {
    const r = await fetchPages(
      async (offset, limit) => {
        const page = await this.request<DAGTagCollectionResponse>('GET', '/api/v2/dagTags', { query: { limit, offset, order_by: 'name' } });
        return { items: page.tags, total: page.total_entries };
      },
      Number.MAX_SAFE_INTEGER,
      this.options.pageSize,
      this.options.pageConcurrency,
    );
    return r.items;
  }

  /** `GET /ui/dags/recent_dag_runs`: the latest `limit` runs of each DAG, newest first, by DAG id. */
  async recentDagRuns(dagIds: readonly string[], limit: number): Promise<Map<string, DAGRunResponse[]>> {
    const out = new Map<string, DAGRunResponse[]>();
    for (let i = 0; i < dagIds.length; i += RECENT_RUNS_BATCH) {
      const r = await this.request<RecentDagRunsResponse>('GET', '/ui/dags/recent_dag_runs', { query: { dag_ids: dagIds.slice(i, i + RECENT_RUNS_BATCH), dag_runs_limit: limit } });
      for (const d of r.dags) out.set(d.dag_id, d.latest_dag_runs);
    }
    return out;
  }

  /** `GET /api/v2/dags/{dag_id}`. */
  getDag(dagId: string): Promise<DAGResponse> {
    return this.request('GET', `/api/v2/dags/${enc(dagId)}`);
  }

  /** `GET /api/v2/dags/{dag_id}/details`: with params, docs, start date ... */
  getDagDetails(dagId: string): Promise<DAGDetailsResponse> {
    return this.request('GET', `/api/v2/dags/${enc(dagId)}/details`);
  }

  /** `PATCH /api/v2/dags/{dag_id}`: pause or unpause. */
  setPaused(dagId: string, isPaused: boolean): Promise<DAGResponse> {
    return this.request('PATCH', `/api/v2/dags/${enc(dagId)}`, { query: { update_mask: ['is_paused'] }, body: { is_paused: isPaused } });
  }

  /** `GET /api/v2/dags/{dag_id}/tasks`. */
  listTasks(dagId: string): Promise<TaskCollectionResponse> {
    return this.request('GET', `/api/v2/dags/${enc(dagId)}/tasks`);
  }

  /** `GET /api/v2/dagSources/{dag_id}`: the DAG file's text. */
  getDagSource(dagId: string): Promise<DAGSourceResponse> {
    return this.request('GET', `/api/v2/dagSources/${enc(dagId)}`);
  }

  /** `GET /api/v2/importErrors`. */
  listImportErrors(): Promise<ImportErrorCollectionResponse> {
    return this.request('GET', '/api/v2/importErrors', { query: { limit: this.options.pageSize, order_by: 'filename' } });
  }

  // --------------------------------------------------------------------------------------------- runs

  /** `GET /api/v2/dags/{dag_id}/dagRuns`, newest first. */
  listDagRuns(dagId: string, q: { limit?: number; offset?: number } = {}): Promise<DAGRunCollectionResponse> {
    return this.request('GET', `/api/v2/dags/${enc(dagId)}/dagRuns`, { query: { limit: q.limit ?? 25, offset: q.offset ?? 0, order_by: '-run_after' } });
  }

  /** The latest `max` runs, newest first, paging as needed. */
  async latestDagRuns(dagId: string, max: number): Promise<{ runs: DAGRunResponse[]; total: number }> {
    const r = await fetchPages(
      async (offset, limit) => {
        const page = await this.listDagRuns(dagId, { offset, limit });
        return { items: page.dag_runs, total: page.total_entries };
      },
      max,
      this.options.pageSize,
      this.options.pageConcurrency,
    );
    return { runs: r.items, total: r.total };
  }

  /** `GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}`. */
  getDagRun(dagId: string, runId: string): Promise<DAGRunResponse> {
    return this.request('GET', `/api/v2/dags/${enc(dagId)}/dagRuns/${enc(runId)}`);
  }

  /** `POST /api/v2/dags/{dag_id}/dagRuns`: trigger a run. */
  triggerDagRun(dagId: string, body: TriggerDAGRunPostBody): Promise<DAGRunResponse> {
    return this.request('POST', `/api/v2/dags/${enc(dagId)}/dagRuns`, { body });
  }

  // --------------------------------------------------------------------------------- task instances

  /** The Grid's data: the latest `maxRuns` runs (oldest first) and all their task instances. */
  async gridData(dagId: string, maxRuns: number): Promise<GridData> {
    const { runs, total } = await this.latestDagRuns(dagId, maxRuns);
    const oldest = runs[runs.length - 1];
    let taskInstances: TaskInstanceResponse[] = [];
    if (oldest) {
      const wanted = new Set(runs.map((r) => r.dag_run_id));
      // run_after_gte keeps the listing to the shown runs (Airflow's filter); a server without it answers more,
      // which the run filter below drops.
      const r = await fetchPages(
        async (offset, limit) => {
          const page = await this.request<TaskInstanceCollectionResponse>('GET', `/api/v2/dags/${enc(dagId)}/dagRuns/~/taskInstances`, {
            query: { limit, offset, run_after_gte: oldest.run_after },
          });
          return { items: page.task_instances, total: page.total_entries };
        },
        Number.MAX_SAFE_INTEGER,
        this.options.pageSize,
        this.options.pageConcurrency,
      );
      taskInstances = r.items.filter((ti) => wanted.has(ti.dag_run_id));
    }
    return { runs: runs.reverse(), taskInstances, totalRuns: total };
  }

  /** `GET .../dagRuns/{dag_run_id}/taskInstances`: every task instance of one run. */
  async listRunTaskInstances(dagId: string, runId: string): Promise<TaskInstanceResponse[]> {
    const r = await fetchPages(
      async (offset, limit) => {
        const page = await this.request<TaskInstanceCollectionResponse>('GET', `/api/v2/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances`, {
          query: { limit, offset },
        });
        return { items: page.task_instances, total: page.total_entries };
      },
      Number.MAX_SAFE_INTEGER,
      this.options.pageSize,
      this.options.pageConcurrency,
    );
    return r.items;
  }

  /** `GET .../taskInstances/{task_id}`. */
  getTaskInstance(dagId: string, runId: string, taskId: string): Promise<TaskInstanceResponse> {
    return this.request('GET', tiPath(dagId, runId, taskId));
  }

  /** `GET .../taskInstances/{task_id}/tries`: every try, oldest first. */
  listTries(dagId: string, runId: string, taskId: string): Promise<TaskInstanceHistoryCollectionResponse> {
    return this.request('GET', `${tiPath(dagId, runId, taskId)}/tries`);
  }

  /** `PATCH .../taskInstances/{task_id}`: mark success or failed. */
  markTaskInstance(dagId: string, runId: string, taskId: string, state: 'success' | 'failed'): Promise<TaskInstanceCollectionResponse> {
    return this.request('PATCH', tiPath(dagId, runId, taskId), { query: { update_mask: ['new_state'] }, body: { new_state: state } });
  }

  /** `POST /api/v2/dags/{dag_id}/clearTaskInstances`: the task instances run again. */
  clearTaskInstances(dagId: string, body: ClearTaskInstancesBody): Promise<TaskInstanceCollectionResponse> {
    return this.request('POST', `/api/v2/dags/${enc(dagId)}/clearTaskInstances`, { body });
  }

  /** `GET .../logs/{try_number}`: lines from the continuation token (or the start) and the next token. */
  getLog(dagId: string, runId: string, taskId: string, tryNumber: number, token?: string | null): Promise<TaskInstancesLogResponse> {
    return this.request('GET', `${tiPath(dagId, runId, taskId)}/logs/${tryNumber}`, { query: { token: token ?? undefined } });
  }

  /** `GET .../xcomEntries`: the task instance's XCom keys (no values). */
  listXComs(dagId: string, runId: string, taskId: string): Promise<XComCollectionResponse> {
    return this.request('GET', `${tiPath(dagId, runId, taskId)}/xcomEntries`, { query: { limit: this.options.pageSize } });
  }

  /** `GET .../xcomEntries/{key}`: one XCom with its value. */
  getXCom(dagId: string, runId: string, taskId: string, key: string): Promise<XComResponseNative> {
    return this.request('GET', `${tiPath(dagId, runId, taskId)}/xcomEntries/${enc(key)}`);
  }

  /** `GET .../dagRuns/{dag_run_id}/taskInstances/~/xcomEntries`: the run's XComs with this key, of every task (no values). */
  async findRunXComs(dagId: string, runId: string, key: string): Promise<XComResponse[]> {
    const r = await fetchPages(
      async (offset, limit) => {
        const page = await this.request<XComCollectionResponse>('GET', `/api/v2/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances/~/xcomEntries`, {
          query: { xcom_key: key, limit, offset },
        });
        return { items: page.xcom_entries, total: page.total_entries };
      },
      Number.MAX_SAFE_INTEGER,
      this.options.pageSize,
      this.options.pageConcurrency,
    );
    return r.items;
  }

  /**
   * One XCom's values across the DAG's runs (`/ui/dags/{dag_id}/xcomValues`, the accuracy chart), by run id: the
   * latest `limit` pushed.
   */
  async xcomValues(dagId: string, taskId: string, key: string, limit: number): Promise<Map<string, unknown>> {
    const r = await this.request<XComValuesResponse>('GET', `/ui/dags/${enc(dagId)}/xcomValues`, { query: { task_id: taskId, xcom_key: key, limit } });
    return new Map(r.values.map((v) => [v.dag_run_id, v.value]));
  }

  // ------------------------------------------------------------------------------ private /ui routes

  /** The live stream of run and task state changes (`/ui/events`), for an EventSource. */
  eventsUrl(filter: { dagId?: string; runId?: string } = {}): string {
    return this.url('/ui/events', { dag_id: filter.dagId, dag_run_id: filter.runId });
  }

  /** The live stream of one try's log lines, for an EventSource. */
  logStreamUrl(dagId: string, runId: string, taskId: string, tryNumber: number): string {
    return this.url(`/ui/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances/${enc(taskId)}/logs/${tryNumber}/stream`);
  }

  /** A run's report (`/ui/dags/{dag_id}/dagRuns/{dag_run_id}/report`), or null when it has none. */
  async getRunReport(dagId: string, runId: string): Promise<RunReportResponse | null> {
    try {
      return await this.request<RunReportResponse>('GET', `/ui/dags/${enc(dagId)}/dagRuns/${enc(runId)}/report`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function tiPath(dagId: string, runId: string, taskId: string): string {
  return `/api/v2/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances/${enc(taskId)}`;
}
