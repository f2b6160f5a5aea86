/**
 * What a person does in the UI, as scenarios that run against any server with the tutorial DAG, a DAG
 * `xss_probe` (a `<script>` in its description and its task's log, an integer param `times` of at least 1), an
 * import error, an admin and a viewer: the mock API (`ui.test.ts`) and a real `updraft standalone`
 * (`real-stack.test.ts`). Each scenario saves screenshots under `test-results/<folder>/`.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { logIn, screenshot, type Browser } from './harness.js';

/** The server a scenario drives. */
export interface E2eTarget {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  base: string;
  admin: { username: string; password: string };
  viewer: { username: string; password: string };
  /** Folder under `test-results/` for the screenshots. */
  screenshots: string;
  /** How long to wait for work the scheduler does (a run to finish), in milliseconds. */
  runTimeoutMs: number;
}

/** A page that records script errors and CSP refusals; the scenarios fail on any at their end. */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push(`console: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
  });
  return { page, problems };
}

/** Waits until `n` elements matching `selector` have `data-state="state"`. */
// Locators, not waitForFunction: the app's Content-Security-Policy forbids the eval that a string predicate needs.
function countState(page: Page, selector: string, state: string, n: number, timeout: number): Promise<void> {
  return page.locator(`${selector}[data-state="${state}"]`).nth(n - 1).waitFor({ timeout });
}

/** Turns a DAG on through its switch (on the page at hand), unless it is on. */
async function unpause(page: Page, scope: string): Promise<void> {
  const toggle = page.locator(`${scope} [data-testid="pause-toggle"]`).first();
  if ((await toggle.getAttribute('aria-checked')) === 'false') await toggle.click();
  await page.locator(`${scope} [data-testid="pause-toggle"][aria-checked="true"]`).first().waitFor();
}

/** Log in, unpause, trigger, watch the four tasks go green in the Grid and the Graph, read the log, XCom and report, log out. */
export async function tutorialScenario(browser: Browser, t: E2eTarget): Promise<void> {
  const { page, problems } = await openPage(browser);
  try {
    await logIn(page, t.base, t.admin.username, t.admin.password);
    expect(await page.getByTestId('user-name').innerText()).toContain(t.admin.username);
    const row = page.locator('[data-testid="dag-row"][data-dag-id="mlops_pipeline"]');
    await row.waitFor();
    await screenshot(page, t.screenshots, '01-dag-list');

    await unpause(page, '[data-testid="dag-row"][data-dag-id="mlops_pipeline"]');
    await row.getByTestId('trigger-button').click();
    const dialog = page.getByTestId('trigger-dialog');
    await dialog.getByTestId('trigger-submit').waitFor();
    // The form comes from the DAG's params: the tutorial's one, output_dir, defaults to null (an empty field).
    expect(await dialog.getByLabel('output_dir').inputValue()).toBe('');
    await screenshot(page, t.screenshots, '02-trigger-form');
    await dialog.getByTestId('trigger-submit').click();
    await page.waitForURL(/\/dags\/mlops_pipeline\?run=/);
    const runId = new URL(page.url()).searchParams.get('run') as string;

    await countState(page, `[data-testid="grid-cell"][data-run="${runId}"]`, 'success', 4, t.runTimeoutMs);
    await screenshot(page, t.screenshots, '03-grid-green');

    await page.getByRole('tab', { name: 'Graph' }).click();
    await countState(page, '[data-testid="graph-node"]', 'success', 4, t.runTimeoutMs);
    await screenshot(page, t.screenshots, '04-graph-green');

    await page.getByRole('tab', { name: 'Grid' }).click();
    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-task="train_model"]`).click();
    const panel = page.getByTestId('ti-panel');
    await panel.getByRole('heading', { name: 'train_model' }).waitFor();
    await panel.getByTestId('log').filter({ hasText: /Saved \S*models\/model\.json/ }).waitFor();
    expect(await panel.getByTestId('log').innerText()).toMatch(/RandomForest/);
    await screenshot(page, t.screenshots, '05-train-model-log');

    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-task="evaluate_model"]`).click();
    const accuracy = page.getByTestId('xcom-accuracy');
    await accuracy.waitFor();
    expect(Number(JSON.parse(await accuracy.innerText()))).toBe(1);
    await screenshot(page, t.screenshots, '06-accuracy-xcom');

    await page.getByTestId('ti-panel').getByRole('link', { name: runId }).click();
    const report = page.getByTestId('report');
    await report.waitFor();
    expect(await report.innerText()).toContain('Model accuracy report');
    expect(await report.locator('table').count()).toBeGreaterThan(0);
    await page.getByTestId('accuracy-chart').waitFor();
    await page.getByTestId('gantt').waitFor();
    expect(await page.evaluate('window.__reportScriptRan === undefined')).toBe(true);
    expect(await report.locator('script').count()).toBe(0);
    await screenshot(page, t.screenshots, '07-run-report');
    // The tutorial writes to a fixed path: the report is this run's, unless the page says which later run rewrote it.
    const rewritten = page.getByTestId('report-rewritten');
    if ((await rewritten.count()) === 0) expect(await report.innerText()).toContain(runId);
    else {
      const later = await rewritten.getByRole('link').innerText();
      await rewritten.getByRole('link').click();
      await page.getByTestId('report').filter({ hasText: later }).waitFor();
      expect(await page.getByTestId('report-rewritten').count()).toBe(0);
      await screenshot(page, t.screenshots, '07b-later-run-report');
    }

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Updraft' }).waitFor();
    await page.goto(`${t.base}/`);
    await page.getByRole('heading', { name: 'Sign in to Updraft' }).waitFor();
    await screenshot(page, t.screenshots, '08-logged-out');
    expect(problems).toEqual([]);
  } finally {
    await page.close();
  }
}

/**
 * A DAG whose description, source and task log contain `<script>`: shown as text, nothing runs. The admin triggers
 * it (the params form refuses a value under the param's minimum first) and reads the new run's log.
 */
export async function scriptAsTextScenario(browser: Browser, t: E2eTarget): Promise<void> {
  const { page, problems } = await openPage(browser);
  try {
    await logIn(page, t.base, t.admin.username, t.admin.password);
    const description = page.locator('[data-dag-id="xss_probe"] [data-testid="dag-description"]');
    await description.waitFor();
    expect(await description.innerText()).toContain('<script>window.__xss = "description"</script>');
    await page.goto(`${t.base}/dags/xss_probe?tab=code`);
    expect(await page.getByTestId('dag-source').innerText()).toContain('<script>');

    await unpause(page, 'main');
    await page.getByTestId('trigger-button').first().click();
    const dialog = page.getByTestId('trigger-dialog');
    const times = dialog.getByLabel('times');
    expect(await times.inputValue()).toBe('1');
    await times.fill('0');
    await dialog.getByTestId('trigger-submit').click();
    await dialog.getByText('times: must be at least 1').waitFor();
    expect(await times.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, t.screenshots, '09a-params-invalid');
    await times.fill('2');
    await dialog.getByTestId('trigger-submit').click();
    await page.waitForURL(/\/dags\/xss_probe\?run=/);
    const runId = new URL(page.url()).searchParams.get('run') as string;

    const cell = page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-task="echo"]`);
    await page.locator(`[data-testid="grid-cell"][data-run="${runId}"][data-task="echo"][data-state="success"]`).waitFor({ timeout: t.runTimeoutMs });
    await cell.click();
    await page.getByTestId('log').filter({ hasText: 'onerror' }).waitFor();
    const log = await page.getByTestId('log').innerText();
    expect(log).toContain('<script>window.__xss = "log"</script>');
    expect(log).toContain('<img src=x onerror="window.__xss = 1">');
    expect(await page.evaluate('window.__xss === undefined')).toBe(true);
    expect(await page.locator('main script, main img[src="x"]').count()).toBe(0);
    await screenshot(page, t.screenshots, '09-script-as-text');
    expect(problems).toEqual([]);
  } finally {
    await page.close();
  }
}

