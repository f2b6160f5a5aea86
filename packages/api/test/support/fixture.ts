import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chain, DAG, serializeDag, serializedDagToJson } from '@updraft/core';
import type { MetadataStore } from '@updraft/store';
import type { LightMyRequestResponse } from 'fastify';
import { createApiServer, openUsers, type ApiServer, type ApiServerOptions, type Role } from '../../src/index.js';
import type { StoreTarget } from './targets.js';

/** Low scrypt cost: tests hash many passwords. */
export const TEST_SCRYPT_LOG_N = 4;
/** The password of every test user. */
export const PASSWORD = 'correct horse battery';

/** A running API server over a seeded store, with a token per role. */
export interface ApiFixture {
  server: ApiServer;
  store: MetadataStore;
  home: string;
  logsFolder: string;
  outputsFolder: string;
  tokens: Record<Role, string>;
  /** Sends a request as a user of `role` (or anonymously with null). */
  request(role: Role | null, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  dispose(): Promise<void>;
}

export const RUN_ID = 'manual__2025-01-01T00:00:00+00:00';
export const RUN_DATE = new Date('2025-01-01T00:00:00Z');

/** The DAG most tests use: extract >> transform >> load, 2 retries, an integer param with a default. */
export function demoDag(dagId = 'demo'): DAG {
  const dag = new DAG({
    dagId,
    description: 'demo pipeline',
    schedule: '@daily',
    startDate: '2025-01-01T00:00:00Z',
    tags: ['ml', 'demo'],
    defaultArgs: { owner: 'data-team', retries: 2 },
    params: { epochs: { type: 'integer', minimum: 1, default: 3 }, label: { type: 'string', default: 'x' } },
  });
  const noop = () => undefined;
  chain(dag.task('extract', noop), dag.task('transform', noop), dag.task('load', noop));
  return dag;
}

/** Writes a DAG as the DAG processor would: the DAG row and its serialized form. */
export async function putDag(store: MetadataStore, dag: DAG, fileloc: string, paused = false): Promise<void> {
  const s = serializeDag(dag);
  await store.upsertDag({
    dagId: dag.dagId,
    fileloc,
    description: s.description,
    owners: s.owners.join(', '),
    tags: s.tags,
    timetableSummary: '@daily',
    maxActiveRuns: s.maxActiveRuns,
    maxActiveTasks: s.maxActiveTasks,
    lastParsedTime: new Date(),
    isPausedUponCreation: paused,
  });
  await store.putSerializedDag({ dagId: dag.dagId, data: serializedDagToJson(s), dagHash: `${dag.dagId}-hash` });
}

/**
 * Seeds: DAG `demo` (unpaused, file on disk) with run RUN_ID where extract succeeded (1 try, XComs, a log),
 * transform failed on its second try (history of both) and load is upstream_failed; DAG `sleepy` paused; an
 * import error; audit events come from the tests' own actions.
 */
export async function seed(store: MetadataStore, home: string, logsFolder: string): Promise<void> {
  const dagFile = join(home, 'dags', 'demo.ts');
  mkdirSync(join(home, 'dags'), { recursive: true });
  writeFileSync(dagFile, "// the demo DAG's source\nexport const dag = 'demo';\n");
  await putDag(store, demoDag('demo'), dagFile);
  await putDag(store, demoDag('sleepy'), join(home, 'dags', 'sleepy.ts'), true);
  await store.createDagRun({
    dagId: 'demo',
    runId: RUN_ID,
    runType: 'manual',
    state: 'failed',
    logicalDate: RUN_DATE,
    runAfter: RUN_DATE,
    dataIntervalStart: RUN_DATE,
    dataIntervalEnd: RUN_DATE,
    startDate: RUN_DATE,
    triggeredBy: 'rest_api',
  });
  await store.createTaskInstances(['extract', 'transform', 'load'].map((taskId) => ({ dagId: 'demo', runId: RUN_ID, taskId, maxTries: 2, operator: 'Task' })));
  const key = (taskId: string) => ({ dagId: 'demo', runId: RUN_ID, taskId });
  const end = new Date(RUN_DATE.getTime() + 60_000);
  await store.transitionTaskInstance(key('extract'), { from: [null], to: 'success', patch: { tryNumber: 1, startDate: RUN_DATE, endDate: end, duration: 60, hostname: 'h' } });
  await store.transitionTaskInstance(key('transform'), { from: [null], to: 'up_for_retry', patch: { tryNumber: 1, startDate: RUN_DATE, endDate: end } });
  await store.recordTaskInstanceTry(key('transform'));
  await store.transitionTaskInstance(key('transform'), { from: ['up_for_retry'], to: 'failed', patch: { tryNumber: 2, startDate: end, endDate: end } });
  await store.recordTaskInstanceTry(key('transform'));
  await store.transitionTaskInstance(key('load'), { from: [null], to: 'upstream_failed' });
  await store.setXcom({ ...key('extract'), key: 'return_value' }, 42);
  await store.setXcom({ ...key('extract'), key: 'accuracy' }, { value: 0.97, labels: ['a', 'b'] });
  const logDir = join(logsFolder, 'dag_id=demo', `run_id=${RUN_ID}`, 'task_id=extract');
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(logDir, 'attempt=1.log'), '[2025-01-01T00:00:01.000Z] INFO - starting\n[2025-01-01T00:00:02.000Z] WARN - almost done\nplain line\n');
  await store.replaceImportErrors(join(home, 'dags', 'broken.ts'), [{ stackTrace: 'broken.ts:1: SyntaxError: Unexpected token' }]);
}

