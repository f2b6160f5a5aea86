/**
 * API latency under load: a server over a SQLite store holding 10,000 task instances, loaded from a second
 * process (autocannon's command line) on loopback with 50 connections. Reports p50 and p99 of `GET /api/v2/dags`,
 * of one run's task instances (every connection asks for the same URL, as dashboards polling one page do), and of
 * the task instances of 50 different runs (one per connection: no two requests in flight alike, so none share a
 * store query). Each endpoint is loaded for a warm-up second first, unmeasured: the figures are the steady state,
 * not the first JIT compilation. The team's `bench/run.ts` calls `benchApiLatency`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from 'autocannon';
import { createSqliteStore } from '@updraft/store';
import { createApiServer, openUsers } from '../src/index.js';

/** Options of {@link benchApiLatency}. */
export interface ApiLatencyOptions {
  /** Task instances stored, spread over runs of 100; default 10000. */
  taskInstances?: number;
  /** Concurrent connections; default 50. */
  connections?: number;
  /** Seconds each endpoint is loaded; default 5. */
  durationSeconds?: number;
  /** Seconds each endpoint is loaded before, unmeasured; default 1. */
  warmupSeconds?: number;
}

/** Latency figures of one endpoint, in milliseconds. */
export interface EndpointLatency {
  url: string;
  requests: number;
  errors: number;
  non2xx: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

export async function benchApiLatency(options: ApiLatencyOptions = {}): Promise<Record<string, unknown>> {
  const total = options.taskInstances ?? 10_000;
  const connections = options.connections ?? 50;
  const duration = options.durationSeconds ?? 5;
  const warmup = options.warmupSeconds ?? 1;
  const home = mkdtempSync(join(tmpdir(), 'updraft-bench-api-'));
  const store = createSqliteStore({ path: join(home, 'updraft.db') });
  try {
    await store.migrate();
    const perRun = 100;
    const runs = Math.ceil(total / perRun);
    for (let d = 0; d < 10; d++) await store.upsertDag({ dagId: `dag_${d}`, fileloc: `/dags/dag_${d}.ts`, tags: ['bench'], isPausedUponCreation: false });
    for (let r = 0; r < runs; r++) {
      const runId = `run_${String(r).padStart(4, '0')}`;
      await store.createDagRun({ dagId: `dag_${r % 10}`, runId, runType: 'scheduled', state: 'success', runAfter: new Date(Date.UTC(2025, 0, 1) + r * 60_000) });
      const n = Math.min(perRun, total - r * perRun);
      await store.createTaskInstances(Array.from({ length: n }, (_, i) => ({ dagId: `dag_${r % 10}`, runId, taskId: `task_${String(i).padStart(3, '0')}`, state: 'success' as const })));
    }
    await openUsers({ home, scryptLogN: 10 }).create('bench', 'viewer', 'bench password 123');
    const server = await createApiServer({ store, home, port: 0, scryptLogN: 10 });
    try {
      const base = await server.listen();
      const login = await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench', password: 'bench password 123' }),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const runTis = (r: number) => `/api/v2/dags/dag_${r % 10}/dagRuns/run_${String(r).padStart(4, '0')}/taskInstances`;
      const endpoints: { url: string; paths: string[] }[] = [
        { url: '/api/v2/dags', paths: ['/api/v2/dags'] },
        { url: runTis(0), paths: [runTis(0)] },
        { url: `${runTis(0)} ... ${runTis(connections - 1)} (one run per connection)`, paths: Array.from({ length: connections }, (_, r) => runTis(r % runs)) },
      ];
      const results: EndpointLatency[] = [];
      for (const { url, paths } of endpoints) {
        const targets = paths.map((p) => `${base}${p}`);
        if (warmup > 0) await loadFromChild(targets, connections, warmup, `Bearer ${token}`);
        const result = await loadFromChild(targets, connections, duration, `Bearer ${token}`);
        results.push({
          url,
          requests: result.requests.total,
          errors: result.errors,
          non2xx: result.non2xx,
          p50Ms: result.latency.p50,
          p90Ms: result.latency.p90,
          p99Ms: result.latency.p99,
          requestsPerSecond: result.requests.average,
        });
      }
      for (const r of results) {
        console.log(`api ${r.url}: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${Math.round(r.requestsPerSecond)} req/s (${connections} connections, ${total} task instances)`);
      }
      return { taskInstances: total, connections, durationSeconds: duration, warmupSeconds: warmup, goalP99Ms: 20, endpoints: results };
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Runs autocannon in a child process, so the load generator does not share the server's event loop. With several
 * URLs, connection i asks for URL i modulo their number.
 */
function loadFromChild(urls: string[], connections: number, duration: number, authorization: string): Promise<Result> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [cli, '-j', '-c', String(connections), '-d', String(duration), '-H', `authorization=${authorization}`, ...urls];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${err.slice(-500)}`));
      try {
        resolve(JSON.parse(out) as Result);
      } catch (error) {
        reject(new Error(`autocannon printed no JSON: ${(error as Error).message}`));
      }
    });
  });
}