/**
 * A viewer sees no trigger, pause or task actions; a wrong password and an unknown DAG are said in words; the
 * Grid works from the keyboard and fits 1024 px. Needs a finished run of `mlops_pipeline`.
 */
export async function viewerScenario(browser: Browser, t: E2eTarget): Promise<void> {
  const { page, problems } = await openPage(browser);
  try {
    await page.goto(`${t.base}/login`);
    await page.getByLabel('Username').fill(t.viewer.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /Invalid username or password/ }).waitFor();
    await screenshot(page, t.screenshots, '10-login-error');

    await logIn(page, t.base, t.viewer.username, t.viewer.password);
    await page.locator('[data-testid="dag-row"]').first().waitFor();
    await page.getByTestId('import-errors').waitFor();
    expect(await page.getByTestId('trigger-button').count()).toBe(0);
    expect(await page.getByRole('switch').count()).toBe(0);
    await screenshot(page, t.screenshots, '11-viewer-list');

    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${t.base}/dags/mlops_pipeline`);
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
    await screenshot(page, t.screenshots, '12-viewer-dag');

    await page.goto(`${t.base}/`);
    await page.locator('[data-testid="dag-row"]').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, t.screenshots, '12b-viewer-list-1024');
    await page.goto(`${t.base}/dags/no_such_dag`);
    await page.getByRole('alert').filter({ hasText: /not found/i }).waitFor();
    await screenshot(page, t.screenshots, '13-unknown-dag');
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  } finally {
    await page.close();
  }
}
