/**
 * The UI in Debian's Chromium, end to end: the tutorial's morning (log in, unpause, trigger, watch the tasks go
 * green, read a log, the accuracy XCom and the report, log out), text that must stay text, and what a viewer
 * may not do. Against the mock API by default; `UPDRAFT_E2E_URL` (with `UPDRAFT_E2E_ADMIN` and
 * `UPDRAFT_E2E_VIEWER` as user:password) points the same tests at a real `updraft standalone`.
 */
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUiInto, chromiumInstalled, DEFAULT_CHROMIUM, launchChromium, logIn, screenshot, type Browser } from './harness.js';
import { tutorialFixture } from './fixture.js';
import { startMockApi, type MockApi } from './mock-api.js';

const executable = process.env.UPDRAFT_CHROMIUM ?? DEFAULT_CHROMIUM;
const installed = chromiumInstalled(executable);
const required = process.env.UPDRAFT_REQUIRE_SERVICES === '1';
const realUrl = process.env.UPDRAFT_E2E_URL ?? null;
const cred = (value: string | undefined, fallback: [string, string]): [string, string] => {
  if (!value) return fallback;
  const i = value.indexOf(':');
  return [value.slice(0, i), value.slice(i + 1)];
};
const [adminUser, adminPassword] = cred(process.env.UPDRAFT_E2E_ADMIN, ['admin', 'admin']);
const [viewerUser, viewerPassword] = cred(process.env.UPDRAFT_E2E_VIEWER, ['viewer', 'viewer']);

if (!installed && !required) console.warn(`UI end-to-end tests skipped: no Chromium at ${executable} (apt-get install chromium)`);

