import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDagResponse } from '../src/serialize/dags.js';
import { toDagRunResponse, toTaskInstanceResponse } from '../src/serialize/runs.js';
import { DAG_COLLECTION, DAG_RESPONSE, DAG_RUN_COLLECTION, DAG_RUN_RESPONSE, TASK_INSTANCE_COLLECTION, TASK_INSTANCE_RESPONSE } from '../src/serialize/schemas.js';
import { RUN_ID, startFixture, type ApiFixture } from './support/fixture.js';
import { sqliteTarget } from './support/targets.js';

/** What a route with `schema` sends for `value`, parsed back. */
async function throughSchema(schema: object, value: unknown): Promise<unknown> {
  const app = Fastify();
  app.get('/', { schema: { response: { 200: schema } } }, () => value);
  try {
    return (await app.inject({ url: '/' })).json();
  } finally {
    await app.close();
  }
}

describe('response schemas', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startFixture(sqliteTarget);
    // Every nullable field with a value: a field the schema forgot would be dropped.
    await f.store.updateDagRunState('demo', RUN_ID, { state: 'failed', from: ['failed'], note: 'a note', endDate: new Date('2025-01-01T01:00:00Z') });
    await f.store.transitionTaskInstance({ dagId: 'demo', runId: RUN_ID, taskId: 'extract' }, { from: ['success'], to: 'success', patch: { note: 'checked', pid: 42, queuedDttm: new Date(), hostname: 'h' } });
  });
  afterAll(async () => {
    await (f as ApiFixture | undefined)?.dispose();
  });

  it("keep every field of the DAG, run and task instance responses, as JSON.stringify writes them", async () => {
    const dags = (await f.store.listDags()).items.map(toDagResponse);
    const run = await f.store.getDagRun('demo', RUN_ID);
    if (!run) throw new Error('no run');
    const runs = [toDagRunResponse({ ...run, conf: { epochs: 3, nested: { a: [1, 2] } } }), toDagRunResponse({ ...run, conf: null as unknown as typeof run.conf })];
    const tis = (await f.store.listTaskInstances({ dagIds: ['demo'] })).items.map((ti) => toTaskInstanceResponse(ti, run));
    const cases: [object, unknown][] = [
      [DAG_RESPONSE, dags[0]],
      [DAG_COLLECTION, { dags, total_entries: dags.length }],
      [DAG_RUN_RESPONSE, runs[0]],
      [DAG_RUN_COLLECTION, { dag_runs: runs, total_entries: 2 }],
      [TASK_INSTANCE_RESPONSE, tis[0]],
      [TASK_INSTANCE_COLLECTION, { task_instances: tis, total_entries: tis.length }],
    ];
    expect(tis.some((t) => t.note === 'checked' && t.pid === 42)).toBe(true);
    for (const [schema, value] of cases) expect(await throughSchema(schema, value)).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('are what the routes answer with', async () => {
    const res = await f.request('viewer', 'GET', `/api/v2/dags/demo/dagRuns/${encodeURIComponent(RUN_ID)}/taskInstances`);
    const body = res.json<{ task_instances: { note: string | null }[] }>();
    expect(body.task_instances.map((t) => t.note)).toContain('checked');
  });
});
