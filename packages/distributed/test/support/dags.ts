import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A temporary folder under the test folder (so DAG files resolve `@updraft/core` from the workspace) holding a
 * `dags` folder, a `logs` folder and the side-effects file the test DAGs append to.
 */
export interface Workspace {
  dir: string;
  dagsFolder: string;
  logsFolder: string;
  effectsFile: string;
  /** One entry per task execution: `[runId, taskId, tryNumber, pid]`. */
  effects(): [string, string, number, number][];
  dispose(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(here, '..', '.tmp-dist-'));
  const dagsFolder = join(dir, 'dags');
  const logsFolder = join(dir, 'logs');
  mkdirSync(dagsFolder);
  mkdirSync(logsFolder);
  const effectsFile = join(dir, 'effects.txt');
  writeFileSync(effectsFile, '');
  return {
    dir,
    dagsFolder,
    logsFolder,
    effectsFile,
    effects: () =>
      readFileSync(effectsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [runId, taskId, tryNumber, pid] = JSON.parse(l) as [string, string, number, number];
          return [runId, taskId, tryNumber, pid];
        }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A four-task DAG, `a >> b >> c >> d`: each task appends one line to the effects file (appends of one short line
 * are atomic), `b` passes `a`'s XCom on, and `d` checks what reached it. `sleepMs` keeps each task busy that long.
 */
export function fourTaskDag(w: Workspace, options: { dagId?: string; sleepMs?: number; queue?: string; retries?: number; maxActiveRuns?: number } = {}): string {
  const dagId = options.dagId ?? 'four';
  const file = join(w.dagsFolder, `${dagId}.ts`);
  const sleep = options.sleepMs ?? 0;
  writeFileSync(
    file,
    `import { appendFileSync } from 'node:fs';
import { chain, DAG } from '@updraft/core';

const EFFECTS = ${JSON.stringify(w.effectsFile)};
export const dag = new DAG({ dagId: ${JSON.stringify(dagId)}, maxActiveRuns: ${options.maxActiveRuns ?? 1000}, defaultArgs: { retries: ${options.retries ?? 0}${options.queue ? `, queue: ${JSON.stringify(options.queue)}` : ''} } });
const effect = async (ctx: { runId: string; ti: { taskId: string; tryNumber: number } }): Promise<void> => {
  appendFileSync(EFFECTS, JSON.stringify([ctx.runId, ctx.ti.taskId, ctx.ti.tryNumber, process.pid]) + '\\n');
  console.log('effect of ' + ctx.ti.taskId + ' in pid ' + process.pid);
  if (${sleep} > 0) await new Promise((r) => setTimeout(r, ${sleep}));
};
const a = dag.task('a', async (ctx) => { await effect(ctx); return { from: 'a', run: ctx.runId }; });
const b = dag.task('b', async (ctx) => { await effect(ctx); return ctx.ti.xcomPull({ taskIds: 'a' }); });
const c = dag.task('c', async (ctx) => { await effect(ctx); });
const d = dag.task('d', async (ctx) => {
  await effect(ctx);
  const got = (await ctx.ti.xcomPull({ taskIds: 'b' })) as { run?: string } | undefined;
  if (got?.run !== ctx.runId) throw new Error('b passed ' + JSON.stringify(got));
});
chain(a, b, c, d);
`,
  );
  return file;
}
