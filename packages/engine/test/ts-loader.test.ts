import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDagFile } from '../src/loader.js';
import { compileModuleGraph } from '../src/ts-loader/compile-cache.js';
import { importTypeScript } from '../src/ts-loader/import.js';

const here = dirname(fileURLToPath(import.meta.url));
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(here, '.tmp-loader-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('the in-thread TypeScript loader', () => {
  it("keeps each module's own import.meta.url, filename and dirname", async () => {
    const dir = folder({
      'main.ts': `import { where } from './lib/where.js';\nexport const main: string = import.meta.url;\nexport { where };\n`,
      'lib/where.ts': `export const where: { url: string; file: string; dir: string } = { url: import.meta.url, file: import.meta.filename, dir: import.meta.dirname };\n`,
    });
    const m = (await importTypeScript(join(dir, 'main.ts'))) as { main: string; where: { url: string; file: string; dir: string } };
    expect(m.main).toBe(pathToFileURL(join(dir, 'main.ts')).href);
    expect(m.where).toEqual({ url: pathToFileURL(join(dir, 'lib/where.ts')).href, file: join(dir, 'lib/where.ts'), dir: join(dir, 'lib') });
  });

  it('resolves ./x.js to x.ts, folders to their index, and drops type-only imports', async () => {
    const dir = folder({
      'main.ts': `import type { T } from './types.js';\nimport { n } from './num';\nimport { k } from './pkg/index.js';\nconst t: T = { v: n + k };\nexport default t;\n`,
      'types.ts': `export interface T { v: number }\n`,
      'num.ts': `export const n = 40;\n`,
      'pkg/index.ts': `export const k = 2;\n`,
    });
    const m = await importTypeScript(join(dir, 'main.ts'));
    expect(m.default).toEqual({ v: 42 });
  });

  it('loads modules that import each other', async () => {
    const dir = folder({
      'a.ts': `import { b } from './b.js';\nexport const a = (): string => 'a' + b();\nexport const name = 'A';\n`,
      'b.ts': `import { name } from './a.js';\nexport const b = (): string => 'b' + name;\n`,
    });
    const m = (await importTypeScript(join(dir, 'a.ts'))) as { a: () => string };
    expect(m.a()).toBe('abA');
  });

  it('compiles again when an imported module changes, and not otherwise', async () => {
    const dir = folder({ 'main.ts': `import { v } from './dep.js';\nexport const value = v;\n`, 'dep.ts': `export const v = 1;\n` });
    const first = await compileModuleGraph(join(dir, 'main.ts'));
    const mtime = statSync(fileURLToPath(first)).mtimeMs;
    expect(await compileModuleGraph(join(dir, 'main.ts'))).toBe(first);
    expect(statSync(fileURLToPath(first)).mtimeMs).toBe(mtime);
    expect(((await importTypeScript(join(dir, 'main.ts'))) as { value: number }).value).toBe(1);
    writeFileSync(join(dir, 'dep.ts'), `export const v = 2;\n`);
    const second = await compileModuleGraph(join(dir, 'main.ts'));
    expect(second).not.toBe(first);
    expect(((await importTypeScript(join(dir, 'main.ts'))) as { value: number }).value).toBe(2);
    // The old compiled versions are pruned: one file per source.
    expect(readdirSync(join(dir, '.updraft-cache')).sort()).toHaveLength(2);
  });

  it('sees a module replaced by one of the same size, a new import, and an import that went and came back', async () => {
    const dir = folder({ 'main.ts': `import { v } from './dep.js';\nexport const value = v;\n`, 'dep.ts': `export const v = 1;\n`, 'other.ts': `export const w = 5;\n` });
    const value = async (): Promise<unknown> => ((await importTypeScript(join(dir, 'main.ts'))) as { value: unknown }).value;
    expect(await value()).toBe(1);
    // Same size, written through a temporary file renamed into place, as editors and `git checkout` do.
    writeFileSync(join(dir, 'dep.tmp'), `export const v = 3;\n`);
    renameSync(join(dir, 'dep.tmp'), join(dir, 'dep.ts'));
    expect(await value()).toBe(3);
    writeFileSync(join(dir, 'main.ts'), `import { v } from './dep.js';\nimport { w } from './other.js';\nexport const value = v + w;\n`);
    expect(await value()).toBe(8);
    writeFileSync(join(dir, 'other.ts'), `export const w = 6;\n`);
    expect(await value()).toBe(9);
    rmSync(join(dir, 'other.ts'));
    await expect(value()).rejects.toThrow(/other/);
    writeFileSync(join(dir, 'other.ts'), `export const w = 10;\n`);
    expect(await value()).toBe(13);
    // A file that an import names ahead of the one it resolved to: './dep.js' is dep.js before dep.ts.
    writeFileSync(join(dir, 'dep.js'), `export const v = 100;\n`);
    expect(await value()).toBe(110);
  });

  it('sees an import into another folder that did not resolve until its file came', async () => {
    // lib/ exists but holds no file of the graph, so no folder stamp of the graph changes when helper.ts comes.
    const dir = folder({ 'main.ts': `import { h } from './lib/helper.js';\nexport const value = h;\n`, 'lib/readme.txt': 'x' });
    const value = async (): Promise<unknown> => ((await importTypeScript(join(dir, 'main.ts'))) as { value: unknown }).value;
    await expect(value()).rejects.toThrow(/helper/);
    // Once more: the first compile made the folder's .updraft-cache, which changed the folder's own stamp.
    await expect(value()).rejects.toThrow(/helper/);
    writeFileSync(join(dir, 'lib', 'helper.ts'), `export const h = 7;\n`);
    expect(await value()).toBe(7);
  });

  it('evaluates the entry afresh at each import, as a fresh parse would', async () => {
    const dir = folder({ 'main.ts': `export const at = Symbol('evaluation');\n` });
    const a = await importTypeScript(join(dir, 'main.ts'));
    const b = await importTypeScript(join(dir, 'main.ts'));
    expect(a.at).not.toBe(b.at);
  });

  it('points errors thrown at import at the TypeScript line', async () => {
    const dir = folder({
      'dag.ts': `import { DAG } from '@updraft/core';\nimport { boom } from './helper.js';\nboom();\nexport const dag = new DAG({ dagId: 'x' });\n`,
      'helper.ts': `type N = number;\nconst n: N = 1;\n\nexport function boom(): void {\n  throw new Error('boom ' + n);\n}\n`,
    });
    const err = await loadDagFile(join(dir, 'dag.ts')).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DagImportError', line: 3 });
    expect(((err as Error).cause as Error).stack).toContain(`${join(dir, 'helper.ts')}:5`);
  });

  it('reports a syntax error with its line', async () => {
    const dir = folder({ 'dag.ts': `import { DAG } from '@updraft/core';\n\nexport const dag = new DAG({ dagId: 'x' ;\n` });
    await expect(loadDagFile(join(dir, 'dag.ts'))).rejects.toMatchObject({ name: 'DagImportError', line: 3, message: expect.stringMatching(/syntax error/) as unknown });
  });
});
