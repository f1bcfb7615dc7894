import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import { BROWSER_TIMEOUT_MS, POLL, shootConsole, startBrowserSuite } from './browser-support';

/**
 * The console's Backfills page in Chromium: a dry run shows the count and the first requests
 * and starts nothing; starting it shows a row whose progress bar fills as the deliveries finish,
 * and every matching sandbox ticket gets the connector's write.
 */

const suite = startBrowserSuite({});

describe('backfills in the console', () => {
  it(
    'dry-runs, starts and follows a backfill to the end',
    async () => {
      const page = await suite.chromium.context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${suite.stack.url}/admin`);
      await page.locator('#token').fill(TEST_ADMIN_TOKEN);
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: 'Backfills' }).click();
      await page.getByRole('heading', { name: 'Backfills' }).waitFor();

      await page.locator('input[name=connectorId]').fill('shopify_order_lookup');
      await page.locator('input[name=query]').fill('tags:order');
      await page.getByRole('button', { name: 'Dry run' }).click();
      const summary = page.locator('.backfill-dry-run p');
      await expect.poll(() => summary.textContent(), POLL).toMatch(/^\d+ match\./);
      const matches = Number(/^(\d+)/.exec((await summary.textContent()) ?? '')?.[1]);
      expect(matches).toBeGreaterThan(0);
      // The dry run lists requests as they would be sent, and queues nothing.
      expect(await page.locator('.backfill-dry-run li').count()).toBeGreaterThan(0);
      expect(await page.locator('tr[data-backfill]').count()).toBe(0);

      await page.getByRole('button', { name: `Start the backfill on ${matches}` }).click();
      const row = page.locator('tr[data-backfill]');
      await row.waitFor();
      // The page refreshes itself every 2 s until the backfill is done.
      await expect.poll(() => row.textContent(), POLL).toContain(`${matches}/${matches}`);
      await expect.poll(() => row.textContent(), POLL).toContain('done');
      await shootConsole(page, 'backfills');
      expect(problems).toEqual([]);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'shows why a backfill failed, and resumes it',
    async () => {
      const page = await suite.chromium.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${suite.stack.url}/admin`);
      // Signed in already when the first test ran in this browser.
      const token = page.locator('#token');
      const link = page.getByRole('link', { name: 'Backfills' });
      await token.or(link).first().waitFor();
      if (await token.isVisible()) {
        await token.fill(TEST_ADMIN_TOKEN);
        await page.keyboard.press('Enter');
      }
      await link.click();
      await page.getByRole('heading', { name: 'Backfills' }).waitFor();
      // The dry run's first page goes through; the backfill's own is refused.
      suite.stack.zendesk.faults.enqueue({ pathPattern: '/search/export', delayMs: 1 });
      suite.stack.zendesk.faults.enqueue({
        pathPattern: '/search/export',
        status: 400,
        // Markup in Zendesk's answer is shown as text, never rendered.
        body: {
          error: 'InvalidSearchQuery',
          description: 'Unknown field: <b>custom_field_360</b>',
        },
      });
      await page.locator('input[name=connectorId]').fill('shopify_order_lookup');
      await page.locator('input[name=query]').fill('tags:order');
      await page.getByRole('button', { name: 'Dry run' }).click();
      await page.getByRole('button', { name: /^Start the backfill on/ }).click();
      const row = page.locator('tr[data-backfill]').first();
      const reason = row.locator('[data-backfill-error]');
      await expect
        .poll(() => reason.textContent(), POLL)
        .toMatch(
          /^The Zendesk helpdesk refused the backfill's query: .*Unknown field: <b>custom_field_360<\/b>/,
        );
      expect(await row.locator('b').count()).toBe(0);
      expect(await row.textContent()).toContain('query refused');
      await shootConsole(page, 'backfill-failed');

      await row.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => row.textContent(), POLL).toContain('done');
      expect(await reason.count()).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
