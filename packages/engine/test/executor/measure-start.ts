/**
 * Measures the time from `queue()` to the try's `started` and ending events with the LocalExecutor: a reused runner
 * (the default), a warm pool of runners that run one try each, and a fork per try. Not a test (nothing is asserted); run it by hand:
 *
 *   npx tsc -b packages/engine/tsconfig.build.json
 *   npx tsx packages/engine/test/executor/measure-start.ts [dist|source] [tries]
 *
 * `dist` (the default) measures the built executor and runner, as production runs them; `source` the TypeScript
 * sources through tsx, as the tests do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Engine from '../../src/index.js';
import type { ExecutorEvent, LocalExecutor as LocalExecutorClass, LocalExecutorOptions, TaskWorkload } from '../../src/index.js';
import { plainWorkload } from './plain-workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.argv[2] ?? 'dist';
const tries = Number(process.argv[3] ?? 20);
const modulePath = mode === 'source' ? resolve(here, '../../src/index.ts') : resolve(here, '../../dist/index.js');
const { LocalExecutor, MemoryXComBackend } = (await import(pathToFileURL(modulePath).href)) as typeof Engine;

const root = mkdtempSync(join(here, '.tmp-measure-'));
const logsFolder = mkdtempSync(join(tmpdir(), 'updraft-measure-logs-'));
const dagFile = join(root, 'measure_dag.ts');
writeFileSync(dagFile, `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'measure' });\ndag.task('noop', () => 1);\n`);

function workload(i: number): TaskWorkload {
  return plainWorkload('measure', dagFile, 'noop', `manual__${i}`);
}

/** Runs `tries` tries one after another; returns the queue-to-started and queue-to-finished times in ms. */
async function measure(options: Partial<LocalExecutorOptions>): Promise<{ started: number[]; finished: number[] }> {
  const executor: LocalExecutorClass = new LocalExecutor({ xcoms: new MemoryXComBackend(), logsFolder, parallelism: 1, ...options });
  const started: number[] = [];
  const finished: number[] = [];
  try {
    // One try first, not counted: the DAG file's first compile is not what is measured.
    for (let i = -1; i < tries; i++) {
      await executor.whenWarm();
      const t0 = performance.now();
      const done = new Promise<void>((resolveDone) => {
        const off = executor.onEvent((e: ExecutorEvent) => {
          if (e.key.runId !== `manual__${i}`) return;
          if (e.type === 'started' && i >= 0) started.push(performance.now() - t0);
          if (e.type === 'finished' || e.type === 'lost') {
            if (i >= 0) finished.push(performance.now() - t0);
            off();
            resolveDone();
          }
        });
      });
      executor.queue(workload(i));
      await done;
    }
  } finally {
    await executor.end();
  }
  return { started, finished };
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  const median = s.length % 2 ? at(0.5) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  return `median ${median.toFixed(1)} ms, min ${at(0).toFixed(1)}, p90 ${at(0.9).toFixed(1)}`;
}

try {
  const reused = await measure({ poolSize: 1 });
  const warm = await measure({ poolSize: 1, maxTriesPerRunner: 1 });
  const cold = await measure({ poolSize: 0, maxTriesPerRunner: 1 });
  console.log(`LocalExecutor from ${mode}, ${tries} tries each, one at a time`);
  console.log(`queue() -> started, reused runner: ${stats(reused.started)}`);
  console.log(`queue() -> started, warm pool, a runner per try: ${stats(warm.started)}`);
  console.log(`queue() -> started, cold fork: ${stats(cold.started)}`);
  console.log(`queue() -> finished, reused runner: ${stats(reused.finished)}`);
  console.log(`queue() -> finished, warm pool, a runner per try: ${stats(warm.finished)}`);
  console.log(`queue() -> finished, cold fork: ${stats(cold.finished)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
  rmSync(logsFolder, { recursive: true, force: true });
}
