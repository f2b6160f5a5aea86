import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DagFileCache, DagImportError, listDagFiles, loadDagFile, loadDagsFolder, type DagBag } from '../src/index.js';

// DAG files import '@updraft/core', which Node resolves only from inside the workspace: the temporary folder lives
// next to this test (ignored by git as .tmp-*), and is removed afterwards.
const here = dirname(fileURLToPath(import.meta.url));
let root: string;

/** Writes a file under the temporary folder; `lines` are joined so that line numbers in tests are easy to read. */
function write(relativePath: string, lines: string[]): string {
  const path = join(root, relativePath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const IMPORT = "import { DAG, chain } from '@updraft/core';";

beforeAll(() => {
  root = mkdtempSync(join(here, '.tmp-loader-'));
  write('dags/good.ts', [
    IMPORT,
    '',
    "export const etl = new DAG({ dagId: 'etl', schedule: '@daily', startDate: '2025-01-01' });",
    "chain(etl.task('extract', () => 1), etl.task('load', () => 2));",
    '',
    "const second = new DAG({ dagId: 'second' });",
    "second.task('only', () => null);",
    'export const all = [etl, second];',
    'export default second;',
  ]);
  write('dags/syntax.ts', [
    IMPORT,
    "export const dag = new DAG({ dagId: 'syntax' });",
    '',
    'const = 5;',
  ]);
  write('dags/throws.ts', [
    IMPORT,
    '',
    'interface Settings { fail: boolean }',
    'const settings: Settings = { fail: true };',
    "export const dag = new DAG({ dagId: 'throws' });",
    'if (settings.fail) {',
    "  throw new Error('no connection to the warehouse');",
    '}',
  ]);
  write('dags/cycle.ts', [
    IMPORT,
    '',
    'type Id = string;',
    "const id: Id = 'cycle';",
    'export const dag = new DAG({',
    '  dagId: id,',
    '});',
    "const a = dag.task('a', () => 1);",
    "const b = dag.task('b', () => 1);",
    'a.then(b);',
    'b.then(a);',
  ]);
  write('dags/dup-task.ts', [
    IMPORT,
    "export const dag = new DAG({ dagId: 'dup_task' });",
    "dag.task('a', () => 1);",
    '',
    "dag.task('a', () => 2);",
  ]);
  write('dags/no-dag.ts', [IMPORT, '// mentions updraft and dag, defines nothing', 'export const answer = 42;']);
  write('dags/z-dup-id.ts', [
    IMPORT,
    "export const unique = new DAG({ dagId: 'unique_in_dup_file' });",
    '',
    "export const again = new DAG({ dagId: 'etl' });",
  ]);
  write('dags/bad-args.ts', [IMPORT, '', "export const dag = new DAG({ dagId: 'bad_args', defaultArgs: { retries: -1 } });"]);
  write('dags/helper.ts', ['// shared helpers, not a workflow file', "throw new Error('helpers must not be executed by the loader');"]);
  write('dags/sub/nested.ts', [IMPORT, "export const dag = new DAG({ dagId: 'nested' });", "dag.task('t', () => 1);"]);
  write('dags/sub/.updraftignore', ['skipped-*.ts']);
  write('dags/sub/skipped-one.ts', [IMPORT, "throw new Error('ignored file was imported');"]);
  write('dags/.updraftignore', ['# comments are allowed', 'ignored/', '*.draft.ts']);
  write('dags/ignored/broken.ts', [IMPORT, "throw new Error('ignored folder was imported');"]);
  write('dags/wip.draft.ts', [IMPORT, "throw new Error('ignored pattern was imported');"]);
  write('dags/node_modules/dep.ts', [IMPORT, "throw new Error('node_modules was imported');"]);
  write('dags/.hidden/x.ts', [IMPORT, "throw new Error('hidden folder was imported');"]);
  write('dags/good.test.ts', [IMPORT, "throw new Error('a test file was imported');"]);
  write('dags/types.d.ts', ['// updraft dag types', 'export type X = number;']);
  write('dags/notes.md', ['updraft dag notes']);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadDagsFolder', () => {
  let bag: DagBag;
  beforeAll(async () => {
    bag = await loadDagsFolder(join(root, 'dags'));
  });

  const errorFor = (name: string): DagImportError => {
    const e = bag.importErrors.find((x) => x.file === join(root, 'dags', name));
    if (!e) throw new Error(`no import error for ${name}: ${bag.importErrors.map((x) => x.file).join(', ')}`);
    return e;
  };

  it('loads the good DAGs, including several per file and files in subfolders', () => {
    expect([...bag.dags.keys()].sort()).toEqual(['etl', 'nested', 'second', 'unique_in_dup_file']);
    expect(bag.dags.get('etl')?.file).toBe(join(root, 'dags', 'good.ts'));
    expect(bag.dags.get('etl')?.dag.taskIds).toEqual(['extract', 'load']);
    expect(bag.dags.get('nested')?.file).toBe(join(root, 'dags', 'sub', 'nested.ts'));
    expect(bag.dagsFolder).toBe(join(root, 'dags'));
  });

  it('lists exactly the files it considered, sorted, skipping ignored, hidden, test, declaration and helper files', () => {
    const names = bag.files.map((f) => f.slice(join(root, 'dags').length + 1));
    expect(names).toEqual(['bad-args.ts', 'cycle.ts', 'dup-task.ts', 'good.ts', 'no-dag.ts', 'sub/nested.ts', 'syntax.ts', 'throws.ts', 'z-dup-id.ts']);
  });

  it('reports one import error per bad file (and per duplicate id), all with file, message and line', () => {
    expect(bag.importErrors.map((e) => e.file.slice(join(root, 'dags').length + 1)).sort()).toEqual(['bad-args.ts', 'cycle.ts', 'dup-task.ts', 'no-dag.ts', 'syntax.ts', 'throws.ts', 'z-dup-id.ts']);
    for (const e of bag.importErrors) {
      expect(e).toBeInstanceOf(DagImportError);
      expect(e.message.length).toBeGreaterThan(10);
    }
  });

  it('reports a syntax error at its line', () => {
    const e = errorFor('syntax.ts');
    expect(e.message).toMatch(/^syntax error: /);
    expect(e.line).toBe(4);
  });

  it('reports a throw at import at the line of the throw', () => {
    const e = errorFor('throws.ts');
    expect(e.message).toBe('Error: no connection to the warehouse');
    expect(e.line).toBe(7);
  });

  it('reports a cycle at the line of `new DAG`, naming the cycle', () => {
    const e = errorFor('cycle.ts');
    expect(e.message).toMatch(/DagCycleError: DAG 'cycle' has a cycle: (a >> b >> a|b >> a >> b)/);
    expect(e.line).toBe(5);
    expect((e.cause as { cycle?: string[] }).cycle).toHaveLength(3);
  });

  it('reports a duplicate task id at the line of the second task', () => {
    const e = errorFor('dup-task.ts');
    expect(e.message).toMatch(/DuplicateTaskIdError: .*'a'/);
    expect(e.line).toBe(5);
  });

  it('reports a bad DAG argument with the field', () => {
    const e = errorFor('bad-args.ts');
    expect(e.message).toMatch(/InvalidArgumentError: .*defaultArgs\.retries/);
    expect(e.line).toBe(3);
  });

  it('reports a file that exports no DAG', () => {
    const e = errorFor('no-dag.ts');
    expect(e.message).toMatch(/exports no DAG/);
    expect(e.line).toBeNull();
  });

  it('reports a DAG id defined twice in the later file, at its line, and keeps the file\'s other DAGs', () => {
    const e = errorFor('z-dup-id.ts');
    expect(e.message).toContain("DAG id 'etl' is already defined in");
    expect(e.message).toContain(join(root, 'dags', 'good.ts'));
    expect(e.line).toBe(4);
    expect(bag.dags.get('etl')?.file).toBe(join(root, 'dags', 'good.ts'));
    expect(bag.dags.has('unique_in_dup_file')).toBe(true);
  });

  it('imports helper modules too when safe mode is off', async () => {
    const unsafe = await loadDagsFolder(join(root, 'dags'), { safeMode: false });
    const helper = unsafe.importErrors.find((e) => e.file.endsWith('helper.ts'));
    expect(helper?.message).toBe('Error: helpers must not be executed by the loader');
    expect(helper?.line).toBe(2);
    expect([...unsafe.dags.keys()].sort()).toEqual([...bag.dags.keys()].sort());
  });

  it('throws for a folder that does not exist', async () => {
    const missing = join(root, 'no-such-folder');
    await expect(loadDagsFolder(missing)).rejects.toBeInstanceOf(DagImportError);
    await expect(loadDagsFolder(missing)).rejects.toMatchObject({ file: missing, line: null });
  });
});

describe('loadDagFile and listDagFiles', () => {
  it('loads one file, each DAG once however often it is exported, and evaluates it afresh each time', async () => {
    const file = join(root, 'dags', 'good.ts');
    const first = await loadDagFile(file);
    expect(first.map((d) => d.dagId)).toEqual(['etl', 'second']);
    const again = await loadDagFile(file);
    expect(again[0]).not.toBe(first[0]);
  });

  it('throws a DagImportError for a bad file', async () => {
    await expect(loadDagFile(join(root, 'dags', 'throws.ts'))).rejects.toMatchObject({ name: 'DagImportError', line: 7 });
  });

  it('lists a single file given instead of a folder', async () => {
    const file = join(root, 'dags', 'sub', 'nested.ts');
    expect(await listDagFiles(file)).toEqual([file]);
  });

  it('honours .updraftignore files below the folder root', async () => {
    const files = await listDagFiles(join(root, 'dags', 'sub'), { safeMode: false });
    expect(files).toEqual([join(root, 'dags', 'sub', 'nested.ts')]);
  });
});

describe('DagFileCache', () => {
  it('returns the same DAGs while the file and its local imports are unchanged, and imports again after a change', async () => {
    const helper = write('cache/helper.ts', ["export const name = 'first';"]);
    const file = write('cache/dag.ts', [IMPORT, "import { name } from './helper.js';", 'export const dag = new DAG({ dagId: name });']);
    const cache = new DagFileCache();
    const [a] = await cache.load(file);
    const [b] = await cache.load(file);
    expect(b).toBe(a);
    expect(a?.dagId).toBe('first');
    // A change in an imported module is a change of the DAG file's code.
    writeFileSync(helper, "export const name = 'second';\n");
    const [c] = await cache.load(file);
    expect(c).not.toBe(a);
    expect(c?.dagId).toBe('second');
    // A fresh load never comes from the cache.
    expect((await loadDagFile(file))[0]).not.toBe(c);
  });

  it('never keeps a file that failed: the next load reports it again, and a fixed file loads', async () => {
    const file = write('cache/broken.ts', [IMPORT, "throw new Error('not yet');"]);
    const cache = new DagFileCache();
    await expect(cache.load(file)).rejects.toBeInstanceOf(DagImportError);
    await expect(cache.load(file)).rejects.toThrow(/not yet/);
    writeFileSync(file, `${IMPORT}\nexport const dag = new DAG({ dagId: 'fixed' });\n`);
    expect((await cache.load(file)).map((d) => d.dagId)).toEqual(['fixed']);
  });
});
