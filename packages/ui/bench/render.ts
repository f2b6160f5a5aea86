/**
 * The UI's speed, measured in Debian's Chromium against the mock API: the size of the first load (gzipped), the
 * time to the first render of the DAG list, and of the Grid with 1,000 runs beside the Grid with 25 (the
 * baseline, measured in the same browser in the same call). Times are the app's own performance marks, from
 * navigation start: script load, API requests and rendering together.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { tutorialFixture } from '../test/e2e/fixture.js';
import { buildUiInto, DEFAULT_CHROMIUM, launchChromium } from '../test/e2e/harness.js';
import { startMockApi } from '../test/e2e/mock-api.js';

/** Options of {@link benchUiRender}. */
export interface UiRenderBenchOptions {
  /** Runs of `mlops_pipeline` in the Grid; default 1000. */
  runs?: number;
  /** Runs in the baseline Grid; default 25 (the Grid's default). */
  baselineRuns?: number;
  /** DAGs in the list besides the tutorial's; default 100. */
  extraDags?: number;
  /** Measurements of each figure; the median is reported; default 5. */
  repeats?: number;
  /** The Chromium binary; default `/usr/bin/chromium`. */
  chromium?: string;
  /** A built app to measure; default: build one into a temporary folder (removed after). */
  distDir?: string | null;
  /** A folder to save screenshots of the measured pages in; default none. */
  screenshotDir?: string | null;
}

/** Milliseconds of each repeat and their median. */
export interface Timing {
  median: number;
  samples: number[];
}

/** What {@link benchUiRender} measured. */
export interface UiRenderBenchResult {
  firstLoad: FirstLoadSize;
  dagListFirstRenderMs: Timing;
  gridFirstRenderMs: Timing;
  gridBaselineFirstRenderMs: Timing;
  /** From a click on a cell of the big Grid to its task instance panel on screen (responsiveness). */
  gridCellToPanelMs: Timing;
  /** Grid with `runs` over Grid with `baselineRuns`. */
  gridRatio: number;
  runs: number;
  baselineRuns: number;
  dags: number;
}

/** The files `index.html` loads before any lazy chunk, and their sizes. */
export interface FirstLoadSize {
  files: string[];
  bytes: number;
  gzipBytes: number;
}

/** Sizes of what a first visit downloads: index.html and the scripts and styles it names (lazy chunks left out). */
export function firstLoadSize(distDir: string): FirstLoadSize {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const files = ['index.html', ...[...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1] as string)];
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const data = readFileSync(join(distDir, f));
    bytes += data.length;
    gzipBytes += gzipSync(data, { level: 9 }).length;
  }
  return { files, bytes, gzipBytes };
}

/** Every file of the build, for a listing: path and bytes. */
export function buildFiles(distDir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else out.push({ path: `${prefix}${name}`, bytes: statSync(full).size });
    }
  };
  walk(distDir, '');
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function markTime(page: Page, url: string, ready: string, mark: string): Promise<number> {
  await page.goto(url);
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  const t = await page.evaluate<number>(`performance.getEntriesByName(${JSON.stringify(mark)})[0]?.startTime ?? -1`);
  if (t < 0) throw new Error(`the page at ${url} set no performance mark ${mark}`);
  return t;
}

/** Measures the UI in Chromium; throws when Chromium is missing. */
export async function benchUiRender(options: UiRenderBenchOptions = {}): Promise<UiRenderBenchResult> {
  const runs = options.runs ?? 1000;
  const baselineRuns = options.baselineRuns ?? 25;
  const repeats = options.repeats ?? 5;
  const fixture = tutorialFixture({ historyRuns: runs, extraDags: options.extraDags ?? 100 });
  const built = options.distDir ? null : await buildUiInto();
  const dist = options.distDir ?? built;
  if (!dist) throw new Error('no build to measure');
  const mock = await startMockApi({ staticDir: dist, fixture });
  const browser = await launchChromium(options.chromium ?? DEFAULT_CHROMIUM);
  try {
    const page = await browser.newPage();
    const login = await page.request.post(`${mock.url}/auth/login`, { data: { username: 'viewer', password: 'viewer' } });
    if (!login.ok()) throw new Error(`login to the mock API failed: ${login.status()}`);
    const grid = (n: number) => `${mock.url}/dags/mlops_pipeline?runs=${n}`;
    // One untimed visit of each page first: the browser's caches warm as they would after a person's first visit.
    await markTime(page, `${mock.url}/`, '[data-testid="dag-row"]', 'updraft:dag-list-rendered');
    await markTime(page, grid(runs), '[data-testid="grid-cell"]', 'updraft:grid-rendered');
    const list: number[] = [];
    const big: number[] = [];
    const small: number[] = [];
    const click: number[] = [];
    for (let i = 0; i < repeats; i++) {
      list.push(await markTime(page, `${mock.url}/`, '[data-testid="dag-row"]', 'updraft:dag-list-rendered'));
      small.push(await markTime(page, grid(baselineRuns), '[data-testid="grid-cell"]', 'updraft:grid-rendered'));
      big.push(await markTime(page, grid(runs), '[data-testid="grid-cell"]', 'updraft:grid-rendered'));
      const tasks = fixture.dags[0]?.tasks ?? [];
      const task = tasks[i % tasks.length]?.task_id ?? '';
      const started = performance.now();
      await page.locator(`[data-testid="grid-cell"][data-task="${task}"]`).last().click();
      await page.getByTestId('ti-panel').getByRole('heading', { name: task }).waitFor();
      click.push(performance.now() - started);
    }
    if (options.screenshotDir) {
      mkdirSync(options.screenshotDir, { recursive: true });
      await page.screenshot({ path: join(options.screenshotDir, `grid-${runs}-runs.png`) });
      await page.goto(`${mock.url}/`);
      await page.locator('[data-testid="dag-row"]').first().waitFor();
      await page.screenshot({ path: join(options.screenshotDir, `dag-list-${fixture.dags.length}-dags.png`) });
    }
    const timing = (xs: number[]): Timing => ({ median: Math.round(median(xs) * 10) / 10, samples: xs.map((x) => Math.round(x * 10) / 10) });
    return {
      firstLoad: firstLoadSize(dist),
      dagListFirstRenderMs: timing(list),
      gridFirstRenderMs: timing(big),
      gridBaselineFirstRenderMs: timing(small),
      gridCellToPanelMs: timing(click),
      gridRatio: Math.round((median(big) / median(small)) * 100) / 100,
      runs,
      baselineRuns,
      dags: fixture.dags.length,
    };
  } finally {
    await browser.close();
    await mock.close();
    if (built) rmSync(built, { recursive: true, force: true });
  }
}
