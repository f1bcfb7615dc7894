import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import { BROWSER_TIMEOUT_MS, openPreview, startBrowserSuite } from './browser-support';

/** What the agent sees when something is wrong: never a blank panel. */

const suite = startBrowserSuite();
afterEach(() => suite.stack.upstream.setOutage(false));

describe('failures in the sidebar', () => {
  it(
    "shows the connector's failure message and a Retry button that runs it again",
    async () => {
      suite.stack.upstream.setOutage(true, { service: 'shopify', retryAfterSeconds: 1 });
      const { app, page } = await suite.openTicket(2);
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      await app.locator('[data-testid=run-button]').click();

      await app.locator('[data-testid=run-result][data-outcome=failed]').waitFor();
      // Plain words for the kind of failure: no status, error code or upstream body.
      expect(await app.locator('[data-testid=result-message]').textContent()).toBe(
        'The other system is busy or having trouble. Try again in a minute.',
      );
      expect(suite.stack.ticket(2).tags).toContain('shopify_lookup_failed');

      suite.stack.upstream.setOutage(false);
      await app.locator('[data-testid=retry-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      expect(await app.locator('[data-testid=result-message]').textContent()).toBe(
        'Order #1002: paid, unfulfilled.',
      );
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    "refuses a sidebar load whose signature is not Zendesk's, and says what to do",
    async () => {
      const { app, page } = await openPreview(
        suite.chromium,
        `${suite.stack.previewUrl}?ticket=1&signature=forged`,
      );
      const problem = app.locator('[role=alert]');
      await problem.waitFor();
      expect(await problem.textContent()).toContain('Could not verify Zendesk');
      expect(await app.locator('[data-connector-id]').count()).toBe(0);
      expect(suite.stack.logLines.some((line) => line.includes('sidebar load refused'))).toBe(true);
      // No server secret reached the browser.
      const html = await page.content();
      const frameHtml = await app.locator('html').innerHTML();
      for (const text of [html, frameHtml]) expect(text).not.toContain(TEST_ADMIN_TOKEN);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
