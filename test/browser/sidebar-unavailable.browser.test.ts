import { describe, expect, it } from 'vitest';
import { SANDBOX_SECRETS } from '../support/start-test-stack';
import { artifactPath, BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/**
 * A connector that cannot run (the server lacks the Shopify token): the agent sees it, learns
 * why in plain words without the secret's name, and clicking it runs nothing.
 */

const { SHOPIFY_TOKEN: _missing, ...secrets } = SANDBOX_SECRETS as Record<string, string>;
const suite = startBrowserSuite({ secrets });

describe('an unavailable connector in the sidebar', () => {
  it(
    'explains why in a tooltip, names no secret, and does not run when clicked',
    async () => {
      const runsBefore = suite.stack.upstream.journal.length;
      const { app, page } = await suite.openTicket(1);
      const option = app.locator('[data-connector-id=shopify_order_lookup]');
      await option.waitFor();
      expect(await option.getAttribute('aria-disabled')).toBe('true');
      const badge = option.locator('[data-testid=last-run][data-outcome=unavailable]');
      const why = (await badge.getAttribute('title')) ?? '';
      expect(why).toMatch(/credential this connector needs is not set/);
      expect(why).not.toContain('SHOPIFY_TOKEN');

      // Playwright treats aria-disabled as disabled; an agent's click still reaches the page.
      await option.click({ force: true });
      await expect
        .poll(() => app.locator('#dc-live').textContent(), POLL)
        .toContain('Look up Shopify order cannot run');
      expect(await app.locator('[data-testid=input-form]').count()).toBe(0);
      expect(await app.locator('[data-testid=run-button]').count()).toBe(0);
      expect(suite.stack.upstream.journal.length).toBe(runsBefore);
      expect(await page.content()).not.toContain('SHOPIFY_TOKEN');
      await page.screenshot({
        path: artifactPath('browser/sidebar-unavailable.png'),
        fullPage: true,
      });
    },
    BROWSER_TIMEOUT_MS,
  );
});
