import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, type Proc, repo, startCli, stopCli } from './support/processes.js';
import { deleteRedisPrefix, describeWithServices, freshSchema, redisUrl, uniqueName } from './support/services.js';

const composeFile = join(repo, 'mlops', 'docker-compose.yml');
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as Compose;
const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}
interface Compose {
  services: Record<string, Service>;
}

const updraftServices = Object.entries(compose.services).filter(([name]) => name.startsWith('updraft-'));
/** The image's entry point: every command of an Updraft service is `updraft <command>`. */
const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
const defaultCommand = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** `updraft <args>` with the built CLI; its exit code and output. */
function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The subcommand path of a command line (`db migrate --x` gives `db migrate`) and the long options it uses. */
function split(command: readonly string[]): { path: string[]; options: string[] } {
  const first = command.findIndex((a) => a.startsWith('-'));
  return { path: first < 0 ? [...command] : command.slice(0, first), options: command.filter((a) => a.startsWith('--')) };
}

describe('Docker files', () => {
  it('docker-compose.yml is valid against the compose specification', () => {
    const require = createRequire(import.meta.url);
    const schemaFile = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    const { $schema: _ignored, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    // Compose resolves YAML merge keys (<<: *anchor) before it validates, as this parse does.
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // The same check catches a broken file: a service whose command is a number.
    expect(validate({ services: { x: { image: 'a', command: 1 } } })).toBe(false);
  });

  it('has the services of Airflow’s compose file, each Updraft one with a health check and the dags, logs and plugins mounts', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'updraft-api-server', 'updraft-dag-processor', 'updraft-init', 'updraft-scheduler', 'updraft-worker']);
    for (const [name, s] of updraftServices) {
      if (name !== 'updraft-init') expect(s.healthcheck?.test.length, name).toBeGreaterThan(0);
      for (const mount of ['/opt/updraft/dags', '/opt/updraft/logs', '/opt/updraft/plugins']) expect(s.volumes?.some((v) => v.endsWith(`:${mount}`)), `${name} ${mount}`).toBe(true);
    }
    expect(compose.services['updraft-api-server']?.ports?.some((p) => p.endsWith('8080:8080'))).toBe(true);
    expect(compose.services.redis?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(entrypoint).toEqual(['updraft']);
    // Multi-stage, non-root, with a health check.
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    // npm ci needs the package.json of every workspace before the sources are copied.
    const { workspaces } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { workspaces: string[] };
    for (const ws of workspaces) expect(dockerfile, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it('runs only commands and options the CLI has', () => {
    const commands = [defaultCommand, ...updraftServices.map(([, s]) => s.command ?? defaultCommand)];
    const checks = updraftServices.map(([, s]) => s.healthcheck?.test ?? []).filter((t) => t[1] === 'updraft').map((t) => t.slice(2));
    expect(checks.length).toBeGreaterThan(0);
    for (const command of [...commands, ...checks]) {
      const { path, options } = split(command);
      const help = cli([...path, '--help']);
      expect(help.status, `updraft ${path.join(' ')} --help: ${help.output}`).toBe(0);
      // Commander prints the parent's help for an unknown subcommand: the usage line must name the whole path.
      expect(help.output).toContain(`Usage: updraft ${path.join(' ')}`);
      for (const option of options) expect(help.output, `updraft ${path.join(' ')} ${option}`).toContain(option);
    }
  });

  it('sets only environment variables the code reads', () => {
    const sources = [...tsFiles(join(repo, 'packages', 'cli', 'src')), ...tsFiles(join(repo, 'mlops', 'dags'))].map((f) => readFileSync(f, 'utf8')).join('\n');
    const names = new Set<string>();
    for (const [, s] of updraftServices) for (const k of Object.keys(s.environment ?? {})) names.add(k);
    for (const m of dockerfile.matchAll(/^\s*(?:ENV )?(UPDRAFT_\w+)=/gm)) names.add(m[1] as string);
    expect(names.size).toBeGreaterThan(10);
    const unread = [...names].filter((n) => !new RegExp(`\\benv\\.${n}\\b|env\\[['"]${n}['"]\\]|'${n}'`).test(sources));
    expect(unread).toEqual([]);
  });
});

describeWithServices('the image’s commands, run outside Docker', () => {
  it('starts every component with the compose file’s command line and environment, and their health checks pass', { timeout: 300_000 }, async () => {
    const db = await freshSchema();
    cleanup.push(() => db.dispose());
    const prefix = uniqueName('ut');
    cleanup.push(() => deleteRedisPrefix(prefix));
    const root = mkdtempSync(join(tmpdir(), 'updraft-compose-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    // The compose environment as .env.example fills it in, with this machine's services and folders in place of
    // the containers'.
    const dotEnv = { ...readDotEnv(join(repo, 'mlops', '.env.example')), _UPDRAFT_WWW_USER_PASSWORD: 'a-long-enough-password', POSTGRES_PASSWORD: 'x', REDIS_PASSWORD: 'x' };
    const local = (env: Record<string, string> = {}): NodeJS.ProcessEnv => {
      const out: NodeJS.ProcessEnv = { UPDRAFT_REDIS_PREFIX: prefix };
      for (const [k, v] of Object.entries(env)) out[k] = interpolate(v, dotEnv).replace('/opt/updraft', root);
      return { ...out, UPDRAFT_DATABASE_URL: db.url, UPDRAFT_REDIS_URL: redisUrl, UPDRAFT_DAGS_FOLDER: join(repo, 'mlops', 'dags'), MLOPS_OUTPUT_DIR: join(root, 'out'), UPDRAFT_API_PORT: '0' };
    };
    const service = (name: string): Service => compose.services[name] as Service;
    const init = service('updraft-init');
    const migrated = cli(init.command ?? [], local(init.environment));
    expect(migrated.status, migrated.output).toBe(0);
    expect(migrated.output).toContain('created admin admin');
    const again = cli(init.command ?? [], local(init.environment));
    expect(again.output).toContain('user admin exists');
    const ready: Record<string, RegExp> = {
      'updraft-api-server': /api-server: listening on (http:\/\/\S+)/,
      'updraft-scheduler': /scheduler: running with the BullMQ executor/,
      'updraft-dag-processor': /dag-processor: 1 DAG/,
      'updraft-worker': /worker: taking tries from queue\(s\) default/,
    };
    const procs = new Map<string, Proc>();
    for (const [name, pattern] of Object.entries(ready)) {
      const s = service(name);
      const p = startCli(s.command ?? defaultCommand, local(s.environment));
      cleanup.push(() => stopCli(p));
      await p.waitFor(pattern, 120_000);
      procs.set(name, p);
    }
    for (const [name, s] of updraftServices) {
      const test = s.healthcheck?.test ?? [];
      if (test[1] === 'updraft') {
        const check = cli(test.slice(2), local(s.environment));
        expect(check.status, `${name}: ${check.output}`).toBe(0);
      }
    }
    const url = ready['updraft-api-server']?.exec(procs.get('updraft-api-server')?.output() ?? '')?.[1] as string;
    const health = (await (await fetch(`${url}/api/v2/monitor/health`)).json()) as { metadatabase: { status: string }; scheduler: { status: string } };
    expect(health.metadatabase.status).toBe('healthy');
    expect(health.scheduler.status).toBe('healthy');
    // The admin from updraft-init logs in.
    const login = await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a-long-enough-password' }) });
    expect(login.status).toBeLessThan(300);
    for (const p of procs.values()) await stopCli(p);
    expect([...procs.values()].map((p) => p.child.exitCode)).toEqual([0, 0, 0, 0]);
  });
});

/** `KEY=value` lines of an env file; empty values are left out. */
function readDotEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[2]) out[m[1] as string] = m[2];
  }
  return out;
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$` for a dollar sign. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === '$$') return '$';
    const v = vars[name as string];
    if (v !== undefined && v !== '') return v;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('.updraft-cache'))
    .map((e) => join(e.parentPath, e.name));
}
