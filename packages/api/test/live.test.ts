import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../src/index.js';
import { startFixture, type ApiFixture } from './support/fixture.js';
import { SseClient } from './support/sse-client.js';
import { sqliteTarget } from './support/targets.js';

const LIVE_RUN = 'live_run';

describe('live updates', () => {
  let f: ApiFixture;
  let base: string;
  const clients: SseClient[] = [];
  const listeners = new Set<(e: ApiEvent) => void>();

  beforeEach(async () => {
    f = await startFixture(sqliteTarget, {
      port: 0,
      events: {
        subscribe(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    });
    base = await f.server.listen();
    await f.store.createDagRun({ dagId: 'demo', runId: LIVE_RUN, runType: 'manual', state: 'running', runAfter: new Date(), logicalDate: null });
    await f.store.createTaskInstances([{ dagId: 'demo', runId: LIVE_RUN, taskId: 'extract' }]);
    await f.store.transitionTaskInstance({ dagId: 'demo', runId: LIVE_RUN, taskId: 'extract' }, { from: [null], to: 'running', patch: { tryNumber: 1 } });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await (f as ApiFixture | undefined)?.dispose();
  });

  async function connect(path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    clients.push(client);
    const status = await client.open(`${base}${path}`, { authorization: `Bearer ${f.tokens.viewer}`, ...headers });
    expect(status).toBe(200);
    return client;
  }

  it('streams state changes polled from the store, as a scheduler in another process makes them', async () => {
    const client = await connect('/ui/events');
    await client.next((e) => e.event === 'ready');
    const key = { dagId: 'demo', runId: LIVE_RUN, taskId: 'extract' };
    await f.store.transitionTaskInstance(key, { from: ['running'], to: 'success' });
    const ti = await client.next((e) => e.event === 'task_instance');
    expect(ti.data).toMatchObject({ dag_id: 'demo', dag_run_id: LIVE_RUN, task_id: 'extract', state: 'success', try_number: 1 });
    await f.store.updateDagRunState('demo', LIVE_RUN, { state: 'success' });
    const run = await client.next((e) => e.event === 'dag_run');
    expect(run.data).toMatchObject({ dag_id: 'demo', dag_run_id: LIVE_RUN, state: 'success' });
  });

  it('streams events of the in-process source, filtered by DAG', async () => {
    const client = await connect('/ui/events?dag_id=demo');
    await client.next((e) => e.event === 'ready');
    for (const listener of listeners) {
      listener({ type: 'dag_run', dag_id: 'other', dag_run_id: 'r', state: 'running' });
      listener({ type: 'dag_run', dag_id: 'demo', dag_run_id: 'r2', state: 'queued' });
    }
    const e = await client.next((x) => x.event === 'dag_run');
    expect(e.data).toMatchObject({ dag_id: 'demo', dag_run_id: 'r2' });
  });

  it('needs a login like every /ui route', async () => {
    const res = await fetch(`${base}/ui/events`);
    expect(res.status).toBe(401);
  });

  it("tails a running try's log and ends when the try does", async () => {
    const dir = join(f.logsFolder, 'dag_id=demo', `run_id=${LIVE_RUN}`, 'task_id=extract');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'attempt=1.log');
    writeFileSync(file, '[2025-01-01T00:00:00.000Z] INFO - first\n');
    const client = await connect(`/ui/dags/demo/dagRuns/${LIVE_RUN}/taskInstances/extract/logs/1/stream`);
    const first = await client.next((e) => e.event === 'log');
    expect(first.data.lines).toEqual([{ timestamp: '2025-01-01T00:00:00.000Z', level: 'info', event: 'first' }]);
    appendFileSync(file, 'second, half');
    appendFileSync(file, ' written\n');
    const second = await client.next((e) => e.event === 'log');
    expect(second.data.lines).toEqual([{ event: 'second, half written' }]);
    // Reconnecting with the last id resumes after what was seen.
    const resumed = await connect(`/ui/dags/demo/dagRuns/${LIVE_RUN}/taskInstances/extract/logs/1/stream`, { 'last-event-id': String(first.id) });
    expect((await resumed.next((e) => e.event === 'log')).data.lines).toEqual([{ event: 'second, half written' }]);
    await f.store.transitionTaskInstance({ dagId: 'demo', runId: LIVE_RUN, taskId: 'extract' }, { from: ['running'], to: 'success' });
    const end = await client.next((e) => e.event === 'end');
    expect(end.data.state).toBe('success');
  });
});
