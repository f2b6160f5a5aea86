import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiServer, type RouteInfo } from '../src/index.js';
import { PASSWORD, RUN_ID, startFixture, TEST_SCRYPT_LOG_N, type ApiFixture } from './support/fixture.js';
import { sqliteTarget } from './support/targets.js';

type Json = Record<string, unknown>;

/** The only routes anyone may call: health, login and logout, the docs page and the OpenAPI document. */
const PUBLIC = ['GET /api/v2/monitor/health', 'POST /auth/token', 'POST /auth/login', 'POST /auth/logout', 'GET /openapi.json'];
const isDocs = (r: RouteInfo) => r.method === 'GET' && (r.url === '/docs' || r.url.startsWith('/docs/'));
const SECRET = 'TOPSECRET-outside-every-root';

/** A concrete URL for a route pattern: path parameters filled with values of the seeded data. */
function concrete(url: string): string {
  const values: Record<string, string> = {
    dag_id: 'demo',
    dag_run_id: encodeURIComponent(RUN_ID),
    task_id: 'extract',
    try_number: '1',
    xcom_key: 'return_value',
    username: 'viewer',
    folder: 'mlops',
    '*': 'report/report.md',
  };
  return url.replace(/:([A-Za-z_]+)|\*/g, (m: string, name?: string) => values[name ?? m] ?? 'x');
}

