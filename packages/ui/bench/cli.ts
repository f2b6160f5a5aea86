/** `npm run bench -w @updraft/ui`: the render benchmark on its own, printed as a small table. */
import { RESULTS_DIR } from '../test/e2e/harness.js';
import { benchUiRender } from './render.js';

const r = await benchUiRender({ repeats: Number(process.env.BENCH_REPEATS ?? 5), screenshotDir: RESULTS_DIR + '/bench' });
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`# Updraft UI in Chromium (mock API, ${r.dags} DAGs)`);
console.log(`first load: ${r.firstLoad.files.length} files, ${kb(r.firstLoad.bytes)}, ${kb(r.firstLoad.gzipBytes)} gzipped`);
console.log(`DAG list first render: ${r.dagListFirstRenderMs.median} ms`);
console.log(`Grid with ${r.baselineRuns} runs: ${r.gridBaselineFirstRenderMs.median} ms`);
console.log(`Grid with ${r.runs} runs: ${r.gridFirstRenderMs.median} ms (${r.gridRatio}x the ${r.baselineRuns}-run Grid)`);
console.log(`click on a cell of that Grid to its panel: ${r.gridCellToPanelMs.median} ms`);
