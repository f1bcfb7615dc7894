import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { artifactPath, BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/**
 * A connector an alert paused (connectors.md, "Alerts"): the agent still sees it, marked
 * "Paused by the admin", learns why, and clicking it runs nothing.
 */

const suite = startBrowserSuite({
  editConfig: (config) => {
    const connectors = config.connectors as { id: string; alerts?: unknown }[];
    const lookup = connectors.find((connector) => connector.id === 'shopify_order_lookup');
    if (lookup) {
      lookup.alerts = { failuresInARow: 1, email: ['ops@example.com'], pause: true };
    }
  },
});

describe('a paused connector in the sidebar', () => {
  it(
    'is marked "Paused by the admin", says so when clicked, and does not run',
    async () => {
      const { stack } = suite;
      stack.upstream.setOutage(true, { service: 'shopify', retryAfterSeconds: 1 });
      const failed = await request(stack.server.app)
        .post('/api/connectors/shopify_order_lookup/run')
        .set(stack.adminAuth)
        .send({ ticketId: 1 });
      expect(failed.body.outcome).toBe('failed');
      stack.upstream.setOutage(false);
      await stack.server.alerts.idle();
      expect(stack.mail.messages().map((mail) => mail.subject)).toContain(
        '[Data Connectors] "Look up Shopify order" is failing: 1 failure in a row',
      );

      const runsBefore = stack.upstream.journal.length;
      const { app, page } = await suite.openTicket(1);
      const option = app.locator('[data-connector-id=shopify_order_lookup]');
      await option.waitFor();
      expect(await option.getAttribute('aria-disabled')).toBe('true');
      const badge = option.locator('[data-testid=last-run][data-outcome=paused]');
      expect(await badge.textContent()).toBe('Paused by the admin');
      expect(await badge.getAttribute('title')).toBe(
        '"Look up Shopify order" is paused by the admin.',
      );

      await option.click({ force: true });
      await expect
        .poll(() => app.locator('#dc-live').textContent(), POLL)
        .toContain('is paused by the admin');
      expect(await app.locator('[data-testid=run-button]').count()).toBe(0);
      expect(stack.upstream.journal.length).toBe(runsBefore);
      await page.screenshot({ path: artifactPath('browser/sidebar-paused.png'), fullPage: true });
    },
    BROWSER_TIMEOUT_MS,
  );
});
