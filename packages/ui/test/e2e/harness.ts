/**
 * What the end-to-end tests and the render benchmark share: building the app, finding and launching Debian's
 * Chromium the way this machine allows, and saving screenshots where a person can look at them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The UI package's root folder. */
export const UI_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where screenshots go: `packages/ui/test-results/` (git-ignored). */
export const RESULTS_DIR = join(UI_ROOT, 'test-results');

/** Debian's Chromium, the browser these tests drive. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a root user on a machine with no network but loopback: no sandbox (root), no GPU, and none of the
 * background connections Chromium would try and fail at.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the app with the package's Vite config into a new temporary folder; returns it (remove it after). */
export async function buildUiInto(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'updraft-ui-dist-'));
  const { build } = await import('vite');
  await build({
    configFile: join(UI_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** A browser with a fresh profile; `close()` ends it and removes the profile. */
export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium headless with a new, empty user data dir. */
export async function launchChromium(executablePath = DEFAULT_CHROMIUM, viewport = { width: 1280, height: 860 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'updraft-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, viewport });
    return {
      context,
      newPage: () => context.newPage(),
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Whether the browser is installed. */
export function chromiumInstalled(executablePath = DEFAULT_CHROMIUM): boolean {
  return existsSync(executablePath);
}

/** Saves a full-page screenshot as `test-results/<folder>/<name>.png`; returns its path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const dir = join(RESULTS_DIR, folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the login page. */
export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-name').waitFor();
}
