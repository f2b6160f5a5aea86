import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStore, type MetadataStore } from '@updraft/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DagProcessor } from '../src/processor/dag-processor.js';

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;
let dags: string;
let store: MetadataStore;
let processor: DagProcessor | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(here, '.tmp-proc-'));
  dags = join(dir, 'dags');
  mkdirSync(dags);
  store = createSqliteStore({ path: join(dir, 'db.sqlite') });
  await store.migrate();
});
afterEach(async () => {
  await processor?.stop();
  processor = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const good = (id: string, extra = ''): string => `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: '${id}', tags: ['t'] ${extra} });\ndag.task('a', () => 1).then(dag.task('b', () => 2));\n`;

describe('DAG processor', () => {
  it('stores each DAG serialized, with file, tags, paused at creation, and records import errors with their line', async () => {
    writeFileSync(join(dags, 'good.ts'), good('good'));
    writeFileSync(join(dags, 'throws.ts'), `import { DAG } from '@updraft/core';\n\nthrow new Error('no warehouse');\nexport const dag = new DAG({ dagId: 'never' });\n`);
    writeFileSync(join(dags, 'cycle.ts'), `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'cyc' });\nconst a = dag.task('a', () => 1);\nconst b = dag.task('b', () => 1);\na.then(b).then(a);\n`);
    writeFileSync(join(dags, 'helper.ts'), `export const notADag = 1;\n`);
    processor = new DagProcessor({ store, dagsFolder: dags });
    const pass = await processor.processOnce();
    expect(pass.dags).toBe(1);
    expect(pass.importErrors).toBe(2);
    const dag = await store.getDag('good');
    expect(dag).toMatchObject({ dagId: 'good', fileloc: join(dags, 'good.ts'), isPaused: true, tags: ['t'], owners: 'updraft' });
    const serialized = await store.getSerializedDag('good');
    expect((serialized?.data as { tasks: { taskId: string; upstreamTaskIds: string[] }[] }).tasks.map((t) => [t.taskId, t.upstreamTaskIds])).toEqual([
      ['a', []],
      ['b', ['a']],
    ]);
    const errors = (await store.listImportErrors({ orderBy: 'filename' })).items;
    expect(errors.map((e) => e.filename)).toEqual([join(dags, 'cycle.ts'), join(dags, 'throws.ts')]);
    expect(errors[0]?.stackTrace.split('\n')[0]).toBe(`${join(dags, 'cycle.ts')}:2: DagCycleError: DAG 'cyc' has a cycle: a >> b >> a`);
    expect(errors[1]?.stackTrace.split('\n')[0]).toMatch(new RegExp(`^${join(dags, 'throws.ts')}:3: Error: no warehouse`));
  });

  it('turns an endless loop at import into an import error and keeps going', async () => {
    writeFileSync(join(dags, 'loop.ts'), `import { DAG } from '@updraft/core';\nwhile (true) {}\nexport const dag = new DAG({ dagId: 'loop' });\n`);
    writeFileSync(join(dags, 'exit.ts'), `import { DAG } from '@updraft/core';\nprocess.exit(3);\nexport const dag = new DAG({ dagId: 'exit' });\n`);
    writeFileSync(join(dags, 'good.ts'), good('good'));
    processor = new DagProcessor({ store, dagsFolder: dags, parseTimeoutMs: 1500, parallelism: 1 });
    const pass = await processor.processOnce();
    expect(pass.dags).toBe(1);
    const errors = Object.fromEntries((await store.listImportErrors()).items.map((e) => [e.filename, e.stackTrace]));
    expect(errors[join(dags, 'loop.ts')]).toMatch(/took longer than 1500 ms/);
    expect(errors[join(dags, 'exit.ts')]).toMatch(/ended the parse process \(exit code 3\)/);
  });

  it('notices changed, fixed and removed files on the next pass; a removed DAG becomes stale', async () => {
    writeFileSync(join(dags, 'a.ts'), good('a'));
    writeFileSync(join(dags, 'b.ts'), `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'b' ;\n`);
    processor = new DagProcessor({ store, dagsFolder: dags });
    await processor.processOnce();
    expect((await store.listImportErrors()).total).toBe(1);
    writeFileSync(join(dags, 'b.ts'), good('b'));
    writeFileSync(join(dags, 'a.ts'), good('a', ", description: 'changed'"));
    const second = await processor.processOnce();
    expect(second.parsed.sort()).toEqual([join(dags, 'a.ts'), join(dags, 'b.ts')]);
    expect((await store.listImportErrors()).total).toBe(0);
    expect((await store.getDag('a'))?.description).toBe('changed');
    const third = await processor.processOnce();
    expect(third.parsed).toEqual([]);
    unlinkSync(join(dags, 'a.ts'));
    await processor.processOnce();
    expect((await store.getDag('a'))?.isStale).toBe(true);
    expect((await store.listDags()).items.map((d) => d.dagId)).toEqual(['b']);
  });

  it('reports a DAG id defined in two files as an import error of the second', async () => {
    writeFileSync(join(dags, 'one.ts'), good('same'));
    writeFileSync(join(dags, 'two.ts'), good('same'));
    processor = new DagProcessor({ store, dagsFolder: dags });
    await processor.processOnce();
    expect((await store.getDag('same'))?.fileloc).toBe(join(dags, 'one.ts'));
    const errors = (await store.listImportErrors()).items;
    expect(errors.map((e) => [e.filename, e.stackTrace])).toEqual([[join(dags, 'two.ts'), `${join(dags, 'two.ts')}: DAG id 'same' is already defined in ${join(dags, 'one.ts')}`]]);
  });

  it('keeps a hundred broken files as import errors beside a good DAG', async () => {
    for (let i = 0; i < 100; i++) writeFileSync(join(dags, `broken_${String(i).padStart(3, '0')}.ts`), `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'b${i}', schedule: 'not a schedule' });\n`);
    writeFileSync(join(dags, 'good.ts'), good('good'));
    processor = new DagProcessor({ store, dagsFolder: dags });
    const pass = await processor.processOnce();
    expect(pass.dags).toBe(1);
    expect((await store.listImportErrors()).total).toBe(100);
    expect((await store.listImportErrors({ limit: 1 })).items[0]?.stackTrace).toMatch(/invalid schedule/);
  });

  it('once started, picks up a new file on its next poll, and heartbeats its job', async () => {
    writeFileSync(join(dags, 'a.ts'), good('a'));
    processor = new DagProcessor({ store, dagsFolder: dags, pollIntervalMs: 100 });
    await processor.start();
    const job = await store.latestJob('DagProcessorJob', { onlyRunning: true });
    expect(job?.pid).toBe(process.pid);
    writeFileSync(join(dags, 'b.ts'), good('b'));
    // Wait for the poll that sees it: every pass after start heartbeats the job, so wait on the store.
    for (let i = 0; i < 200 && !(await store.getDag('b')); i++) await new Promise((r) => setTimeout(r, 50));
    expect((await store.getDag('b'))?.fileloc).toBe(join(dags, 'b.ts'));
    await processor.stop();
    processor = undefined;
    expect((await store.latestJob('DagProcessorJob'))?.state).toBe('success');
  });
});
