/**
 * A stand-in for `updraft api-server` in the UI's tests: node:http speaking the same routes and shapes (Airflow's
 * `/api/v2`, the cookie session with CSRF, the `/ui` live streams and output files), over an in-memory state
 * that a simulated scheduler moves forward step by step. Not a second implementation of Updraft: just enough
 * to prove the UI before the real server runs underneath it.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { reportMarkdown, tutorialFixture, type MockDag, type MockFixture, type MockTask } from './fixture.js';

type Role = 'viewer' | 'op' | 'admin';
type Access = 'public' | Role;

/** Options of {@link startMockApi}. */
export interface MockApiOptions {
  /** A built UI served at `/` (index.html for other GETs outside the API); default none. */
  staticDir?: string | null;
  /** Milliseconds between two steps of the simulated scheduler; default 100. */
  stepMs?: number;
  /** What is served; default `tutorialFixture()`. */
  fixture?: MockFixture;
  /** Users and passwords; default admin/admin (admin), op/op (op), viewer/viewer (viewer). */
  users?: { username: string; password: string; role: Role }[];
  /** Largest page a listing answers (Airflow's maximum_page_limit); default 100. */
  maximumPageLimit?: number;
}

/** A running mock API. */
export interface MockApi {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests served, by `METHOD path` without the query (for tests on how the UI pages). */
  requests: string[];
  /** Lets a `hold` task that is waiting go on writing its log and finish. */
  release(dagId: string, taskId: string): void;
  close(): Promise<void>;
}

interface Run {
  dag_id: string;
  dag_run_id: string;
  state: 'queued' | 'running' | 'success' | 'failed';
  run_type: string;
  run_after: string;
  logical_date: string | null;
  queued_at: string;
  start_date: string | null;
  end_date: string | null;
  conf: Record<string, unknown>;
}

interface Try {
  try_number: number;
  state: string | null;
  start_date: string | null;
  end_date: string | null;
  queued_when: string | null;
  log: string;
}

interface Ti {
  id: string;
  dag_id: string;
  dag_run_id: string;
  task_id: string;
  state: string | null;
  try_number: number;
  max_tries: number;
  start_date: string | null;
  end_date: string | null;
  queued_when: string | null;
  tries: Try[];
  xcoms: Map<string, { value: unknown; timestamp: string }>;
}

type LiveEvent =
  | { type: 'dag_run'; dag_id: string; dag_run_id: string; state: string }
  | { type: 'task_instance'; dag_id: string; dag_run_id: string; task_id: string; map_index: number; state: string | null; try_number: number };

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : 'error');
  }
}

