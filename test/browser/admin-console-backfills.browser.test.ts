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
});