/** Starts a server over a fresh store of `target`, seeded, with users admin, op and viewer. */
export async function startFixture(target: StoreTarget, overrides: Partial<ApiServerOptions> = {}): Promise<ApiFixture> {
  const home = mkdtempSync(join(tmpdir(), 'updraft-api-'));
  const logsFolder = join(home, 'logs');
  const outputsFolder = join(home, 'outputs');
  mkdirSync(join(outputsFolder, 'report'), { recursive: true });
  writeFileSync(join(outputsFolder, 'report', 'report.md'), '# Report\naccuracy: 0.97\n');
  const opened = await target.open();
  const store = opened.store;
  const disposeStore = () => opened.dispose();
  const cleanup = async () => {
    await disposeStore();
    rmSync(home, { recursive: true, force: true });
  };
  let server: ApiServer;
  try {
    await seed(store, home, logsFolder);
    const users = openUsers({ home, scryptLogN: TEST_SCRYPT_LOG_N });
    for (const role of ['admin', 'op', 'viewer'] as const) await users.create(role, role, PASSWORD);
    server = await createApiServer({
    store,
    home,
    logsFolder,
    outputFolders: { mlops: outputsFolder },
    scryptLogN: TEST_SCRYPT_LOG_N,
    pollIntervalMs: 20,
    loginRateLimit: { max: 1000, windowMs: 60_000 },
    ...overrides,
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'op', 'viewer'] as const) {
    const res = await server.inject({ method: 'POST', url: '/auth/token', payload: { username: role, password: PASSWORD } });
    if (res.statusCode !== 201) throw new Error(`login of ${role} failed: ${res.body}`);
    tokens[role] = res.json<{ access_token: string }>().access_token;
  }
  return {
    server,
    store,
    home,
    logsFolder,
    outputsFolder,
    tokens,
    request: (role, method, url, body, headers = {}) =>
      server.inject({
        method: method as 'GET',
        url,
        headers: { ...(role && { authorization: `Bearer ${tokens[role]}` }), ...headers },
        ...(body !== undefined && { payload: body as string }),
      }),
    dispose: async () => {
      await server.close();
      await cleanup();
    },
  };
}