describe.skipIf(!installed && !required)('UI in Chromium', () => {
  let mock: MockApi | null = null;
  let dist: string | null = null;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!installed) throw new Error(`Chromium is required (UPDRAFT_REQUIRE_SERVICES=1) but ${executable} does not exist: apt-get install chromium`);
    if (realUrl) base = realUrl.replace(/\/$/, '');
    else {
      dist = await buildUiInto();
      mock = await startMockApi({ staticDir: dist });
      base = mock.url;
    }
    browser = await launchChromium(executable);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  /** A page that records script errors and CSP refusals, which fail the test at the end. */
  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push(`console: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
    });
    return { page, problems };
  }

  // Locators, not waitForFunction: the app's Content-Security-Policy forbids the eval that a string predicate needs.
  const countState = (page: Page, selector: string, state: string, n: number) => page.locator(`${selector}[data-state="${state}"]`).nth(n - 1).waitFor();

  it('runs the tutorial: log in, unpause, trigger, watch it go green, read the log, XCom and report, log out', async () => {
    const { page, problems } = await openPage();
    await logIn(page, base, adminUser, adminPassword);
    expect(await page.getByTestId('user-name').innerText()).toContain(adminUser);
    const row = page.locator('[data-testid="dag-row"][data-dag-id="mlops_pipeline"]');
    await row.waitFor();
    await screenshot(page, 'e2e', '01-dag-list');

    const toggle = row.getByRole('switch');
    if ((await toggle.getAttribute('aria-checked')) === 'false') await toggle.click();
    await page.waitForSelector('[data-dag-id="mlops_pipeline"] [role="switch"][aria-checked="true"]');

    await row.getByTestId('trigger-button').click();
    const dialog = page.getByTestId('trigger-dialog');
    await dialog.getByTestId('trigger-submit').waitFor();
    // The form comes from the DAG's params and checks them before sending.
    const trees = dialog.getByLabel('n_estimators');
    expect(await trees.inputValue()).toBe('100');
    await trees.fill('0');
    await dialog.getByTestId('trigger-submit').click();
    await dialog.getByText('n_estimators: must be at least 1').waitFor();
    expect(await trees.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'e2e', '02-trigger-form');
    await trees.fill('100');
    await dialog.getByTestId('trigger-submit').click();
    await page.waitForURL(/\/dags\/mlops_pipeline\?run=/);
    const runId = new URL(page.url()).searchParams.get('run') as string;

    await countState(page, `[data-testid="grid-cell"][data-run="${runId}"]`, 'success', 4);
    await screenshot(page, 'e2e', '03-grid-green');

    await page.getByRole('tab', { name: 'Graph' }).click();
    await countState(page, '[data-testid="graph-node"]', 'success', 4);
    await screenshot(page, 'e2e', '04-graph-green');

    await page.getByRole('tab', { name: 'Grid' }).click();
    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-task="train_model"]`).click();
    const panel = page.getByTestId('ti-panel');
    await panel.getByRole('heading', { name: 'train_model' }).waitFor();
    await panel.getByTestId('log').filter({ hasText: 'Saved models/model.json' }).waitFor();
    expect(await panel.getByTestId('log').innerText()).toMatch(/RandomForest|Fitted|Saved/);
    await screenshot(page, 'e2e', '05-train-model-log');

    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-task="evaluate_model"]`).click();
    const accuracy = page.getByTestId('xcom-accuracy');
    await accuracy.waitFor();
    expect(Number(JSON.parse(await accuracy.innerText()))).toBe(1);
    await screenshot(page, 'e2e', '06-accuracy-xcom');

    await page.getByTestId('ti-panel').getByRole('link', { name: runId }).click();
    const report = page.getByTestId('report');
    await report.waitFor();
    expect(await report.innerText()).toContain('Model accuracy report');
    expect(await report.locator('table').count()).toBeGreaterThan(0);
    await page.getByTestId('accuracy-chart').waitFor();
    await page.getByTestId('gantt').waitFor();
    expect(await page.evaluate('window.__reportScriptRan === undefined')).toBe(true);
    expect(await report.locator('script').count()).toBe(0);
    await screenshot(page, 'e2e', '07-run-report');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Updraft' }).waitFor();
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in to Updraft' }).waitFor();
    await screenshot(page, 'e2e', '08-logged-out');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders a description, source and task log that contain <script> as text', async () => {
    const { page, problems } = await openPage();
    await logIn(page, base, adminUser, adminPassword);
    const description = page.locator('[data-dag-id="xss_probe"] [data-testid="dag-description"]');
    await description.waitFor();
    expect(await description.innerText()).toContain('<script>window.__xss = "description"</script>');
    await page.goto(`${base}/dags/xss_probe?tab=code`);
    expect(await page.getByTestId('dag-source').innerText()).toContain('<script>');
    await page.getByRole('tab', { name: 'Grid' }).click();
    await page.locator('[data-testid="grid-cell"][data-task="echo"]').last().click();
    await page.getByTestId('log').filter({ hasText: 'onerror' }).waitFor();
    const log = await page.getByTestId('log').innerText();
    expect(log).toContain('<script>window.__xss = "log"</script>');
    expect(log).toContain('<img src=x onerror="window.__xss = 1">');
    expect(await page.evaluate('window.__xss === undefined')).toBe(true);
    expect(await page.locator('main script, main img[src="x"]').count()).toBe(0);
    await screenshot(page, 'e2e', '09-script-as-text');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a viewer no trigger, pause or task actions, and API errors in words', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').fill(viewerUser);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /Invalid username or password/ }).waitFor();
    await screenshot(page, 'e2e', '10-login-error');

    await logIn(page, base, viewerUser, viewerPassword);
    await page.locator('[data-testid="dag-row"]').first().waitFor();
    await page.getByTestId('import-errors').waitFor();
    expect(await page.getByTestId('trigger-button').count()).toBe(0);
    expect(await page.getByRole('switch').count()).toBe(0);
    await screenshot(page, 'e2e', '11-viewer-list');

    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${base}/dags/mlops_pipeline`);
    // Keyboard: the arrows move between cells, Enter opens one.
    await page.locator('[data-testid="grid-cell"][data-task="preprocess_data"]').last().focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement?.getAttribute("data-task")')).toBe('train_model');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('grid-run');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('ti-panel').getByRole('heading', { name: 'train_model' }).waitFor();
    // Readable from 1024 px: nothing wider than the window.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await page.getByTestId('trigger-button').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Clear|Mark success|Mark failed/ }).count()).toBe(0);
    await screenshot(page, 'e2e', '12-viewer-dag');

    await page.goto(`${base}/`);
    await page.locator('[data-testid="dag-row"]').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'e2e', '12b-viewer-list-1024');
    await page.goto(`${base}/dags/no_such_dag`);
    await page.getByRole('alert').filter({ hasText: /not found/i }).waitFor();
    await screenshot(page, 'e2e', '13-unknown-dag');
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    await page.close();
  });

  it.skipIf(realUrl !== null)('streams a running try\'s log and updates the Grid live; an admin marks the task failed', async () => {
    const { page, problems } = await openPage();
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

  it.skipIf(realUrl !== null)('pages through many DAGs, searches and filters by tag and status', async () => {
    const many = await startMockApi({ staticDir: dist, fixture: tutorialFixture({ extraDags: 60 }) });
    const { page, problems } = await openPage();
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
