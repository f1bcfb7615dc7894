import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import { BROWSER_TIMEOUT_MS, POLL, shootConsole, startBrowserSuite } from './browser-support';

/**
 * "New connector" in Chromium: from a template (a ticket field picked from Zendesk's own list),
 * and from a curl command copied from API docs (the token becomes a secret reference). Each is
 * reviewed, then created as a draft with its connection.
 */

const suite = startBrowserSuite({});

/** Signs in, unless the context's cookie already holds a session from an earlier test. */
async function signIn(page: Page) {
  await page.goto(`${suite.stack.url}/admin`);
  const listed = page.locator('tr[data-connector=shopify_order_lookup]');
  await page.locator('#token').or(listed).first().waitFor();
  if (await page.locator('#token').count()) {
    await page.locator('#token').fill(TEST_ADMIN_TOKEN);
    await page.keyboard.press('Enter');
  }
  await listed.waitFor();
}

describe('a new connector in the console', () => {
  it(
    'adds one from a template, with a field picked from the helpdesk, as a draft',
    async () => {
      const page = await suite.chromium.context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await signIn(page);
      await page.getByRole('link', { name: 'New connector' }).click();
      await page.locator('#template-search').fill('rest');
      await page.getByRole('link', { name: 'Generic REST lookup' }).click();
      await page.locator('#blank-base_url').fill('https://api.acme.test/v1');
      // The field list is Zendesk's own: titles, ids and types.
      const planField = page.locator('#blank-plan_field');
      await expect
        .poll(() => planField.locator('option').allTextContents(), POLL)
        .toContain(`Tracking number (${SANDBOX_FIELD_IDS.trackingNumber}, text)`);
      await planField.selectOption(String(SANDBOX_FIELD_IDS.trackingNumber));
      await shootConsole(page, 'new-from-template');
      await page.getByRole('button', { name: 'Review draft' }).click();
      await page.locator('[data-testid=draft-review]').waitFor();
      expect(await page.locator('#draft-check').textContent()).toContain('The config loads');
      expect(await page.locator('[data-secret=API_TOKEN]').textContent()).toContain('not set');
      expect(await page.locator('#draft-connector').inputValue()).toContain(
        `"${SANDBOX_FIELD_IDS.trackingNumber}": "{{outputs.plan}}"`,
      );
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { name: /customer_lookup/ }).waitFor();
      await expect.poll(() => page.locator('h1 .tag-draft').count(), POLL).toBe(1);
      const config = JSON.parse(readFileSync(suite.stack.configPath, 'utf8')) as {
        connections: Record<string, { baseUrl: string }>;
      };
      expect(config.connections.rest_api?.baseUrl).toBe('https://api.acme.test/v1');
      expect(problems).toEqual([]);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'drafts one from a curl command, the token kept out of the config',
    async () => {
      const page = await suite.chromium.context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await signIn(page);
      await page.getByRole('link', { name: 'New connector' }).click();
      await page.getByRole('link', { name: 'From a curl command' }).click();
      await page
        .locator('#draft-curl')
        .fill(
          `curl https://api.tracker.example.com/v2/issues/ISS-12 \\\n  -H 'Authorization: Bearer tk_9f8e7d6c5b4a39281706'`,
        );
      await page.locator('#draft-sample').fill('{"issue":{"key":"ISS-12","state":"open"}}');
      await page.locator('#draft-id').fill('tracker_issue');
      await page.getByRole('button', { name: 'Review draft' }).click();
      await page.locator('[data-testid=draft-review]').waitFor();
      const connection = await page.locator('#draft-connection').inputValue();
      expect(connection).toMatch(/\{\{secrets\.[A-Z_]+TOKEN\}\}/);
      expect(connection).not.toContain('tk_9f8e7d6c5b4a39281706');
      expect(await page.locator('#draft-connector').inputValue()).toContain('"issue.state"');
      await shootConsole(page, 'new-from-curl');
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { name: /tracker_issue/ }).waitFor();
      expect(readFileSync(suite.stack.configPath, 'utf8')).not.toContain('tk_9f8e7d6c5b4a39281706');
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
