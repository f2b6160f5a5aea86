/**
 * The UI's scenarios (`scenarios.ts`) in Debian's Chromium against a real `updraft standalone`: the built CLI
 * runs the DAG processor, the scheduler with the local executor, and the API server with the built UI, over a
 * new SQLite home (see `real-stack.ts`). The scenarios run in order: the viewer's needs the tutorial's run.
 * Screenshots go to `packages/ui/test-results/e2e-real/`.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { chromiumInstalled, DEFAULT_CHROMIUM, launchChromium, type Browser } from './harness.js';
import { realStackUnavailable, startRealStack, type RealStack } from './real-stack.js';
import { scriptAsTextScenario, tutorialScenario, viewerScenario, type E2eTarget } from './scenarios.js';

const executable = process.env.UPDRAFT_CHROMIUM ?? DEFAULT_CHROMIUM;
const installed = chromiumInstalled(executable);
const required = process.env.UPDRAFT_REQUIRE_SERVICES === '1';

if (!installed && !required) console.warn(`UI end-to-end tests against updraft standalone skipped: no Chromium at ${executable} (apt-get install chromium)`);

describe.skipIf(!installed && !required)('UI in Chromium against updraft standalone', () => {
  let stack: RealStack | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    if (!installed) throw new Error(`Chromium is required (UPDRAFT_REQUIRE_SERVICES=1) but ${executable} does not exist: apt-get install chromium`);
    const unavailable = realStackUnavailable();
    if (unavailable) throw new Error(`The real stack cannot start: ${unavailable}`);
    stack = await startRealStack();
    browser = await launchChromium(executable);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, 60_000);

  const target = (): E2eTarget => {
    if (!stack) throw new Error('the stack did not start');
    return { base: stack.url, admin: stack.admin, viewer: stack.viewer, screenshots: 'e2e-real', runTimeoutMs: 150_000 };
  };
  const withOutput = async (scenario: (b: Browser, t: E2eTarget) => Promise<void>) => {
    try {
      await scenario(browser as Browser, target());
    } catch (error) {
      // The server's own account of what happened, for a failure that the browser alone cannot explain.
      throw new Error(`${(error as Error).message}\n--- updraft standalone output (last 4000 characters) ---\n${stack?.output().slice(-4000) ?? ''}`, { cause: error });
    }
  };

  it('runs the tutorial: log in, unpause, trigger, see four green tasks in the Grid and the Graph, the log, the accuracy XCom and the report, log out', () =>
    withOutput(tutorialScenario), 240_000);

  it('renders a description, source and task log that contain <script> as text', () => withOutput(scriptAsTextScenario), 240_000);

  it('shows a viewer no trigger, pause or task actions, and API errors in words', () => withOutput(viewerScenario), 120_000);
});
