import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, stop, type Proc } from './processes.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bin } from './processes.js';

const exec = promisify(execFile);
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function home(): string {
  const d = mkdtempSync(join(tmpdir(), 'updraft-web-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('updraft api-server', () => {
  it('binds 127.0.0.1, creates admin with a random password once (file mode 0600), and guards the API', async () => {
    const h = home();
    const p: Proc = start(['api-server', '--port', '0'], { UPDRAFT_HOME: h });
    cleanup.push(() => stop(p));
    await p.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())?.[1] as string;
    const file = join(h, 'passwords.generated');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { admin } = JSON.parse(readFileSync(file, 'utf8')) as { admin: string };
    expect(admin.length).toBeGreaterThanOrEqual(22);
    expect(p.output()).toContain(admin);
    expect((await fetch(`${url}/api/v2/monitor/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/v2/dags`)).status).toBe(401);
    const login = await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: admin }) });
    expect(login.status).toBe(201);
    const { access_token } = (await login.json()) as { access_token: string };
    const dags = await fetch(`${url}/api/v2/dags`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(dags.status).toBe(200);
    expect(await dags.json()).toMatchObject({ dags: [], total_entries: 0 });
    await stop(p);
    // A second start keeps the same admin and prints no password.
    const again = start(['api-server', '--port', '0'], { UPDRAFT_HOME: h });
    cleanup.push(() => stop(again));
    await again.waitFor(/listening on/);
    expect(again.output()).not.toContain('Login with');
  });
});

describe('updraft users', () => {
  it('creates, lists, resets and deletes users', async () => {
    const h = home();
    const run = (args: string[]) => exec(process.execPath, [bin, ...args], { env: { ...process.env, UPDRAFT_HOME: h } });
    expect((await run(['users', 'create', '--username', 'ana', '--role', 'viewer', '--password', 'correct horse battery'])).stdout).toBe('created viewer ana\n');
    const made = await run(['users', 'create', '--username', 'op1', '--role', 'op']);
    expect(made.stdout).toMatch(/^created op op1 with password \S{20,}\n$/);
    const list = JSON.parse((await run(['users', 'list', '-o', 'json'])).stdout) as { username: string; role: string }[];
    expect(list.map((u) => [u.username, u.role])).toEqual([
      ['ana', 'viewer'],
      ['op1', 'op'],
    ]);
    expect((await run(['users', 'reset-password', '--username', 'ana'])).stdout).toMatch(/^password of ana reset: \S{20,}\n$/);
    await expect(run(['users', 'create', '--username', 'ana', '--role', 'admin'])).rejects.toMatchObject({ stderr: expect.stringMatching(/ana/) as unknown });
    await expect(run(['users', 'create', '--username', 'x', '--role', 'root'])).rejects.toMatchObject({ stderr: expect.stringMatching(/Allowed choices are viewer, op, admin/) as unknown });
    expect((await run(['users', 'delete', '--username', 'op1'])).stdout).toBe('deleted op1\n');
  });
});
