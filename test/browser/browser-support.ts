import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startPreviewStack } from '../support/start-preview-stack';
import type { PreviewStack, PreviewStackOptions } from '../support/start-preview-stack';

/**
 * Debian's Chromium driven by playwright-core: no browser download, a fresh profile per file,
 * nothing that phones home.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = 'test/artifacts';

/**
 * Generous, because waits end as soon as the DOM state appears: on a loaded two-core machine
 * Chromium, the server and the fakes share the CPU with the other test files.
 */
export const BROWSER_TIMEOUT_MS = 120_000;
/** How long one DOM state may take to appear. */
export const STEP_TIMEOUT_MS = 30_000;
/** How long an expectation that polls the page waits. */
export const POLL = { timeout: STEP_TIMEOUT_MS };

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'dc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PreviewPage {
  page: Page;
  /** The sidebar app inside its iframe. */
  app: FrameLocator;
  /** Messages the page and the app logged to the console, for failure messages. */
  console: string[];
}

/** Opens the preview for a ticket and waits until the app has listed its connectors. */
export async function openPreview(chromiumInstance: Chromium, url: string): Promise<PreviewPage> {
  const page = await chromiumInstance.context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  const requests: string[] = [];
  page.on('requestfinished', (request) => requests.push(`${request.method()} ${request.url()}`));
  page.on('requestfailed', (request) =>
    requests.push(`FAILED ${request.method()} ${request.url()}`),
  );
  await page.goto(url);
  const app = page.frameLocator('#app-frame');
  try {
    await app.locator('[data-testid=app][aria-busy=false]').waitFor();
  } catch (error) {
    // Say what the page and the app were doing, so a failure on CI can be read from the log.
    const frameHtml = await app
      .locator('body')
      .innerHTML({ timeout: 1000 })
      .catch(() => '(no frame)');
    throw new Error(
      `the app did not finish loading: ${(error as Error).message}\n` +
        `console:\n${consoleLines.join('\n')}\nrequests:\n${requests.join('\n')}\n` +
        `app:\n${frameHtml.slice(0, 2000)}`,
    );
  }
  return { page, app, console: consoleLines };
}

export function artifactPath(name: string): string {
  const path = join(ARTIFACTS_DIR, name);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/**
 * Saves a console screenshot to the test artifacts; with UPDATE_DOC_SCREENSHOTS=1 also to
 * docs/images, where docs/admin.md shows them.
 */
export async function shootConsole(page: Page, name: string): Promise<void> {
  const path = artifactPath(`browser/admin-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (process.env.UPDATE_DOC_SCREENSHOTS === '1') {
    mkdirSync('docs/images', { recursive: true });
    copyFileSync(path, `docs/images/admin-${name}.png`);
  }
}

/**
 * The stack every browser suite runs against, and one Chromium: started before the suite's
 * tests, closed after them. Read them through the returned object once the suite has started.
 */
export function startBrowserSuite(options: PreviewStackOptions = {}): {
  readonly stack: PreviewStack;
  readonly chromium: Chromium;
  /** Opens the preview on a ticket in a new page of the suite's Chromium. */
  openTicket(ticketId: number): Promise<PreviewPage>;
} {
  let stack: PreviewStack | undefined;
  let chromium: Chromium | undefined;
  beforeAll(async () => {
    [stack, chromium] = await Promise.all([startPreviewStack(options), launchChromium()]);
  }, BROWSER_TIMEOUT_MS);
  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the browser suite has not started');
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get chromium() {
      return started(chromium);
    },
    openTicket: (ticketId) =>
      openPreview(started(chromium), `${started(stack).previewUrl}?ticket=${ticketId}`),
  };
}
