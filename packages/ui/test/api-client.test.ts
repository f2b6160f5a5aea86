import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client.js';
import { ApiClientOptionsError, ApiError, describeErrorBody, NetworkError } from '../src/api/errors.js';
import { resolveApiClientOptions } from '../src/api/options.js';
import { fetchPages } from '../src/api/paging.js';
import { tutorialFixture } from './e2e/fixture.js';
import { startMockApi, type MockApi } from './e2e/mock-api.js';

describe('resolveApiClientOptions', () => {
  it('fills the defaults', () => {
    const o = resolveApiClientOptions();
    expect(o).toMatchObject({ baseUrl: '', csrfToken: null, token: null, pageSize: 100, pageConcurrency: 4 });
  });

  it('names the bad option', () => {
    expect(() => resolveApiClientOptions({ baseUrl: 'ftp://x' })).toThrow(ApiClientOptionsError);
    expect(() => resolveApiClientOptions({ pageConcurrency: 0 })).toThrow(/pageConcurrency/);
    expect(() => resolveApiClientOptions({ token: '' })).toThrow(/token/);
    expect(resolveApiClientOptions({ baseUrl: 'http://127.0.0.1:8080/' }).baseUrl).toBe('http://127.0.0.1:8080');
  });
});

describe('fetchPages', () => {
  it('follows the page size the server really answers, with at most `concurrency` requests in flight', async () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    let inFlight = 0;
    let most = 0;
    const asked: [number, number][] = [];
    const r = await fetchPages(
      async (offset, limit) => {
        asked.push([offset, limit]);
        inFlight++;
        most = Math.max(most, inFlight);
        await Promise.resolve();
        inFlight--;
        return { items: items.slice(offset, offset + Math.min(limit, 5)), total: items.length };
      },
      Infinity,
      100,
      2,
    );
    expect(r.items).toEqual(items);
    expect(asked[0]).toEqual([0, 100]);
    expect(asked.slice(1).map(([o]) => o)).toEqual([5, 10, 15, 20]);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('stops at max', async () => {
    const r = await fetchPages((offset, limit) => Promise.resolve({ items: Array.from({ length: limit }, (_, i) => offset + i), total: 1000 }), 12, 5, 3);
    expect(r.items).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(r.total).toBe(1000);
  });
});

describe('describeErrorBody', () => {
  it("flattens Airflow's error bodies to one line", () => {
    expect(describeErrorBody({ detail: 'Dag not found' }, 'x')).toBe('Dag not found');
    expect(describeErrorBody({ detail: [{ loc: ['body', 'conf', 'epochs'], msg: 'must be an integer' }, { loc: ['query', 'limit'], msg: 'too big' }] }, 'x')).toBe(
      'conf.epochs: must be an integer; limit: too big',
    );
    expect(describeErrorBody('', 'Bad Gateway')).toBe('Bad Gateway');
  });
});

describe('ApiClient against the mock API', () => {
  let mock: MockApi;
  const fixture = tutorialFixture({ historyRuns: 30 });

  beforeAll(async () => {
    mock = await startMockApi({ fixture, maximumPageLimit: 7, stepMs: 5 });
  });
  afterAll(() => mock.close());

  const bearer = async (user: string) => {
    const token = await new ApiClient({ baseUrl: mock.url }).token(user, user);
    return new ApiClient({ baseUrl: mock.url, token, pageSize: 100 });
  };

  it('lists DAGs with a search', async () => {
    const api = await bearer('viewer');
    const r = await api.listDags({ search: 'mlops' });
    expect(r.dags.map((d) => d.dag_id)).toEqual(['mlops_pipeline']);
  });

  it('pages the Grid data through a server that caps pages, keeping only the shown runs', async () => {
    const api = await bearer('viewer');
    mock.requests.length = 0;
    const grid = await api.gridData('mlops_pipeline', 20);
    expect(grid.totalRuns).toBe(30);
    expect(grid.runs).toHaveLength(20);
    const times = grid.runs.map((r) => Date.parse(r.run_after));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const shown = new Set(grid.runs.map((r) => r.dag_run_id));
    expect(grid.taskInstances).toHaveLength(20 * 4);
    expect(grid.taskInstances.every((t) => shown.has(t.dag_run_id))).toBe(true);
    expect(mock.requests.filter((r) => r.endsWith('/dagRuns')).length).toBe(Math.ceil(20 / 7));
  });

  it('reads every tag through capped pages, and the latest runs of several DAGs in one request', async () => {
    const api = await bearer('viewer');
    expect(await api.listDagTags()).toEqual(['demo', 'iris', 'mlops', 'security', 'tutorial']);
    mock.requests.length = 0;
    const recent = await api.recentDagRuns(['mlops_pipeline', 'streaming_logs'], 3);
    expect(mock.requests).toEqual(['GET /ui/dags/recent_dag_runs']);
    const latest = recent.get('mlops_pipeline') ?? [];
    expect(latest).toHaveLength(3);
    expect(latest.map((r) => Date.parse(r.run_after))).toEqual(latest.map((r) => Date.parse(r.run_after)).sort((a, b) => b - a));
    expect(recent.get('streaming_logs')).toEqual([]);
  });

  it('says in words what a viewer may not do', async () => {
    const api = await bearer('viewer');
    const error = await api.triggerDagRun('mlops_pipeline', { conf: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
    expect((error as ApiError).message).toMatch(/^Not allowed: .*op role/);
  });

  it('reports validation errors by field, and unknown things as not found', async () => {
    const api = await bearer('op');
    const bad = await api.triggerDagRun('mlops_pipeline', { conf: [] as unknown as Record<string, unknown> }).catch((e: unknown) => e);
    expect((bad as ApiError).message).toBe('Invalid input: conf: Input should be a valid dictionary');
    const missing = await api.getDag('nope').catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
  });

  it('sends the CSRF token with a cookie session, and fails in words without it', async () => {
    const jar = new Map<string, string>();
    const cookieFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
      const response = await fetch(input, { ...init, headers });
      for (const c of response.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = (pair as string).indexOf('=');
        jar.set((pair as string).slice(0, i), (pair as string).slice(i + 1));
      }
      return response;
    };
    const noCsrf = new ApiClient({ baseUrl: mock.url, fetch: cookieFetch });
    const me = await noCsrf.login('op', 'op');
    expect(me.role).toBe('op');
    expect((await noCsrf.me()).username).toBe('op');
    const refused = await noCsrf.setPaused('xss_probe', true).catch((e: unknown) => e);
    expect((refused as ApiError).message).toMatch(/CSRF/);
    const withCsrf = new ApiClient({ baseUrl: mock.url, fetch: cookieFetch, csrfToken: () => jar.get('updraft_csrf') ?? null });
    expect((await withCsrf.setPaused('xss_probe', true)).is_paused).toBe(true);
    await withCsrf.logout();
    expect(((await withCsrf.me().catch((e: unknown) => e)) as ApiError).status).toBe(401);
  });

  it("reads one XCom's values across runs in one request, by run", async () => {
    const api = await bearer('viewer');
    const { runs } = await api.latestDagRuns('mlops_pipeline', 3);
    mock.requests.length = 0;
    const values = await api.xcomValues('mlops_pipeline', 'evaluate_model', 'accuracy', 100);
    expect(mock.requests).toHaveLength(1);
    expect(runs.every((r) => typeof values.get(r.dag_run_id) === 'number')).toBe(true);
    expect((await api.xcomValues('mlops_pipeline', 'evaluate_model', 'nothing', 100)).size).toBe(0);
  });

  it("finds the task that pushed a run's XCom, and a run's report or null", async () => {
    const api = await bearer('viewer');
    const { runs } = await api.latestDagRuns('mlops_pipeline', 1);
    const runId = (runs[0] as { dag_run_id: string }).dag_run_id;
    expect((await api.findRunXComs('mlops_pipeline', runId, 'accuracy')).map((x) => x.task_id)).toEqual(['evaluate_model']);
    expect(await api.findRunXComs('mlops_pipeline', runId, 'nothing')).toEqual([]);
    // History runs returned the report's path, but the mock has not written the file.
    expect(await api.getRunReport('mlops_pipeline', runId)).toBeNull();
    await expect(api.findRunXComs('mlops_pipeline', 'no_such_run', 'accuracy')).rejects.toMatchObject({ status: 404 });
  });

  it('turns an unreachable server into a NetworkError', async () => {
    const api = new ApiClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(api.me()).rejects.toBeInstanceOf(NetworkError);
  });
});
