import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_ID, startFixture, type ApiFixture } from './support/fixture.js';
import { sqliteTarget } from './support/targets.js';

const REPORT = `/ui/dags/demo/dagRuns/${encodeURIComponent(RUN_ID)}/report`;
const key = (taskId: string) => ({ dagId: 'demo', runId: RUN_ID, taskId, key: 'return_value' });

describe("a run's report", () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await startFixture(sqliteTarget);
  });
  afterEach(async () => {
    await (f as ApiFixture | undefined)?.dispose();
  });
  const get = async (url = REPORT) => {
    const res = await f.request('viewer', 'GET', url);
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };

  it('is the file a task returned the absolute path of, found inside an output folder by real path, with its text', async () => {
    // A later task's return value that is no report file does not hide it.
    await f.store.setXcom(key('extract'), join(f.outputsFolder, 'report', 'report.md'));
    await f.store.setXcom(key('transform'), join(f.outputsFolder, 'model.json'));
    const { status, body } = await get();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      dag_id: 'demo',
      dag_run_id: RUN_ID,
      task_id: 'extract',
      folder: 'mlops',
      path: 'report/report.md',
      url: '/ui/outputs/mlops/report/report.md',
      media_type: 'text/markdown; charset=utf-8',
      content: '# Report\naccuracy: 0.97\n',
      truncated: false,
      rewritten: false,
    });
    expect(body.size).toBe(Buffer.byteLength('# Report\naccuracy: 0.97\n'));
    // The URL it gives serves the whole file.
    const file = await f.request('viewer', 'GET', body.url as string);
    expect(file.body).toBe(body.content);
  });

  it('reads a relative path as <folder>/<path>, and says when the file was written again after its task returned', async () => {
    await f.store.setXcom(key('load'), 'mlops/report/report.md');
    expect((await get()).body).toMatchObject({ folder: 'mlops', path: 'report/report.md', rewritten: false });
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(f.outputsFolder, 'report', 'report.md'), later, later);
    const again = (await get()).body;
    expect(again.rewritten).toBe(true);
    expect(Math.abs(Date.parse(again.modified_at as string) - later.getTime())).toBeLessThan(1000);
  });

  it("says which later run's same task returned the same file: the file is that run's report now", async () => {
    const file = join(f.outputsFolder, 'report', 'report.md');
    await f.store.setXcom(key('load'), file);
    expect((await get()).body).toMatchObject({ rewritten: false, rewritten_by_run_id: null });
    const later = new Date('2025-01-02T00:00:00Z');
    await f.store.createDagRun({ dagId: 'demo', runId: 'second', runType: 'manual', state: 'success', logicalDate: later, runAfter: later });
    await f.store.createTaskInstances([{ dagId: 'demo', runId: 'second', taskId: 'load' }]);
    await f.store.setXcom({ ...key('load'), runId: 'second' }, 'mlops/report/report.md');
    expect((await get()).body).toMatchObject({ rewritten: true, rewritten_by_run_id: 'second' });
    const own = await get(`/ui/dags/demo/dagRuns/second/report`);
    expect(own.body).toMatchObject({ dag_run_id: 'second', rewritten: false, rewritten_by_run_id: null });
  });

  it('is 404 with a reason when no returned path is a report inside an output folder', async () => {
    writeFileSync(join(f.home, 'secret.md'), 'TOPSECRET');
    mkdirSync(join(f.outputsFolder, 'links'));
    symlinkSync(join(f.home, 'secret.md'), join(f.outputsFolder, 'links', 'escape.md'));
    for (const value of [join(f.home, 'secret.md'), join(f.outputsFolder, 'links', 'escape.md'), 'mlops/../secret.md', 'mlops/links/escape.md', join(f.outputsFolder, 'report', 'missing.md'), join(f.outputsFolder, 'report')]) {
      await f.store.setXcom(key('load'), value);
      const { status, body } = await get();
      expect(status, value).toBe(404);
      expect(String(body.detail)).toMatch(/no report.*served: mlops/);
      expect(JSON.stringify(body)).not.toContain('TOPSECRET');
    }
    expect((await get(`/ui/dags/demo/dagRuns/nope/report`)).status).toBe(404);
    expect((await f.request(null, 'GET', REPORT)).statusCode).toBe(401);
  });
});
