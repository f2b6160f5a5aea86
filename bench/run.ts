/**
 * `npm run bench`: Updraft's figures, each beside a baseline measured in the same command. Sections can be picked:
 * `npm run bench -- pipeline forest`. Results also go to bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchForest } from './forest.js';
import { benchPipeline } from './pipeline.js';
import { benchDistributed } from './distributed.js';
import { benchScheduler } from './scheduler.js';

const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const sections: Record<string, (n: number) => Record<string, unknown> | Promise<Record<string, unknown>>> = {
  pipeline: benchPipeline,
  forest: benchForest,
  scheduler: benchScheduler,
  distributed: benchDistributed,
  // The API's and the UI's own benchmarks live beside their packages.
  api: async () => (await import('../packages/api/bench/api-latency.js')).benchApiLatency(),
  ui: async () => {
    const result = await (await import('../packages/ui/bench/render.js')).benchUiRender();
    console.log('\n## Web UI in Chromium (mock API; first render, medians)\n');
    console.log(JSON.stringify(result, null, 2));
    return result as unknown as Record<string, unknown>;
  },
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const w of wanted) if (!(w in sections)) throw new Error(`unknown section ${w}; sections: ${Object.keys(sections).join(', ')}`);

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
console.log(`# Updraft benchmarks: Node ${machine.node}, ${machine.cpus} x ${machine.cpu}, ${machine.memoryGiB} GiB`);
const results: Record<string, unknown> = { machine, date: new Date().toISOString(), repeats };
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length === 0 || wanted.includes(name)) results[name] = await run(repeats);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
