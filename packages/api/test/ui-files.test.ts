import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../src/index.js';
import { TEST_SCRYPT_LOG_N } from './support/fixture.js';
import { sqliteTarget } from './support/targets.js';

describe('web UI files', () => {
  let home: string;
  let server: ApiServer;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'updraft-ui-'));
    const ui = join(home, 'web');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Updraft</title><div id="root"></div>');
    writeFileSync(join(ui, 'assets', 'app.js'), 'console.log("app");');
    writeFileSync(join(home, 'secret.txt'), 'TOPSECRET');
    const opened = await sqliteTarget.open();
    dispose = () => opened.dispose();
    server = await createApiServer({ store: opened.store, home, uiFolder: ui, scryptLogN: TEST_SCRYPT_LOG_N });
  });
  afterEach(async () => {
    await server.close();
    await dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('serves the app without a login, with a CSP, and index.html for client-side routes', async () => {
    const index = await server.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<div id="root">');
    expect(String(index.headers['content-security-policy'])).toMatch(/script-src 'self'/);
    expect((await server.inject({ method: 'GET', url: '/assets/app.js' })).body).toContain('app');
    const route = await server.inject({ method: 'GET', url: '/dags/demo/grid' });
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain('<div id="root">');
  });

  it('keeps API paths as JSON 404s and never serves files outside the folder', async () => {
    const api = await server.inject({ method: 'GET', url: '/api/v2/nothing' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ detail: 'Not Found' });
    expect((await server.inject({ method: 'GET', url: '/api/v2/dags' })).statusCode).toBe(401);
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.body).not.toContain('TOPSECRET');
    }
  });
});