/** Starts the mock on 127.0.0.1 and a free port. */
export async function startMockApi(options: MockApiOptions = {}): Promise<MockApi> {
  const stepMs = options.stepMs ?? 100;
  const maxPage = options.maximumPageLimit ?? 100;
  const fixture = options.fixture ?? tutorialFixture();
  const users = options.users ?? [
    { username: 'admin', password: 'admin', role: 'admin' as const },
    { username: 'op', password: 'op', role: 'op' as const },
    { username: 'viewer', password: 'viewer', role: 'viewer' as const },
  ];
  const sessions = new Map<string, { username: string; role: Role; csrf: string }>();
  const dags = new Map(fixture.dags.map((d) => [d.dag_id, { ...d }]));
  const runs: Run[] = [];
  const runIndex = new Map<string, Run>();
  const runKey = (dagId: string, runId: string) => `${dagId}\0${runId}`;
  const addRun = (run: Run) => {
    runs.push(run);
    runIndex.set(runKey(run.dag_id, run.dag_run_id), run);
  };
  const tis = new Map<string, Ti>();
  const outputs: Record<string, Record<string, string>> = JSON.parse(JSON.stringify(fixture.outputs)) as Record<string, Record<string, string>>;
  const listeners = new Set<(e: LiveEvent) => void>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: string[] = [];
  const held = new Map<string, () => void>();
  const released = new Set<string>();
  let closing = false;

  const tiKey = (dagId: string, runId: string, taskId: string) => `${dagId}\0${runId}\0${taskId}`;
  const emit = (e: LiveEvent) => {
    for (const l of listeners) l(e);
  };
  const later = (fn: () => void) => {
    if (closing) return;
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, stepMs);
    timers.add(t);
  };

  // ------------------------------------------------------------------------------------ fixture history
  const day = 86_400_000;
  // History ends at today's midnight (UTC), so dates look like a real deployment's.
  const base = Math.floor(Date.now() / day) * day;
  for (const dag of dags.values()) {
    for (let i = 0; i < dag.historyRuns; i++) {
      const at = base - (dag.historyRuns - i) * day;
      const iso = new Date(at).toISOString();
      const run: Run = {
        dag_id: dag.dag_id,
        dag_run_id: `scheduled__${iso}`,
        state: 'success',
        run_type: 'scheduled',
        run_after: iso,
        logical_date: iso,
        queued_at: iso,
        start_date: iso,
        end_date: new Date(at + dag.tasks.length * 2000).toISOString(),
        conf: {},
      };
      addRun(run);
      dag.tasks.forEach((task, k) => {
        const start = new Date(at + k * 2000).toISOString();
        const end = new Date(at + k * 2000 + 1500).toISOString();
        const log = task.log.map((l) => `[${start}] INFO - ${l}\n`).join('');
        const ti = newTi(dag, run, task);
        Object.assign(ti, { state: 'success', try_number: 1, start_date: start, end_date: end, queued_when: start });
        ti.tries.push({ try_number: 1, state: 'success', start_date: start, end_date: end, queued_when: start, log });
        for (const [key, value] of Object.entries(task.xcoms ?? {})) {
          // History: accuracy varies a little so the chart has a shape.
          ti.xcoms.set(key, { value: key === 'accuracy' ? Math.round((0.9 + ((i * 37) % 10) / 100) * 1000) / 1000 : value, timestamp: end });
        }
      });
    }
  }

  function newTi(dag: MockDag, run: Run, task: MockTask): Ti {
    const ti: Ti = {
      id: randomBytes(8).toString('hex'),
      dag_id: dag.dag_id,
      dag_run_id: run.dag_run_id,
      task_id: task.task_id,
      state: null,
      try_number: 0,
      max_tries: 1,
      start_date: null,
      end_date: null,
      queued_when: null,
      tries: [],
      xcoms: new Map(),
    };
    tis.set(tiKey(dag.dag_id, run.dag_run_id, task.task_id), ti);
    return ti;
  }

  // ------------------------------------------------------------------------------- simulated scheduler
  function setRun(run: Run, state: Run['state']) {
    run.state = state;
    const now = new Date().toISOString();
    if (state === 'running') run.start_date ??= now;
    if (state === 'success' || state === 'failed') run.end_date = now;
    emit({ type: 'dag_run', dag_id: run.dag_id, dag_run_id: run.dag_run_id, state });
  }

  function setTi(ti: Ti, state: string | null) {
    ti.state = state;
    // A cleared task instance (null) waiting for its next try (scheduled) leaves its past tries as they ended.
    const cur = ti.tries[ti.tries.length - 1];
    if (cur && state !== null && state !== 'scheduled') cur.state = state;
    emit({ type: 'task_instance', dag_id: ti.dag_id, dag_run_id: ti.dag_run_id, task_id: ti.task_id, map_index: -1, state, try_number: ti.try_number });
  }

  function schedule() {
    for (const run of runs) {
      const dag = dags.get(run.dag_id);
      if (!dag || dag.is_paused || run.state === 'success' || run.state === 'failed') continue;
      if (run.state === 'queued') setRun(run, 'running');
      advance(dag, run);
    }
  }

  function advance(dag: MockDag, run: Run) {
    const states = new Map(dag.tasks.map((t) => [t.task_id, tis.get(tiKey(dag.dag_id, run.dag_run_id, t.task_id))]));
    const busy = [...states.values()].some((ti) => ti && (ti.state === 'running' || ti.state === 'queued' || ti.state === 'scheduled'));
    if (busy) return;
    const upstreamOf = (id: string) => dag.tasks.filter((t) => t.downstream.includes(id)).map((t) => t.task_id);
    const next = dag.tasks.find((t) => {
      const ti = states.get(t.task_id);
      return ti && ti.state === null && upstreamOf(t.task_id).every((u) => states.get(u)?.state === 'success');
    });
    const blocked = dag.tasks.filter((t) => states.get(t.task_id)?.state === null && upstreamOf(t.task_id).some((u) => ['failed', 'upstream_failed'].includes(states.get(u)?.state ?? '')));
    for (const t of blocked) setTi(states.get(t.task_id) as Ti, 'upstream_failed');
    if (!next) {
      const all = [...states.values()];
      if (all.every((ti) => ti && ti.state !== null)) setRun(run, all.some((ti) => ti?.state !== 'success') ? 'failed' : 'success');
      return;
    }
    runTask(dag, run, next, states.get(next.task_id) as Ti);
  }

  function runTask(dag: MockDag, run: Run, task: MockTask, ti: Ti) {
    setTi(ti, 'scheduled');
    later(() => {
      ti.try_number += 1;
      ti.queued_when = new Date().toISOString();
      ti.tries.push({ try_number: ti.try_number, state: 'queued', start_date: null, end_date: null, queued_when: ti.queued_when, log: '' });
      setTi(ti, 'queued');
      later(() => {
        const cur = ti.tries[ti.tries.length - 1] as Try;
        ti.start_date = cur.start_date = new Date().toISOString();
        ti.end_date = null;
        setTi(ti, 'running');
        let line = 0;
        const write = () => {
          const holdKey = `${dag.dag_id}\0${task.task_id}`;
          if (task.hold && line === 1 && !released.has(holdKey)) {
            held.set(holdKey, () => later(write));
            return;
          }
          if (line < task.log.length) {
            cur.log += `[${new Date().toISOString()}] INFO - ${task.log[line++] as string}\n`;
            later(write);
            return;
          }
          ti.end_date = cur.end_date = new Date().toISOString();
          if (task.fails) {
            cur.log += `[${ti.end_date}] ERROR - Task failed\n`;
            setTi(ti, 'failed');
          } else {
            for (const [key, value] of Object.entries(task.xcoms ?? {})) ti.xcoms.set(key, { value, timestamp: ti.end_date });
            if (task.task_id === 'generate_report') (outputs.report ??= {})['model_accuracy_report.md'] = reportMarkdown(run.dag_run_id);
            setTi(ti, 'success');
          }
          later(() => advance(dag, run));
        };
        later(write);
      });
    });
  }

  // ------------------------------------------------------------------------------------- serializers
  const dagJson = (d: MockDag) => ({
    dag_id: d.dag_id,
    dag_display_name: d.dag_id,
    is_paused: d.is_paused,
    is_stale: false,
    description: d.description,
    fileloc: d.fileloc,
    timetable_summary: d.schedule,
    timetable_description: d.schedule,
    tags: d.tags.map((name) => ({ name, dag_id: d.dag_id, dag_display_name: d.dag_id })),
    owners: d.owners,
    max_active_runs: 16,
    max_active_tasks: 16,
    has_import_errors: false,
    last_parsed_time: new Date(base).toISOString(),
    next_dagrun_logical_date: d.schedule ? new Date(base).toISOString() : null,
    next_dagrun_run_after: d.schedule ? new Date(base + day).toISOString() : null,
    file_token: Buffer.from(d.fileloc).toString('base64url'),
  });
  const runJson = (r: Run) => ({
    ...r,
    dag_display_name: r.dag_id,
    data_interval_start: r.logical_date,
    data_interval_end: r.logical_date,
    last_scheduling_decision: null,
    duration: r.start_date && r.end_date ? (Date.parse(r.end_date) - Date.parse(r.start_date)) / 1000 : null,
    triggered_by: r.run_type === 'manual' ? 'ui' : 'timetable',
    note: null,
    dag_versions: [],
  });
  const duration = (s: string | null, e: string | null) => (s && e ? (Date.parse(e) - Date.parse(s)) / 1000 : null);
  const tiJson = (ti: Ti) => {
    const run = runIndex.get(runKey(ti.dag_id, ti.dag_run_id)) as Run;
    return {
      id: ti.id,
      task_id: ti.task_id,
      dag_id: ti.dag_id,
      dag_run_id: ti.dag_run_id,
      map_index: -1,
      logical_date: run.logical_date,
      run_after: run.run_after,
      start_date: ti.start_date,
      end_date: ti.end_date,
      duration: duration(ti.start_date, ti.end_date),
      state: ti.state,
      try_number: ti.try_number,
      max_tries: ti.max_tries,
      task_display_name: ti.task_id,
      dag_display_name: ti.dag_id,
      hostname: ti.try_number > 0 ? 'mock-host' : null,
      unixname: 'updraft',
      pool: 'default_pool',
      pool_slots: 1,
      queue: 'default',
      priority_weight: 1,
      operator: 'PythonOperator',
      operator_name: 'PythonOperator',
      queued_when: ti.queued_when,
      scheduled_when: null,
      pid: null,
      executor: null,
      note: null,
    };
  };
  const tryJson = (ti: Ti, t: Try) => ({
    task_id: ti.task_id,
    dag_id: ti.dag_id,
    dag_run_id: ti.dag_run_id,
    map_index: -1,
    start_date: t.start_date,
    end_date: t.end_date,
    duration: duration(t.start_date, t.end_date),
    state: t.state,
    try_number: t.try_number,
    max_tries: ti.max_tries,
    hostname: 'mock-host',
    queued_when: t.queued_when,
    scheduled_when: null,
  });
  const parseLines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((line) => {
        const m = /^\[(\S+)\] ([A-Z]+) - (.*)$/s.exec(line);
        return m ? { timestamp: m[1], level: (m[2] as string).toLowerCase(), event: m[3] } : { event: line };
      });

  // ---------------------------------------------------------------------------------------- routing
  type Ctx = { req: IncomingMessage; res: ServerResponse; url: URL; params: string[]; body: unknown; user: { username: string; role: Role } | null };
  type Handler = (c: Ctx) => unknown;
  const routes: { method: string; re: RegExp; access: Access; handler: Handler }[] = [];
  const route = (method: string, path: string, access: Access, handler: Handler) => {
    const re = new RegExp(`^${path.replace(/\{[^}]+\}/g, '([^/]+)').replace('/*', '/(.+)')}$`);
    routes.push({ method, re, access, handler });
  };
  const page = <T>(items: T[], url: URL) => {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), maxPage);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    return items.slice(offset, offset + limit);
  };
  const dagOr404 = (id: string) => {
    const d = dags.get(id);
    if (!d) throw new HttpError(404, `The Dag with ID: \`${id}\` was not found`);
    return d;
  };
  const runOr404 = (dagId: string, runId: string) => {
    const r = runIndex.get(runKey(dagId, runId));
    if (!r) throw new HttpError(404, `The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`);
    return r;
  };
  const tiOr404 = (dagId: string, runId: string, taskId: string) => {
    const ti = tis.get(tiKey(dagId, runId, taskId));
    if (!ti) throw new HttpError(404, `The Task Instance with dag_id: \`${dagId}\`, run_id: \`${runId}\`, task_id: \`${taskId}\` was not found`);
    return ti;
  };
  const sortRuns = (list: Run[], order: string | null) => {
    const desc = order?.startsWith('-') ?? false;
    return [...list].sort((a, b) => (Date.parse(a.run_after) - Date.parse(b.run_after)) * (desc ? -1 : 1));
  };

  route('POST', '/auth/login', 'public', ({ body, res }) => {
    const { username, password } = (body ?? {}) as { username?: string; password?: string };
    const user = users.find((u) => u.username === username && u.password === password);
    if (!user) throw new HttpError(401, 'Invalid username or password');
    const token = randomBytes(16).toString('hex');
    const csrf = randomBytes(16).toString('hex');
    sessions.set(token, { username: user.username, role: user.role, csrf });
    res.setHeader('set-cookie', [`_token=${token}; Path=/; HttpOnly; SameSite=Strict`, `updraft_csrf=${csrf}; Path=/; SameSite=Strict`]);
    return { username: user.username, role: user.role, csrf_token: csrf, expires_in: 86_400 };
  });
  route('POST', '/auth/token', 'public', ({ body, res }) => {
    const { username, password } = (body ?? {}) as { username?: string; password?: string };
    const user = users.find((u) => u.username === username && u.password === password);
    if (!user) throw new HttpError(401, 'Invalid username or password');
    const token = randomBytes(16).toString('hex');
    sessions.set(`bearer:${token}`, { username: user.username, role: user.role, csrf: '' });
    res.statusCode = 201;
    return { access_token: token, token_type: 'bearer', expires_in: 86_400 };
  });
  route('POST', '/auth/logout', 'public', ({ req, res }) => {
    const token = cookies(req)._token;
    if (token) sessions.delete(token);
    res.setHeader('set-cookie', ['_token=; Path=/; Max-Age=0', 'updraft_csrf=; Path=/; Max-Age=0']);
    res.statusCode = 204;
    return undefined;
  });
  route('GET', '/auth/me', 'viewer', ({ user }) => user);

  route('GET', '/api/v2/dags', 'viewer', ({ url }) => {
    const pattern = url.searchParams.get('dag_id_pattern');
    const tags = url.searchParams.getAll('tags');
    const paused = url.searchParams.get('paused');
    const re = pattern ? new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'i') : null;
    const list = [...dags.values()]
      .filter((d) => (!re || re.test(d.dag_id)) && (tags.length === 0 || d.tags.some((t) => tags.includes(t))) && (paused === null || String(d.is_paused) === paused))
      .sort((a, b) => (a.dag_id < b.dag_id ? -1 : 1));
    return { dags: page(list, url).map(dagJson), total_entries: list.length };
  });
  route('GET', '/api/v2/dagTags', 'viewer', ({ url }) => {
    const list = [...new Set([...dags.values()].flatMap((d) => d.tags))].sort();
    return { tags: page(list, url), total_entries: list.length };
  });
  route('GET', '/ui/dags/recent_dag_runs', 'viewer', ({ url }) => {
    const limit = Number(url.searchParams.get('dag_runs_limit') ?? 10);
    const ids = url.searchParams.getAll('dag_ids');
    if (ids.length === 0) throw new HttpError(422, [{ loc: ['query', 'dag_ids'], msg: 'Field required', type: 'missing' }]);
    return {
      dags: ids.map((id) => ({
        dag_id: id,
        latest_dag_runs: sortRuns(
          runs.filter((r) => r.dag_id === id),
          '-run_after',
        )
          .slice(0, limit)
          .map(runJson),
      })),
    };
  });
  route('GET', '/api/v2/dags/{dag_id}', 'viewer', ({ params }) => dagJson(dagOr404(params[0] as string)));
  route('PATCH', '/api/v2/dags/{dag_id}', 'op', ({ params, body }) => {
    const d = dagOr404(params[0] as string);
    const paused = (body as { is_paused?: unknown } | null)?.is_paused;
    if (typeof paused !== 'boolean') throw new HttpError(422, [{ loc: ['body', 'is_paused'], msg: 'Field required', type: 'missing' }]);
    d.is_paused = paused;
    if (!paused) later(schedule);
    return dagJson(d);
  });
  route('GET', '/api/v2/dags/{dag_id}/details', 'viewer', ({ params }) => {
    const d = dagOr404(params[0] as string);
    const active = runs.filter((r) => r.dag_id === d.dag_id && (r.state === 'running' || r.state === 'queued')).length;
    return {
      ...dagJson(d),
      catchup: false,
      doc_md: d.doc_md,
      start_date: '2025-01-01T00:00:00Z',
      end_date: null,
      params: Object.fromEntries(Object.entries(d.params).map(([k, p]) => [k, { __class: 'airflow.sdk.definitions.param.Param', ...p }])),
      timezone: 'UTC',
      active_runs_count: active,
      dag_run_timeout: null,
    };
  });
  route('GET', '/api/v2/dags/{dag_id}/tasks', 'viewer', ({ params }) => {
    const d = dagOr404(params[0] as string);
    const tasks = d.tasks.map((t) => ({
      task_id: t.task_id,
      task_display_name: t.task_id,
      owner: d.owners[0] ?? null,
      trigger_rule: 'all_success',
      retries: 0,
      retry_delay: { __type: 'TimeDelta', days: 0, seconds: 300, microseconds: 0 },
      execution_timeout: null,
      downstream_task_ids: t.downstream,
      doc_md: null,
      operator_name: 'PythonOperator',
    }));
    return { tasks: [...tasks].sort((a, b) => (a.task_id < b.task_id ? -1 : 1)), total_entries: tasks.length };
  });
  route('GET', '/api/v2/dagSources/{dag_id}', 'viewer', ({ params }) => {
    const d = dagOr404(params[0] as string);
    return { dag_id: d.dag_id, dag_display_name: d.dag_id, content: d.source, version_number: null };
  });
  route('GET', '/api/v2/importErrors', 'viewer', ({ url }) => {
    const list = fixture.importErrors.map((e, i) => ({ import_error_id: i + 1, timestamp: new Date(base).toISOString(), filename: e.filename, bundle_name: null, stack_trace: e.stack_trace }));
    return { import_errors: page(list, url), total_entries: list.length };
  });
  route('GET', '/api/v2/dags/{dag_id}/dagRuns', 'viewer', ({ params, url }) => {
    const d = dagOr404(params[0] as string);
    const list = sortRuns(
      runs.filter((r) => r.dag_id === d.dag_id),
      url.searchParams.get('order_by'),
    );
    return { dag_runs: page(list, url).map(runJson), total_entries: list.length };
  });
  route('POST', '/api/v2/dags/{dag_id}/dagRuns', 'op', ({ params, body }) => {
    const d = dagOr404(params[0] as string);
    const b = (body ?? {}) as { conf?: unknown; logical_date?: string | null; dag_run_id?: string | null };
    if (b.conf !== undefined && (typeof b.conf !== 'object' || b.conf === null || Array.isArray(b.conf))) {
      throw new HttpError(422, [{ loc: ['body', 'conf'], msg: 'Input should be a valid dictionary', type: 'dict_type' }]);
    }
    const now = new Date().toISOString();
    const run: Run = {
      dag_id: d.dag_id,
      dag_run_id: b.dag_run_id ?? `manual__${now}`,
      state: 'queued',
      run_type: 'manual',
      run_after: now,
      logical_date: b.logical_date === undefined ? now : b.logical_date,
      queued_at: now,
      start_date: null,
      end_date: null,
      conf: (b.conf as Record<string, unknown> | undefined) ?? {},
    };
    if (runIndex.has(runKey(run.dag_id, run.dag_run_id))) throw new HttpError(409, `DAG Run ${run.dag_run_id} exists already`);
    addRun(run);
    for (const t of d.tasks) newTi(d, run, t);
    emit({ type: 'dag_run', dag_id: d.dag_id, dag_run_id: run.dag_run_id, state: 'queued' });
    later(schedule);
    return runJson(run);
  });
  route('GET', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}', 'viewer', ({ params }) => runJson(runOr404(params[0] as string, params[1] as string)));
  route('GET', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances', 'viewer', ({ params, url }) => {
    const [dagId, runId] = params as [string, string];
    if (runId !== '~') runOr404(dagId, runId);
    else dagOr404(dagId);
    const gte = url.searchParams.get('run_after_gte');
    const list = [...tis.values()].filter((ti) => {
      if (ti.dag_id !== dagId || (runId !== '~' && ti.dag_run_id !== runId)) return false;
      if (gte === null) return true;
      const run = runIndex.get(runKey(ti.dag_id, ti.dag_run_id)) as Run;
      return Date.parse(run.run_after) >= Date.parse(gte);
    });
    return { task_instances: page(list, url).map(tiJson), total_entries: list.length };
  });
  route('GET', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}', 'viewer', ({ params }) => tiJson(tiOr404(...(params as [string, string, string]))));
  route('PATCH', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}', 'op', ({ params, body }) => {
    const ti = tiOr404(...(params as [string, string, string]));
    const state = (body as { new_state?: unknown } | null)?.new_state;
    if (state !== 'success' && state !== 'failed' && state !== 'skipped') {
      throw new HttpError(422, [{ loc: ['body', 'new_state'], msg: 'new_state must be one of success, failed, skipped', type: 'value_error' }]);
    }
    ti.end_date ??= new Date().toISOString();
    setTi(ti, state);
    return { task_instances: [tiJson(ti)], total_entries: 1 };
  });
  route('GET', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries', 'viewer', ({ params }) => {
    const ti = tiOr404(...(params as [string, string, string]));
    return { task_instances: ti.tries.map((t) => tryJson(ti, t)), total_entries: ti.tries.length };
  });
  route('POST', '/api/v2/dags/{dag_id}/clearTaskInstances', 'op', ({ params, body }) => {
    const d = dagOr404(params[0] as string);
    const b = (body ?? {}) as { dry_run?: boolean; dag_run_id?: string; task_ids?: string[]; only_failed?: boolean };
    const list = [...tis.values()].filter(
      (ti) => ti.dag_id === d.dag_id && (!b.dag_run_id || ti.dag_run_id === b.dag_run_id) && (!b.task_ids || b.task_ids.includes(ti.task_id)) && (b.only_failed === false || ti.state === 'failed'),
    );
    if (b.dry_run === false) {
      for (const ti of list) {
        ti.max_tries = ti.try_number + 1;
        setTi(ti, null);
        const run = runOr404(ti.dag_id, ti.dag_run_id);
        setRun(run, 'queued');
      }
      later(schedule);
    }
    return { task_instances: list.map(tiJson), total_entries: list.length };
  });
  route('GET', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}', 'viewer', ({ params, url }) => {
    const ti = tiOr404(...(params.slice(0, 3) as [string, string, string]));
    const t = ti.tries.find((x) => x.try_number === Number(params[3]));
    if (!t) throw new HttpError(404, `Try ${params[3] as string} does not exist`);
    const token = url.searchParams.get('token');
    const from = token ? (JSON.parse(Buffer.from(token, 'base64url').toString()) as { log_pos: number }).log_pos : 0;
    const bytes = Buffer.from(t.log);
    const text = bytes.subarray(from).toString();
    return { content: parseLines(text), continuation_token: Buffer.from(JSON.stringify({ log_pos: bytes.length })).toString('base64url') };
  });
  route('GET', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries', 'viewer', ({ params, url }) => {
    const [dagId, runId, taskId] = params as [string, string, string];
    // `~` for the task only: what the UI asks.
    runOr404(dagId, runId);
    const owners = taskId === '~' ? [...tis.values()].filter((t) => t.dag_id === dagId && t.dag_run_id === runId) : [tiOr404(dagId, runId, taskId)];
    const key = url.searchParams.get('xcom_key');
    const list = owners.flatMap((ti) =>
      [...ti.xcoms.entries()]
        .filter(([k]) => key === null || k === key)
        .map(([k, x]) => ({ key: k, timestamp: x.timestamp, logical_date: null, map_index: -1, task_id: ti.task_id, dag_id: ti.dag_id, run_id: ti.dag_run_id })),
    );
    return { xcom_entries: page(list, url), total_entries: list.length };
  });
  route('GET', '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{key}', 'viewer', ({ params }) => {
    const ti = tiOr404(...(params.slice(0, 3) as [string, string, string]));
    const x = ti.xcoms.get(params[3] as string);
    if (!x) throw new HttpError(404, `XCom entry with key: \`${params[3] as string}\` not found`);
    return { key: params[3], timestamp: x.timestamp, logical_date: null, map_index: -1, task_id: ti.task_id, dag_id: ti.dag_id, run_id: ti.dag_run_id, value: x.value };
  });
  route('GET', '/ui/dags/{dag_id}/dagRuns/{dag_run_id}/report', 'viewer', ({ params }) => {
    const run = runOr404(params[0] as string, params[1] as string);
    const returned = [...tis.values()]
      .filter((ti) => ti.dag_id === run.dag_id && ti.dag_run_id === run.dag_run_id)
      .flatMap((ti) => {
        const x = ti.xcoms.get('return_value');
        return x ? [{ ti, ...x }] : [];
      })
      .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
    for (const { ti, value, timestamp } of returned) {
      if (typeof value !== 'string' || !/\.(md|markdown|html?|txt)$/i.test(value)) continue;
      // The mock's folders are names only: the path's last segment that names one starts the file's path.
      const parts = value.split('/');
      for (let i = parts.length - 2; i >= 0; i--) {
        const folder = parts[i] as string;
        const path = parts.slice(i + 1).join('/');
        const text = outputs[folder]?.[path];
        if (text === undefined) continue;
        return {
          dag_id: run.dag_id,
          dag_run_id: run.dag_run_id,
          task_id: ti.task_id,
          folder,
          path,
          url: `/ui/outputs/${folder}/${path}`,
          media_type: 'text/markdown; charset=utf-8',
          size: Buffer.byteLength(text),
          modified_at: timestamp,
          rewritten: false,
          rewritten_by_run_id: null,
          content: text,
          truncated: false,
        };
      }
    }
    throw new HttpError(404, `Run ${run.dag_run_id} of DAG ${run.dag_id} has no report`);
  });
  route('GET', '/ui/dags/{dag_id}/xcomValues', 'viewer', ({ params, url }) => {
    const dag = dagOr404(params[0] as string);
    const taskId = url.searchParams.get('task_id');
    const key = url.searchParams.get('xcom_key') ?? '';
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const list = [...tis.values()]
      .filter((ti) => ti.dag_id === dag.dag_id && ti.task_id === taskId && ti.xcoms.has(key))
      .map((ti) => ({ dag_run_id: ti.dag_run_id, ...(ti.xcoms.get(key) as { value: unknown; timestamp: string }) }))
      .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
    return { values: list.slice(0, limit), total_entries: list.length };
  });
  route('GET', '/ui/outputs', 'viewer', () => ({ folders: Object.keys(outputs).sort() }));
  route('GET', '/ui/outputs/{folder}/*', 'viewer', ({ params, res }) => {
    const text = outputs[params[0] as string]?.[params[1] as string];
    if (text === undefined) throw new HttpError(404, 'File not found');
    res.setHeader('content-type', 'text/markdown; charset=utf-8');
    res.setHeader('content-security-policy', "sandbox; default-src 'none'");
    return text;
  });
  route('GET', '/ui/events', 'viewer', ({ req, res, url }) => {
    const dagId = url.searchParams.get('dag_id');
    const stream = sse(req, res, () => listeners.delete(listener));
    const listener = (e: LiveEvent) => {
      if (dagId === null || e.dag_id === dagId) stream.send(e.type, e);
    };
    listeners.add(listener);
    stream.send('ready', { dag_id: dagId });
    return STREAMING;
  });
  route('GET', '/ui/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}/stream', 'viewer', ({ req, res, params }) => {
    const ti = tiOr404(...(params.slice(0, 3) as [string, string, string]));
    const tryNumber = Number(params[3]);
    const t = ti.tries.find((x) => x.try_number === tryNumber);
    if (!t) throw new HttpError(404, `Try ${tryNumber} does not exist`);
    const last = Number(req.headers['last-event-id']);
    let pos = Number.isSafeInteger(last) && last >= 0 ? last : 0;
    let timer: NodeJS.Timeout | null = null;
    const stream = sse(req, res, () => {
      if (timer) clearTimeout(timer);
    });
    const tick = () => {
      const bytes = Buffer.from(t.log);
      if (bytes.length > pos) {
        const text = bytes.subarray(pos).toString();
        pos = bytes.length;
        stream.send('log', { lines: parseLines(text), pos }, pos);
      }
      const ended = tryNumber < ti.try_number || ['success', 'failed', 'skipped', 'upstream_failed'].includes(t.state ?? '');
      if (ended) {
        stream.send('end', { state: t.state, pos });
        stream.end();
        return;
      }
      if (!stream.closed && !closing) timer = setTimeout(tick, Math.max(20, stepMs / 2));
    };
    tick();
    return STREAMING;
  });

  const STREAMING = Symbol('streaming');
  const openStreams = new Set<ServerResponse>();
  function sse(req: IncomingMessage, res: ServerResponse, onClose: () => void) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    openStreams.add(res);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      openStreams.delete(res);
      onClose();
    };
    req.on('close', close);
    res.on('close', close);
    return {
      send(event: string, data: unknown, id?: number) {
        if (!closed) res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      end() {
        close();
        res.end();
      },
      get closed() {
        return closed;
      },
    };
  }

  function cookies(req: IncomingMessage): Record<string, string> {
    const out: Record<string, string> = {};
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const i = part.indexOf('=');
      if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    }
    return out;
  }

  function authenticate(req: IncomingMessage, access: Access) {
    if (access === 'public') return null;
    const header = req.headers.authorization;
    let session;
    if (header) session = sessions.get(`bearer:${header.replace(/^Bearer\s+/i, '')}`);
    else {
      session = sessions.get(cookies(req)._token ?? '');
      if (session && req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrf) {
        throw new HttpError(403, 'CSRF token missing or invalid: send the updraft_csrf cookie\'s value in the X-CSRF-Token header');
      }
    }
    if (!session) throw new HttpError(401, 'Not authenticated');
    const order: Role[] = ['viewer', 'op', 'admin'];
    if (order.indexOf(session.role) < order.indexOf(access)) {
      throw new HttpError(403, `Forbidden: this needs the ${access} role; user '${session.username}' has ${session.role}`);
    }
    return { username: session.username, role: session.role };
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, 'Body is not valid JSON');
    }
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const dir = options.staticDir;
    if (!dir || req.method !== 'GET' || /^\/(api|ui|auth)(\/|$)/.test(path)) return false;
    let file = normalize(join(dir, decodeURIComponent(path)));
    if (!file.startsWith(normalize(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) file = join(dir, 'index.html');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, ...(type.startsWith('text/html') && { 'content-security-policy': CSP }) });
    createReadStream(file).pipe(res);
    return true;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    requests.push(`${req.method ?? 'GET'} ${url.pathname}`);
    void (async () => {
      try {
        for (const r of routes) {
          const m = r.re.exec(url.pathname);
          if (!m || r.method !== req.method) continue;
          const user = authenticate(req, r.access);
          const body = req.method === 'GET' ? undefined : await readBody(req);
          const out = await r.handler({ req, res, url, params: m.slice(1).map((p) => decodeURIComponent(p)), body, user });
          if (out === STREAMING) return;
          res.setHeader('cache-control', 'no-store');
          if (out === undefined) {
            res.end();
            return;
          }
          if (typeof out === 'string') {
            res.end(out);
            return;
          }
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(out));
          return;
        }
        if (serveStatic(req, res, url.pathname)) return;
        throw new HttpError(404, 'Not Found');
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 500;
        const detail = error instanceof HttpError ? error.detail : String(error);
        if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    release: (dagId, taskId) => {
      const key = `${dagId}\0${taskId}`;
      released.add(key);
      const resume = held.get(key);
      held.delete(key);
      resume?.();
    },
    close: async () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      listeners.clear();
      for (const s of openStreams) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
