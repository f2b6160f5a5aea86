import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, RUN_ID, type ApiFixture } from './fixture.js';
import type { StoreTarget } from './targets.js';

type Json = Record<string, unknown> & { detail?: unknown };
const enc = encodeURIComponent;
const RUN = `/api/v2/dags/demo/dagRuns/${enc(RUN_ID)}`;

/** Every endpoint's behaviour, against one database. */
export function endpointSuite(target: StoreTarget): void {
  const required = process.env.UPDRAFT_REQUIRE_SERVICES === '1';
  if (target.skipReason !== undefined) {
    if (required) {
      describe(`API endpoints: ${target.name}`, () => {
        it('needs its database (UPDRAFT_REQUIRE_SERVICES=1)', () => {
          throw new Error(target.skipReason);
        });
      });
    } else {
      console.warn(`Skipping API endpoint tests on ${target.name}: ${target.skipReason}. Set UPDRAFT_REQUIRE_SERVICES=1 to fail instead.`);
      describe.skip(`API endpoints: ${target.name} (${target.skipReason})`, () => {
        it('needs its database', () => undefined);
      });
    }
    return;
  }

  describe(`API endpoints: ${target.name}`, () => {
    let f: ApiFixture;
    beforeEach(async () => {
      f = await startFixture(target);
    });
    afterEach(async () => {
      // Undefined when startFixture failed: its own error is the one to see.
      await (f as ApiFixture | undefined)?.dispose();
    });
    const get = async (url: string, role: 'viewer' | 'op' | 'admin' = 'viewer') => {
      const res = await f.request(role, 'GET', url);
      return { status: res.statusCode, body: res.json<Json>() };
    };
    const send = async (method: string, url: string, body?: unknown, role: 'viewer' | 'op' | 'admin' = 'op') => {
      const res = await f.request(role, method, url, body);
      return { status: res.statusCode, body: res.body === '' ? ({} as Json) : res.json<Json>() };
    };
    const runCount = async () => (await f.store.listDagRuns({ dagIds: ['demo'] })).total;

    describe('DAGs', () => {
      it('lists DAGs with filters, pagination and order', async () => {
        const all = await get('/api/v2/dags');
        expect(all.status).toBe(200);
        expect(all.body.total_entries).toBe(2);
        expect((all.body.dags as Json[]).map((d) => d.dag_id)).toEqual(['demo', 'sleepy']);
        expect((await get('/api/v2/dags?dag_id_pattern=dem%25')).body.total_entries).toBe(1);
        expect(((await get('/api/v2/dags?paused=true')).body.dags as Json[]).map((d) => d.dag_id)).toEqual(['sleepy']);
        expect((await get('/api/v2/dags?tags=nope')).body.total_entries).toBe(0);
        expect((await get('/api/v2/dags?tags=ml&tags=nope')).body.total_entries).toBe(2);
        const page2 = await get('/api/v2/dags?limit=1&offset=1');
        expect(page2.body.total_entries).toBe(2);
        expect((page2.body.dags as Json[]).map((d) => d.dag_id)).toEqual(['sleepy']);
        expect(((await get('/api/v2/dags?order_by=-dag_id')).body.dags as Json[])[0]?.dag_id).toBe('sleepy');
      });

      it('lists the tags of the DAGs, filtered by a LIKE pattern, ordered and paged', async () => {
        await f.store.upsertDag({ dagId: 'tagged', fileloc: '/dags/tagged.ts', tags: ['Nightly', 'ml'] });
        expect((await get('/api/v2/dagTags')).body).toEqual({ tags: ['Nightly', 'demo', 'ml'], total_entries: 3 });
        expect((await get('/api/v2/dagTags?tag_name_pattern=night%25')).body.tags).toEqual(['Nightly']);
        expect((await get('/api/v2/dagTags?tag_name_pattern=de_o%20%7C%20ml')).body.tags).toEqual(['demo', 'ml']);
        expect((await get('/api/v2/dagTags?order_by=-name&limit=1&offset=1')).body).toEqual({ tags: ['demo'], total_entries: 3 });
        expect((await get('/api/v2/dagTags?order_by=dag_id')).status).toBe(422);
      });

      it('answers 422 naming the parameter for a bad order_by or limit', async () => {
        const bad = await get('/api/v2/dags?order_by=colour');
        expect(bad.status).toBe(422);
        expect((bad.body.detail as Json[])[0]?.loc).toEqual(['query', 'order_by']);
        const limit = await get('/api/v2/dags?limit=-1');
        expect(limit.status).toBe(422);
        expect((limit.body.detail as Json[])[0]?.loc).toEqual(['query', 'limit']);
      });

      it('gets one DAG, and 404 in the detail shape for an unknown one', async () => {
        const { body } = await get('/api/v2/dags/demo');
        expect(body).toMatchObject({ dag_id: 'demo', is_paused: false, owners: ['data-team'], has_import_errors: false });
        expect((body.tags as Json[]).map((t) => t.name)).toEqual(['demo', 'ml']);
        const missing = await get('/api/v2/dags/nope');
        expect(missing.status).toBe(404);
        expect(typeof missing.body.detail).toBe('string');
      });

      it('pauses and unpauses, and records it in the audit log', async () => {
        const paused = await send('PATCH', '/api/v2/dags/demo', { is_paused: true });
        expect(paused.status).toBe(200);
        expect(paused.body.is_paused).toBe(true);
        expect((await f.store.getDag('demo'))?.isPaused).toBe(true);
        const events = await get('/api/v2/eventLogs?event=patch_dag');
        expect(events.body.event_logs).toEqual([expect.objectContaining({ event: 'patch_dag', owner: 'op', dag_id: 'demo' })]);
      });

      it('rejects a bad pause body with 422 and changes nothing', async () => {
        for (const body of [{ is_paused: 'yes' }, { is_paused: true, colour: 'red' }, {}]) {
          const res = await send('PATCH', '/api/v2/dags/demo', body);
          expect(res.status).toBe(422);
          expect(Array.isArray(res.body.detail)).toBe(true);
        }
        expect((await f.store.getDag('demo'))?.isPaused).toBe(false);
        expect((await send('PATCH', '/api/v2/dags/nope', { is_paused: true })).status).toBe(404);
      });

      it('gives details and tasks from the serialized DAG', async () => {
        const details = await get('/api/v2/dags/demo/details');
        expect(details.body).toMatchObject({ dag_id: 'demo', catchup: false, timezone: 'UTC', start_date: '2025-01-01T00:00:00.000Z' });
        expect(Object.keys(details.body.params as Json)).toEqual(['epochs', 'label']);
        const tasks = await get('/api/v2/dags/demo/tasks');
        expect((tasks.body.tasks as Json[]).map((t) => t.task_id)).toEqual(['extract', 'load', 'transform']);
        expect((tasks.body.tasks as Json[]).find((t) => t.task_id === 'extract')).toMatchObject({ retries: 2, downstream_task_ids: ['transform'] });
        expect((await get('/api/v2/dags/demo/tasks?order_by=-task_id')).body.tasks).toMatchObject([{ task_id: 'transform' }, { task_id: 'load' }, { task_id: 'extract' }]);
        expect((await get('/api/v2/dags/demo/tasks/load')).body.task_id).toBe('load');
        expect((await get('/api/v2/dags/demo/tasks/nope')).status).toBe(404);
      });

      it('serves the DAG source as JSON or plain text', async () => {
        const json = await get('/api/v2/dagSources/demo');
        expect(json.body.content).toContain("the demo DAG's source");
        const text = await f.request('viewer', 'GET', '/api/v2/dagSources/demo', undefined, { accept: 'text/plain' });
        expect(text.headers['content-type']).toMatch(/^text\/plain/);
        expect(text.body).toBe(json.body.content);
      });
    });

    describe('DAG runs', () => {
      it('lists and gets runs, across DAGs with ~', async () => {
        const list = await get('/api/v2/dags/demo/dagRuns');
        expect(list.body.total_entries).toBe(1);
        expect((list.body.dag_runs as Json[])[0]).toMatchObject({ dag_run_id: RUN_ID, state: 'failed', run_type: 'manual' });
        expect((await get('/api/v2/dags/demo/dagRuns?state=success')).body.total_entries).toBe(0);
        expect((await get('/api/v2/dags/~/dagRuns')).body.total_entries).toBe(1);
        expect((await get(RUN)).body.logical_date).toBe('2025-01-01T00:00:00.000Z');
        expect((await get('/api/v2/dags/demo/dagRuns/nope')).status).toBe(404);
        expect((await get('/api/v2/dags/nope/dagRuns')).status).toBe(404);
      });

      it('triggers a run: queued, manual, by rest_api, conf kept, audited', async () => {
        const res = await send('POST', '/api/v2/dags/demo/dagRuns', { logical_date: '2025-02-01T00:00:00Z', conf: { epochs: 5 } });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          dag_run_id: 'manual__2025-02-01T00:00:00+00:00',
          state: 'queued',
          run_type: 'manual',
          triggered_by: 'rest_api',
          conf: { epochs: 5 },
          data_interval_start: '2025-02-01T00:00:00.000Z',
        });
        const stored = await f.store.getDagRun('demo', 'manual__2025-02-01T00:00:00+00:00');
        expect(stored).toMatchObject({ state: 'queued', runType: 'manual', triggeredBy: 'rest_api' });
        const events = (await get('/api/v2/eventLogs?event=trigger_dag_run')).body.event_logs as Json[];
        expect(events[0]).toMatchObject({ owner: 'op', dag_id: 'demo', run_id: 'manual__2025-02-01T00:00:00+00:00' });
        const again = await send('POST', '/api/v2/dags/demo/dagRuns', { dag_run_id: 'manual__2025-02-01T00:00:00+00:00' });
        expect(again.status).toBe(409);
        expect(await runCount()).toBe(2);
      });

      it('triggers with a chosen run id and no logical date', async () => {
        const res = await send('POST', '/api/v2/dags/demo/dagRuns', { dag_run_id: 'my_run', logical_date: null });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ dag_run_id: 'my_run', logical_date: null, data_interval_start: null });
      });

      it('refuses conf that fails the params, naming the param, and stores nothing', async () => {
        const res = await send('POST', '/api/v2/dags/demo/dagRuns', { conf: { epochs: 0, label: 7 } });
        expect(res.status).toBe(422);
        const locs = (res.body.detail as Json[]).map((d) => d.loc);
        expect(locs).toEqual(expect.arrayContaining([['body', 'conf', 'epochs'], ['body', 'conf', 'label']]));
        expect(await runCount()).toBe(1);
      });

      it('refuses paused and unknown DAGs, bad run ids and half data intervals', async () => {
        const paused = await send('POST', '/api/v2/dags/sleepy/dagRuns', {});
        expect(paused.status).toBe(400);
        expect(paused.body.detail).toMatch(/paused/);
        expect((await send('POST', '/api/v2/dags/nope/dagRuns', {})).status).toBe(404);
        const badId = await send('POST', '/api/v2/dags/demo/dagRuns', { dag_run_id: '../escape' });
        expect(badId.status).toBe(422);
        const half = await send('POST', '/api/v2/dags/demo/dagRuns', { data_interval_start: '2025-01-01T00:00:00Z' });
        expect(half.status).toBe(422);
        expect(await runCount()).toBe(1);
        expect((await f.store.listDagRuns({ dagIds: ['sleepy'] })).total).toBe(0);
      });

      it('answers malformed JSON, wrong types, unknown fields and huge bodies with a 4xx and stores nothing', async () => {
        const malformed = await f.request('op', 'POST', '/api/v2/dags/demo/dagRuns', '{"conf": {', { 'content-type': 'application/json' });
        expect(malformed.statusCode).toBe(422);
        expect(malformed.json<Json>().detail).toEqual([expect.objectContaining({ type: 'json_invalid', loc: ['body'] })]);
        const wrongType = await send('POST', '/api/v2/dags/demo/dagRuns', { conf: 'epochs=5' });
        expect(wrongType.status).toBe(422);
        expect((wrongType.body.detail as Json[])[0]?.loc).toEqual(['body', 'conf']);
        const badDate = await send('POST', '/api/v2/dags/demo/dagRuns', { logical_date: 'yesterday' });
        expect(badDate.status).toBe(422);
        const unknown = await send('POST', '/api/v2/dags/demo/dagRuns', { conf: {}, colour: 'red' });
        expect(unknown.status).toBe(422);
        expect((unknown.body.detail as Json[])[0]).toMatchObject({ type: 'extra_forbidden', loc: ['body', 'colour'] });
        const huge = await f.request('op', 'POST', '/api/v2/dags/demo/dagRuns', JSON.stringify({ conf: { blob: 'x'.repeat(2 * 1024 * 1024) } }), {
          'content-type': 'application/json',
        });
        expect(huge.statusCode).toBe(413);
        expect(typeof huge.json<Json>().detail).toBe('string');
        const form = await f.request('op', 'POST', '/api/v2/dags/demo/dagRuns', 'conf=1', { 'content-type': 'text/csv' });
        expect(form.statusCode).toBe(415);
        expect(await runCount()).toBe(1);
      });

      it('marks a run success (every task instance success) or failed, and sets its note', async () => {
        const ok = await send('PATCH', RUN, { state: 'success' });
        expect(ok.body.state).toBe('success');
        const states = (await f.store.listTaskInstances({ runIds: [RUN_ID] })).items.map((t) => t.state);
        expect(states).toEqual(['success', 'success', 'success']);
        const noted = await send('PATCH', `${RUN}?update_mask=note`, { note: 'checked', state: 'failed' });
        expect(noted.body).toMatchObject({ note: 'checked', state: 'success' });
        expect((await send('PATCH', RUN, { state: 'running' })).status).toBe(422);
        expect((await send('PATCH', `${RUN}?update_mask=conf`, { note: 'x' })).status).toBe(400);
      });

      it('deletes a run', async () => {
        expect((await send('DELETE', RUN)).status).toBe(204);
        expect((await get(RUN)).status).toBe(404);
        expect((await send('DELETE', RUN)).status).toBe(404);
      });

      it('clears a run: dry run lists, a real clear resets failed task instances and requeues the run', async () => {
        const dry = await send('POST', `${RUN}/clear`, { only_failed: true });
        expect((dry.body.task_instances as Json[]).map((t) => t.task_id).sort()).toEqual(['load', 'transform']);
        expect((await f.store.getDagRun('demo', RUN_ID))?.state).toBe('failed');
        const done = await send('POST', `${RUN}/clear`, { only_failed: true, dry_run: false });
        expect(done.body).toMatchObject({ dag_run_id: RUN_ID, state: 'queued' });
        const tis = (await f.store.listTaskInstances({ runIds: [RUN_ID] })).items;
        expect(tis.map((t) => [t.taskId, t.state])).toEqual([
          ['extract', 'success'],
          ['load', null],
          ['transform', null],
        ]);
        // The task gets its retries again, counted from the try it had.
        expect(tis.find((t) => t.taskId === 'transform')?.maxTries).toBe(2 + 2);
      });
    });

    describe('task instances', () => {
      it('lists the task instances of a run, filtered and across runs', async () => {
        const list = await get(`${RUN}/taskInstances`);
        expect(list.body.total_entries).toBe(3);
        expect(list.body.task_instances).toEqual(expect.arrayContaining([expect.objectContaining({ task_id: 'transform', state: 'failed', try_number: 2, run_after: '2025-01-01T00:00:00.000Z' })]));
        expect(((await get(`${RUN}/taskInstances?state=failed`)).body.task_instances as Json[]).map((t) => t.task_id)).toEqual(['transform']);
        expect((await get(`${RUN}/taskInstances?state=bogus`)).status).toBe(422);
        expect((await get('/api/v2/dags/~/dagRuns/~/taskInstances?limit=2')).body).toMatchObject({ total_entries: 3, task_instances: [{}, {}] });
        expect(((await get(`${RUN}/taskInstances?order_by=-task_id`)).body.task_instances as Json[])[0]?.task_id).toBe('transform');
        expect((await get('/api/v2/dags/demo/dagRuns/~/taskInstances?run_after_gte=2025-01-01T00:00:00Z')).body.total_entries).toBe(3);
        expect((await get('/api/v2/dags/demo/dagRuns/~/taskInstances?run_after_gte=2025-01-02T00:00:00Z')).body.total_entries).toBe(0);
      });

      it('gets one task instance and its tries', async () => {
        expect((await get(`${RUN}/taskInstances/transform`)).body).toMatchObject({ task_id: 'transform', state: 'failed', max_tries: 2 });
        expect((await get(`${RUN}/taskInstances/nope`)).status).toBe(404);
        const tries = await get(`${RUN}/taskInstances/transform/tries`);
        expect((tries.body.task_instances as Json[]).map((t) => [t.try_number, t.state])).toEqual([
          [1, 'up_for_retry'],
          [2, 'failed'],
        ]);
      });

      it('marks a task instance and its downstream, and refuses states a user may not set', async () => {
        const res = await send('PATCH', `${RUN}/taskInstances/transform`, { new_state: 'success', include_downstream: true });
        expect(res.status).toBe(200);
        expect((res.body.task_instances as Json[]).map((t) => [t.task_id, t.state]).sort()).toEqual([
          ['load', 'success'],
          ['transform', 'success'],
        ]);
        expect((await f.store.getTaskInstance({ dagId: 'demo', runId: RUN_ID, taskId: 'extract' }))?.state).toBe('success');
        const bad = await send('PATCH', `${RUN}/taskInstances/load`, { new_state: 'running' });
        expect(bad.status).toBe(422);
        const noted = await send('PATCH', `${RUN}/taskInstances/load`, { note: 'looked at it' });
        expect((noted.body.task_instances as Json[])[0]).toMatchObject({ note: 'looked at it', state: 'success' });
      });

      it('clears task instances by task ids with upstream, dry run first', async () => {
        const dry = await send('POST', '/api/v2/dags/demo/clearTaskInstances', { dag_run_id: RUN_ID, task_ids: ['load'], include_upstream: true, only_failed: false });
        expect((dry.body.task_instances as Json[]).map((t) => t.task_id).sort()).toEqual(['extract', 'load', 'transform']);
        expect((await f.store.getTaskInstance({ dagId: 'demo', runId: RUN_ID, taskId: 'load' }))?.state).toBe('upstream_failed');
        const real = await send('POST', '/api/v2/dags/demo/clearTaskInstances', { dry_run: false });
        expect((real.body.task_instances as Json[]).map((t) => t.task_id).sort()).toEqual(['load', 'transform']);
        expect((await f.store.getTaskInstance({ dagId: 'demo', runId: RUN_ID, taskId: 'transform' }))?.state).toBe(null);
        expect((await f.store.getDagRun('demo', RUN_ID))?.state).toBe('queued');
        expect((await send('POST', '/api/v2/dags/demo/clearTaskInstances', { dag_run_id: 'nope' })).status).toBe(404);
      });
    });

    describe('logs and XComs', () => {
      const LOG = `${RUN}/taskInstances/extract/logs/1`;
      it('returns a try log as structured lines with a continuation token', async () => {
        const first = await get(LOG);
        expect(first.body.content).toEqual([
          { timestamp: '2025-01-01T00:00:01.000Z', level: 'info', event: 'starting' },
          { timestamp: '2025-01-01T00:00:02.000Z', level: 'warn', event: 'almost done' },
          { event: 'plain line' },
        ]);
        const next = await get(`${LOG}?token=${String(first.body.continuation_token)}`);
        expect(next.body.content).toEqual([]);
        expect((await get(`${LOG}?token=not-a-token`)).status).toBe(400);
      });

      it('returns the log as plain text or NDJSON by Accept, and 404 for a try that does not exist', async () => {
        const text = await f.request('viewer', 'GET', LOG, undefined, { accept: 'text/plain' });
        expect(text.body.split('\n')[0]).toBe('[2025-01-01T00:00:01.000Z] INFO - starting');
        const ndjson = await f.request('viewer', 'GET', LOG, undefined, { accept: 'application/x-ndjson' });
        expect(ndjson.body.trim().split('\n').map((l) => (JSON.parse(l) as Json).event)).toEqual(['starting', 'almost done', 'plain line']);
        expect((await get(`${RUN}/taskInstances/extract/logs/2`)).status).toBe(404);
        expect((await get(`${RUN}/taskInstances/extract/logs/0`)).status).toBe(404);
        const notWritten = await get(`${RUN}/taskInstances/transform/logs/1`);
        expect(notWritten.body.content).toEqual([]);
      });

      it('lists XComs and returns one value', async () => {
        const list = await get(`${RUN}/taskInstances/extract/xcomEntries`);
        expect((list.body.xcom_entries as Json[]).map((x) => x.key).sort()).toEqual(['accuracy', 'return_value']);
        const one = await get(`${RUN}/taskInstances/extract/xcomEntries/accuracy`);
        expect(one.body.value).toEqual({ value: 0.97, labels: ['a', 'b'] });
        const text = await get(`${RUN}/taskInstances/extract/xcomEntries/return_value?stringify=true`);
        expect(text.body.value).toBe('42');
        expect((await get(`${RUN}/taskInstances/extract/xcomEntries/nope`)).status).toBe(404);
      });
    });

    describe('recent runs of several DAGs (UI)', () => {
      it('gives the latest runs of each DAG, newest first, up to the limit', async () => {
        for (const day of [2, 3, 4]) {
          const at = new Date(`2025-01-0${day}T00:00:00Z`);
          await f.store.createDagRun({ dagId: 'demo', runId: `run_${day}`, runType: 'scheduled', state: 'success', logicalDate: at, runAfter: at });
        }
        const { status, body } = await get('/ui/dags/recent_dag_runs?dag_ids=demo&dag_ids=sleepy&dag_ids=nope&dag_runs_limit=3');
        expect(status).toBe(200);
        const byDag = Object.fromEntries((body.dags as { dag_id: string; latest_dag_runs: Json[] }[]).map((d) => [d.dag_id, d.latest_dag_runs.map((r) => r.dag_run_id)]));
        expect(byDag).toEqual({ demo: ['run_4', 'run_3', 'run_2'], sleepy: [], nope: [] });
        expect((await get('/ui/dags/recent_dag_runs')).status).toBe(422);
        expect((await get('/ui/dags/recent_dag_runs?dag_ids=demo&dag_runs_limit=0')).status).toBe(422);
      });
    });

    describe('XComs across runs, tasks and DAGs', () => {
      it('lists XComs with ~ for the task, the run or the DAG, each with its own run\'s dates', async () => {
        const later = new Date('2025-01-02T00:00:00Z');
        await f.store.createDagRun({ dagId: 'demo', runId: 'second', runType: 'manual', state: 'success', logicalDate: later, runAfter: later });
        await f.store.createTaskInstances([{ dagId: 'demo', runId: 'second', taskId: 'extract' }]);
        await f.store.setXcom({ dagId: 'demo', runId: 'second', taskId: 'extract', key: 'accuracy' }, 0.5);
        const across = await get('/api/v2/dags/demo/dagRuns/~/taskInstances/extract/xcomEntries?xcom_key=accuracy');
        expect(across.status).toBe(200);
        expect(across.body.total_entries).toBe(2);
        const byRun: Record<string, unknown> = Object.fromEntries((across.body.xcom_entries as Json[]).map((x) => [String(x.run_id), x.run_after]));
        expect(byRun).toEqual({ [RUN_ID]: '2025-01-01T00:00:00.000Z', second: '2025-01-02T00:00:00.000Z' });
        const tasks = await get(`${RUN}/taskInstances/~/xcomEntries`);
        expect((tasks.body.xcom_entries as Json[]).map((x) => `${String(x.task_id)}.${String(x.key)}`).sort()).toEqual(['extract.accuracy', 'extract.return_value']);
        expect((await get('/api/v2/dags/~/dagRuns/~/taskInstances/~/xcomEntries')).body.total_entries).toBe(3);
        const paged = await get('/api/v2/dags/~/dagRuns/~/taskInstances/~/xcomEntries?limit=1&offset=2&order_by=key');
        expect(paged.body.total_entries).toBe(3);
        expect((paged.body.xcom_entries as Json[]).map((x) => x.key)).toEqual(['return_value']);
        expect((await get('/api/v2/dags/nope/dagRuns/~/taskInstances/~/xcomEntries')).status).toBe(404);
        // With their values, for a chart: latest pushed first.
        const values = await get('/ui/dags/demo/xcomValues?task_id=extract&xcom_key=accuracy');
        expect(values.body).toEqual({
          values: [
            { dag_run_id: 'second', timestamp: expect.any(String) as unknown, value: 0.5 },
            { dag_run_id: RUN_ID, timestamp: expect.any(String) as unknown, value: { value: 0.97, labels: ['a', 'b'] } },
          ],
          total_entries: 2,
        });
        expect(((await get('/ui/dags/demo/xcomValues?task_id=extract&xcom_key=accuracy&limit=1')).body.values as Json[]).map((v) => v.dag_run_id)).toEqual(['second']);
        expect((await get('/ui/dags/nope/xcomValues?task_id=extract&xcom_key=accuracy')).status).toBe(404);
        expect((await get('/ui/dags/demo/xcomValues?task_id=extract')).status).toBe(422);
        expect((await get('/api/v2/dags/demo/dagRuns/nope/taskInstances/~/xcomEntries')).status).toBe(404);
      });
    });

    describe('monitor, import errors, audit log', () => {
      it('reports version and health from job heartbeats', async () => {
        expect((await get('/api/v2/version')).body.version).toMatch(/^\d+\.\d+\.\d+/);
        const before = (await f.request(null, 'GET', '/api/v2/monitor/health')).json<Json>();
        expect(before).toMatchObject({ metadatabase: { status: 'healthy' }, scheduler: { status: null } });
        await f.store.startJob({ jobType: 'SchedulerJob', at: new Date() });
        const after = (await f.request(null, 'GET', '/api/v2/monitor/health')).json<Json>();
        expect(after.scheduler).toMatchObject({ status: 'healthy' });
        await f.store.startJob({ jobType: 'DagProcessorJob', at: new Date(Date.now() - 3_600_000) });
        expect((await f.request(null, 'GET', '/api/v2/monitor/health')).json<Json>().dag_processor).toMatchObject({ status: 'unhealthy' });
      });

      it('lists import errors', async () => {
        const res = await get('/api/v2/importErrors');
        expect(res.body.total_entries).toBe(1);
        expect((res.body.import_errors as Json[])[0]?.stack_trace).toContain('SyntaxError');
      });

      it('lists audit events with filters', async () => {
        await send('PATCH', '/api/v2/dags/demo', { is_paused: true });
        await send('PATCH', '/api/v2/dags/sleepy', { is_paused: false }, 'admin');
        expect((await get('/api/v2/eventLogs?owner=admin&event=patch_dag')).body.total_entries).toBe(1);
        expect((await get('/api/v2/eventLogs?dag_id=demo&excluded_events=login')).body.total_entries).toBe(1);
        expect(((await get('/api/v2/eventLogs?order_by=-event_log_id')).body.event_logs as Json[])[0]?.dag_id).toBe('sleepy');
      });
    });
  });
}