describe('security', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await startFixture(sqliteTarget);
    writeFileSync(join(f.home, 'secret.txt'), SECRET);
  });
  afterEach(async () => {
    await (f as ApiFixture | undefined)?.dispose();
  });

  it('is public only for health, login and static files', () => {
    const open = f.server.routes().filter((r) => r.access === 'public' && !isDocs(r));
    expect(open.map((r) => `${r.method} ${r.url}`).sort()).toEqual([...PUBLIC].sort());
  });

  it('answers 401 in the detail shape on every other route without credentials', async () => {
    const guarded = f.server.routes().filter((r) => r.access !== 'public');
    expect(guarded.length).toBeGreaterThan(25);
    for (const route of guarded) {
      const res = await f.server.inject({ method: route.method as 'GET', url: concrete(route.url), ...(route.method !== 'GET' && route.method !== 'DELETE' && { payload: {} }) });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(typeof res.json<Json>().detail).toBe('string');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers 401 for a malformed, forged or foreign token', async () => {
    const tries = ['Bearer', 'Basic dXNlcjpwYXNz', `Bearer ${f.tokens.viewer}x`, `Bearer ${f.tokens.viewer.split('.').slice(0, 2).join('.')}.`];
    for (const authorization of tries) {
      const res = await f.server.inject({ method: 'GET', url: '/api/v2/dags', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
    }
  });

  it('answers 403 to a viewer on every route that changes state, and to an op on user management', async () => {
    const writes = f.server.routes().filter((r) => r.access !== 'public' && r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(8);
    for (const route of writes) {
      const res = await f.request('viewer', route.method, concrete(route.url), route.method === 'DELETE' ? undefined : {});
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
    }
    for (const route of f.server.routes().filter((r) => r.access === 'admin')) {
      const res = await f.request('op', route.method, concrete(route.url), route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
    }
    expect((await f.store.getDag('demo'))?.isPaused).toBe(false);
    expect((await f.store.listDagRuns()).total).toBe(1);
  });

  it('revokes tokens when the password is reset or the user deleted', async () => {
    expect((await f.request('viewer', 'GET', '/api/v2/dags')).statusCode).toBe(200);
    const reset = await f.request('admin', 'PATCH', '/auth/users/viewer', { generate_password: true });
    expect(reset.statusCode).toBe(200);
    const password = reset.json<{ password: string }>().password;
    expect((await f.request('viewer', 'GET', '/api/v2/dags')).statusCode).toBe(401);
    expect((await f.server.inject({ method: 'POST', url: '/auth/token', payload: { username: 'viewer', password: PASSWORD } })).statusCode).toBe(401);
    expect((await f.server.inject({ method: 'POST', url: '/auth/token', payload: { username: 'viewer', password } })).statusCode).toBe(201);
    expect((await f.request('admin', 'DELETE', '/auth/users/op')).statusCode).toBe(204);
    expect((await f.request('op', 'GET', '/api/v2/dags')).statusCode).toBe(401);
  });

  it('rejects an expired token', async () => {
    const later = await createApiServer({ store: f.store, home: f.home, scryptLogN: TEST_SCRYPT_LOG_N, now: () => new Date(Date.now() + 2 * 86_400_000) });
    try {
      const res = await later.inject({ method: 'GET', url: '/api/v2/dags', headers: { authorization: `Bearer ${f.tokens.viewer}` } });
      expect(res.statusCode).toBe(401);
    } finally {
      await later.close();
    }
  });

  it('logs in with a form body as OAuth2 password clients do, and refuses bad credentials', async () => {
    const form = await f.server.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=op&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(form.statusCode).toBe(201);
    expect(form.json<Json>().token_type).toBe('bearer');
    for (const payload of [{ username: 'op', password: 'wrong password' }, { username: 'nobody', password: PASSWORD }]) {
      const res = await f.server.inject({ method: 'POST', url: '/auth/token', payload });
      expect(res.statusCode).toBe(401);
    }
    expect((await f.server.inject({ method: 'POST', url: '/auth/token', payload: { username: 'op' } })).statusCode).toBe(422);
    const failed = await f.store.listEvents({ events: ['login_failed'] });
    expect(failed.items.map((e) => JSON.parse(e.extra ?? '{}') as Json)).toEqual([{ username: 'op' }, { username: 'nobody' }]);
  });

  it('keeps a browser session in an HttpOnly cookie and asks for the CSRF token on writes', async () => {
    const login = await f.server.inject({ method: 'POST', url: '/auth/login', payload: { username: 'op', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const cookies = login.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string }[];
    const session = cookies.find((c) => c.name === '_token');
    const csrf = cookies.find((c) => c.name === 'updraft_csrf');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(csrf?.httpOnly).toBeFalsy();
    expect(login.json<Json>().csrf_token).toBe(csrf?.value);
    const cookie = `_token=${session?.value}; updraft_csrf=${csrf?.value}`;
    expect((await f.server.inject({ method: 'GET', url: '/api/v2/dags', headers: { cookie } })).statusCode).toBe(200);
    const noCsrf = await f.server.inject({ method: 'PATCH', url: '/api/v2/dags/demo', headers: { cookie }, payload: { is_paused: true } });
    expect(noCsrf.statusCode).toBe(403);
    const wrongCsrf = await f.server.inject({ method: 'PATCH', url: '/api/v2/dags/demo', headers: { cookie, 'x-csrf-token': 'guess' }, payload: { is_paused: true } });
    expect(wrongCsrf.statusCode).toBe(403);
    expect((await f.store.getDag('demo'))?.isPaused).toBe(false);
    const ok = await f.server.inject({ method: 'PATCH', url: '/api/v2/dags/demo', headers: { cookie, 'x-csrf-token': csrf?.value ?? '' }, payload: { is_paused: true } });
    expect(ok.statusCode).toBe(200);
    const logout = await f.server.inject({ method: 'POST', url: '/auth/logout' });
    expect(logout.statusCode).toBe(204);
    expect((logout.cookies as { name: string; value: string }[]).find((c) => c.name === '_token')?.value).toBe('');
  });

  it('rate-limits login attempts per client', async () => {
    const strict = await createApiServer({ store: f.store, home: f.home, scryptLogN: TEST_SCRYPT_LOG_N, loginRateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const attempt = () => strict.inject({ method: 'POST', url: '/auth/token', payload: { username: 'op', password: 'not the password' } });
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(limited.json<Json>().detail).toMatch(/Too many login attempts/);
      // The right password does not get through either once the limit is reached.
      expect((await strict.inject({ method: 'POST', url: '/auth/token', payload: { username: 'op', password: PASSWORD } })).statusCode).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('sends security headers, a CSP on HTML, and no CORS headers unless configured', async () => {
    const res = await f.request('viewer', 'GET', '/api/v2/dags', undefined, { origin: 'https://evil.example' });
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'cache-control': 'no-store' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await f.server.inject({ method: 'OPTIONS', url: '/api/v2/dags', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const docs = await f.server.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect(String(docs.headers['content-security-policy'])).toMatch(/default-src 'self'/);
    const spec = await f.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(Object.keys(spec.json<{ paths: Json }>().paths)).toContain('/api/v2/dags/{dag_id}/dagRuns');

    const cors = await createApiServer({ store: f.store, home: f.home, scryptLogN: TEST_SCRYPT_LOG_N, corsOrigins: ['https://ci.example.com'] });
    try {
      const allowed = await cors.inject({ method: 'OPTIONS', url: '/api/v2/dags', headers: { origin: 'https://ci.example.com', 'access-control-request-method': 'GET' } });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://ci.example.com');
      const other = await cors.inject({ method: 'OPTIONS', url: '/api/v2/dags', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await cors.close();
    }
  });

  describe('paths from requests', () => {
    const attacks = [
      '/ui/outputs/mlops/../secret.txt',
      '/ui/outputs/mlops/report/../../secret.txt',
      '/ui/outputs/mlops/%2e%2e%2fsecret.txt',
      '/ui/outputs/mlops/%2e%2e/secret.txt',
      '/ui/outputs/mlops/report%2f..%2f..%2fsecret.txt',
      '/ui/outputs/mlops/%252e%252e%252fsecret.txt',
      '/ui/outputs/mlops/..%5csecret.txt',
      '/ui/outputs/mlops//etc/passwd',
      '/ui/outputs/mlops/%2fetc%2fpasswd',
      '/ui/outputs/mlops/report.md%00.png',
      '/ui/outputs/mlops/report/report.md%00',
      '/ui/outputs/..%2f..%2fetc/passwd',
      '/ui/outputs/escape/secret.txt',
      '/ui/outputs/escape-dir/secret.txt',
    ];

    it('serves a file inside an output folder, sandboxed', async () => {
      const res = await f.request('viewer', 'GET', '/ui/outputs/mlops/report/report.md');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('accuracy: 0.97');
      expect(res.headers['content-security-policy']).toMatch(/^sandbox/);
    });

    it.each(attacks)('never serves bytes from outside the root: %s', async (url) => {
      symlinkSync(join(f.home, 'secret.txt'), join(f.outputsFolder, 'escape'));
      symlinkSync(f.home, join(f.outputsFolder, 'escape-dir'));
      const res = await f.request('viewer', 'GET', url);
      expect([400, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain(SECRET);
      expect(res.body).not.toContain('root:');
      expect(typeof res.json<Json>().detail).toBe('string');
    });

    it('reads no log through a symlink that leaves the logs folder', async () => {
      const dir = join(f.logsFolder, 'dag_id=demo', `run_id=${RUN_ID}`, 'task_id=transform');
      mkdirSync(dir, { recursive: true });
      symlinkSync(join(f.home, 'secret.txt'), join(dir, 'attempt=1.log'));
      const base = `/api/v2/dags/demo/dagRuns/${encodeURIComponent(RUN_ID)}/taskInstances/transform/logs/1`;
      for (const accept of ['application/json', 'text/plain']) {
        const res = await f.request('viewer', 'GET', base, undefined, { accept });
        expect([400, 404]).toContain(res.statusCode);
        expect(res.body).not.toContain(SECRET);
      }
    });

    it('answers 404 for log paths of task instances that do not exist', async () => {
      const urls = [
        `/api/v2/dags/demo/dagRuns/${encodeURIComponent(RUN_ID)}/taskInstances/..%2f..%2f..%2fsecret.txt/logs/1`,
        `/api/v2/dags/..%2f..%2f/dagRuns/x/taskInstances/extract/logs/1`,
        `/api/v2/dags/demo/dagRuns/%2e%2e/taskInstances/extract/logs/1`,
      ];
      for (const url of urls) {
        const res = await f.request('viewer', 'GET', url);
        expect([400, 404], url).toContain(res.statusCode);
        expect(res.body).not.toContain(SECRET);
      }
    });
  });
});
