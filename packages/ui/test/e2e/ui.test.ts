/**
 * The UI in Debian's Chromium against the mock API (`mock-api.ts`): the shared scenarios (`scenarios.ts`: the
 * tutorial's morning, text that must stay text, what a viewer may not do), and what only the mock can stage (a
 * try held running, sixty DAGs). `real-stack.test.ts` runs the same scenarios against `updraft standalone`.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUiInto, chromiumInstalled, DEFAULT_CHROMIUM, launchChromium, logIn, screenshot, type Browser } from './harness.js';
import { tutorialFixture } from './fixture.js';
import { startMockApi, type MockApi } from './mock-api.js';
import { openPage, scriptAsTextScenario, tutorialScenario, viewerScenario, type E2eTarget } from './scenarios.js';

const executable = process.env.UPDRAFT_CHROMIUM ?? DEFAULT_CHROMIUM;
const installed = chromiumInstalled(executable);
const required = process.env.UPDRAFT_REQUIRE_SERVICES === '1';
const adminUser = 'admin';
const adminPassword = 'admin';

if (!installed && !required) console.warn(`UI end-to-end tests skipped: no Chromium at ${executable} (apt-get install chromium)`);

describe.skipIf(!installed && !required)('UI in Chromium (mock API)', () => {
  let mock: MockApi | null = null;
  let dist: string | null = null;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!installed) throw new Error(`Chromium is required (UPDRAFT_REQUIRE_SERVICES=1) but ${executable} does not exist: apt-get install chromium`);
    dist = await buildUiInto();
    mock = await startMockApi({ staticDir: dist });
    base = mock.url;
    browser = await launchChromium(executable);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  const target = (): E2eTarget => ({
    base,
    admin: { username: adminUser, password: adminPassword },
    viewer: { username: 'viewer', password: 'viewer' },
    screenshots: 'e2e',
    runTimeoutMs: 20_000,
  });

  it('runs the tutorial: log in, unpause, trigger, watch it go green, read the log, XCom and report, log out', () => tutorialScenario(browser, target()));

  it('renders a description, source and task log that contain <script> as text', () => scriptAsTextScenario(browser, target()));

  it('shows a viewer no trigger, pause or task actions, and API errors in words', () => viewerScenario(browser, target()));

  it('streams a running try\'s log and updates the Grid live; an admin marks the task failed', async () => {
    const { page, problems } = await openPage(browser);
    await logIn(page, base, adminUser, adminPassword);
    await page.goto(`${base}/dags/streaming_logs`);
    await page.getByTestId('trigger-button').click();
    await page.getByTestId('trigger-submit').click();
    await page.waitForURL(/\?run=/);
    const runId = new URL(page.url()).searchParams.get('run') as string;
    const cell = page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-task="stream"]`);
    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-state="running"]`).waitFor();
    await cell.click();
    const log = page.getByTestId('log');
    await log.filter({ hasText: 'first line' }).waitFor();
    expect(await log.innerText()).not.toContain('third line');
    expect(await page.getByTestId('ti-panel').innerText()).toContain('live');
    await screenshot(page, 'e2e', '14-live-log');

    mock?.release('streaming_logs', 'stream');
    await log.filter({ hasText: 'third line' }).waitFor();
    await page.getByTestId('ti-panel').getByText(/try ended/).waitFor();
    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-state="success"]`).waitFor();
    expect((await log.innerText()).match(/first line/g)).toHaveLength(1);

    await page.getByTestId('ti-panel').getByRole('button', { name: 'Mark failed' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-state="failed"]`).waitFor();
    await screenshot(page, 'e2e', '15-marked-failed');

    // Clear: the task runs again, as a second try with its own log.
    await page.getByTestId('ti-panel').getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('ti-panel').getByRole('tab', { name: /Try 2/ }).waitFor();
    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-state="success"]`).waitFor();
    await page.getByTestId('ti-panel').getByRole('tab', { name: /Try 2/ }).click();
    await log.filter({ hasText: 'third line' }).waitFor();
    await screenshot(page, 'e2e', '15b-cleared-try-2');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('pages through many DAGs, searches and filters by tag and status', async () => {
    const many = await startMockApi({ staticDir: dist, fixture: tutorialFixture({ extraDags: 60 }) });
    const { page, problems } = await openPage(browser);
    try {
      await logIn(page, many.url, adminUser, adminPassword);
      const rows = page.locator('[data-testid="dag-row"]');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(50);
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.getByText('51–63 of 63').waitFor();
      expect(await rows.count()).toBe(13);
      await screenshot(page, 'e2e', '16-dag-list-page-2');

      await page.getByRole('searchbox', { name: 'Search DAGs' }).fill('etl_01');
      await page.getByText('10 DAGs').waitFor();
      expect(await rows.first().getAttribute('data-dag-id')).toBe('etl_010');
      await page.getByRole('searchbox', { name: 'Search DAGs' }).fill('');
      await page.getByRole('group', { name: 'Filter by tag' }).getByRole('button', { name: 'tutorial' }).click();
      await page.getByText('1 DAG', { exact: true }).waitFor();
      expect(await rows.first().getAttribute('data-dag-id')).toBe('mlops_pipeline');
      await page.getByRole('group', { name: 'Filter by tag' }).getByRole('button', { name: 'tutorial' }).click();
      await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Paused' }).click();
      await page.getByText('21 DAGs').waitFor();
      await screenshot(page, 'e2e', '17-dag-list-paused');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await many.close();
    }
  });
});
