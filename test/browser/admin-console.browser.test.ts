import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import { BROWSER_TIMEOUT_MS, POLL, shootConsole, startBrowserSuite } from './browser-support';

/**
 * An admin's walk through the console in Chromium: sign in; create a draft; see it hidden from
 * the sidebar; test it against a sandbox ticket without sending, then with a pasted response;
 * fix the wrong output path the test revealed; publish; run it from the sidebar; find the run in
 * the logs by ticket; roll the config back; trigger an alert from failing runs and read the email
 * in the sandbox mail catcher. The screenshots are the ones docs/admin.md shows.
 */

const suite = startBrowserSuite({
  mailPage: true,
  editConfig: (config) => {
    const connectors = config.connectors as Record<string, unknown>[];
    const lookup = connectors.find((connector) => connector.id === 'shopify_order_lookup');
    if (lookup) {
      lookup.alerts = { failuresInARow: 2, email: ['ops@example.com'], pause: true };
    }
  },
});

/** The draft the admin types: its one output path has a typo the test will reveal. */
const DRAFT = {
  id: 'order_payment',
  name: 'Order payment',
  draft: true,
  connection: 'shopify_demo',
  surfaces: ['zendesk'],
  inputs: [
    {
      name: 'order_number',
      label: 'Order number',
      source: ['ticket.custom_fields.360001000001'],
      required: true,
    },
  ],
  request: {
    method: 'GET',
    path: '/admin/api/2024-10/orders.json',
    query: { name: '{{inputs.order_number}}', status: 'any' },
  },
  response: {
    root: 'orders[0]',
    outputs: [{ name: 'payment', label: 'Payment', path: 'financial_statuss' }],
  },
  writeBack: {
    success: { zendesk: { customFields: { '360001000002': '{{outputs.payment}}' } } },
  },
  messages: { success: 'Payment: {{outputs.payment}}' },
};

const ANSWER = JSON.stringify({
  orders: [{ id: 1, name: '#1001', financial_status: 'paid', fulfillments: [] }],
});

/**
 * Saves a screenshot to the test artifacts; with UPDATE_DOC_SCREENSHOTS=1 also to docs/images,
 * where docs/admin.md shows them.
 */
async function setEditor(page: Page, value: string) {
  await page.locator('#connector-json').fill(value);
  await expect
    .poll(() => page.locator('#check-status').textContent(), POLL)
    .toMatch(/^Valid|^Not valid/);
}

describe('the admin console, walked through', () => {
  it(
    'takes a draft from creation to a live run, back by rollback, and alerts on failures',
    async () => {
      const { stack } = suite;
      const page = await suite.chromium.context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));

      // Sign in with the admin token.
      await page.goto(`${stack.url}/admin`);
      await page.locator('#token').waitFor();
      await shootConsole(page, 'sign-in');
      await page.locator('#token').fill(TEST_ADMIN_TOKEN);
      await page.keyboard.press('Enter');
      await page.locator('tr[data-connector=shopify_order_lookup]').waitFor();
      await shootConsole(page, 'connectors');

      // Create a draft. A first try without a request is refused with a path and a hint.
      await page.getByRole('link', { name: 'New connector' }).click();
      await page.getByRole('link', { name: 'Blank' }).click();
      // The blank template is checked as it appears, not left at "Checking…" until typed in.
      await expect.poll(() => page.locator('#check-status').textContent(), POLL).toMatch(/^Valid/);
      await setEditor(page, JSON.stringify({ ...DRAFT, request: undefined }, null, 2));
      expect(await page.locator('#check-status').textContent()).toMatch(/^Not valid/);
      expect(await page.locator('.issues').textContent()).toContain('request');
      await setEditor(page, JSON.stringify(DRAFT, null, 2));
      expect(await page.locator('#check-status').textContent()).toMatch(/^Valid/);
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { name: /order_payment/ }).waitFor();
      await expect.poll(() => page.locator('h1 .tag-draft').count(), POLL).toBe(1);

      // Hidden from the sidebar while it is a draft.
      const sidebar = await suite.openTicket(1);
      await sidebar.app.locator('[data-connector-id=shopify_order_lookup]').waitFor();
      expect(await sidebar.app.locator('[data-connector-id=order_payment]').count()).toBe(0);
      await sidebar.page.close();

      // Test it on ticket 1 without sending: the request as it would go, the secret masked.
      const journalBefore = stack.upstream.journal.length;
      await page.getByRole('link', { name: 'Test' }).click();
      await page.locator('#test-target').fill('1');
      await page.getByRole('button', { name: 'Preview request' }).click();
      const requestText = page.locator('[data-testid=test-request]');
      await requestText.waitFor();
      expect(await requestText.textContent()).toContain('orders.json?name=%231001&status=any');
      expect(await requestText.textContent()).toContain('[secret]');
      expect(stack.upstream.journal.length).toBe(journalBefore);

      // Then with a pasted answer: the typo'd path finds nothing, so the run would be empty.
      await page.locator('#test-response').fill(ANSWER);
      await page.getByRole('button', { name: 'Test with this response' }).click();
      const outcome = page.locator('[data-testid=test-outcome]');
      await expect.poll(() => outcome.getAttribute('data-outcome'), POLL).toBe('empty');
      expect(await page.locator('[data-rule="outputs.payment"]').textContent()).toContain(
        'nothing',
      );
      await shootConsole(page, 'test');

      // Fix the path in the editor and save; the same answer now fills the field.
      await page.getByRole('link', { name: 'Edit' }).click();
      await page.locator('#connector-json').waitFor();
      const text = await page.locator('#connector-json').inputValue();
      await setEditor(page, text.replace('financial_statuss', 'financial_status'));
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('.status').textContent(), POLL).toMatch(/^Saved to /);
      await shootConsole(page, 'edit');
      await page.getByRole('link', { name: 'Test' }).click();
      await page.locator('#test-target').fill('1');
      await page.locator('#test-response').fill(ANSWER);
      await page.getByRole('button', { name: 'Test with this response' }).click();
      await expect
        .poll(() => page.locator('[data-testid=test-outcome]').getAttribute('data-outcome'), POLL)
        .toBe('success');
      expect(
        await page
          .locator('[data-testid=test-writes] [data-field="custom_fields.360001000002"]')
          .textContent(),
      ).toMatch(/Payment status.*paid/);

      // Publish, then run it from the sidebar.
      await page.getByRole('link', { name: 'Edit' }).click();
      await page.getByRole('button', { name: 'Publish' }).click();
      await expect.poll(() => page.locator('h1 .tag-draft').count(), POLL).toBe(0);
      const live = await suite.openTicket(1);
      // No input to type: one click runs it.
      await live.app.locator('[data-connector-id=order_payment]').click();
      await live.app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      expect(await live.app.locator('[data-testid=result-message]').textContent()).toBe(
        'Payment: paid',
      );
      await live.page.close();

      // Find the run in the logs by ticket, and open it.
      await page.getByRole('link', { name: 'Logs' }).first().click();
      await page.locator('input[name=targetId]').fill('1');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const row = page.locator('tr[data-run]', { hasText: 'order_payment' }).first();
      await row.waitFor();
      expect(await row.textContent()).toContain('success');
      await shootConsole(page, 'logs');
      await row.locator('a').first().click();
      await page.getByRole('heading', { name: 'Request' }).waitFor();
      expect(await page.locator('pre.code').first().textContent()).toContain('orders.json');

      // Roll back to the version before the draft existed: it is gone again.
      await page.getByRole('link', { name: 'Versions' }).click();
      const versions = page.locator('table tbody tr');
      await expect.poll(() => versions.count(), POLL).toBeGreaterThanOrEqual(4);
      // Newest first: publish, fix, create, then the config as the server started.
      await versions.nth(3).locator('a').click();
      await page.getByRole('button', { name: 'Roll back to this version' }).click();
      await page.getByRole('button', { name: 'Roll back now' }).click();
      await expect.poll(() => page.locator('.status').textContent(), POLL).toMatch(/^Rolled back/);
      await shootConsole(page, 'versions');
      await page.getByRole('link', { name: 'Connectors' }).click();
      await page.locator('tr[data-connector=shopify_order_lookup]').waitFor();
      await expect
        .poll(() => page.locator('tr[data-connector=order_payment]').count(), POLL)
        .toBe(0);

      // Failing runs trip the alert: one email, and the connector pauses.
      stack.upstream.setOutage(true, { service: 'shopify', retryAfterSeconds: 1 });
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          await fetch(`${stack.url}/api/connectors/shopify_order_lookup/run`, {
            method: 'POST',
            headers: { ...stack.adminAuth, 'content-type': 'application/json' },
            body: JSON.stringify({ ticketId: 1 }),
          });
        }
      } finally {
        stack.upstream.setOutage(false);
      }
      await expect.poll(() => stack.mail.messages().length, POLL).toBeGreaterThanOrEqual(1);
      const mailPage = await suite.chromium.context.newPage();
      await mailPage.goto(`${stack.url}/sandbox/mail/`);
      const mailText = (await mailPage.locator('body').textContent()) ?? '';
      expect(mailText).toMatch(/Look up Shopify order.*failing/i);
      expect(mailText).toContain('ops@example.com');
      expect(mailText).not.toContain('sandbox-shopify-token');
      await shootConsole(mailPage, 'alert-mail');
      await mailPage.close();

      await page.getByRole('link', { name: 'Alerts' }).click();
      const alertRow = page.locator('tr[data-alert=shopify_order_lookup]');
      await alertRow.waitFor();
      expect(await alertRow.textContent()).toContain('Paused');
      await shootConsole(page, 'alerts');
      await alertRow.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => page.locator('.status').textContent(), POLL).toMatch(/running again/);
      await expect.poll(() => alertRow.textContent(), POLL).not.toContain('Paused');

      // The automation queue, by state, with its dead letters.
      await page.getByRole('link', { name: 'Deliveries' }).click();
      await expect
        .poll(() => page.locator('.heading .muted').textContent(), POLL)
        .toMatch(/queued: \d+ · running: \d+ · completed: \d+ · dead: \d+/);

      expect(problems).toEqual([]);
      await page.close();
    },
    BROWSER_TIMEOUT_MS * 2,
  );

  it(
    'works from the keyboard alone: sign in, move between screens, with a visible focus ring',
    async () => {
      // Signed out: the walk above leaves a session cookie in this browser profile.
      await suite.chromium.context.clearCookies();
      const page = await suite.chromium.context.newPage();
      await page.goto(`${suite.stack.url}/admin`);
      // The token field has focus on arrival; Enter submits.
      await page.locator('#token:focus').waitFor();
      await page.keyboard.type(TEST_ADMIN_TOKEN);
      await page.keyboard.press('Enter');
      await page.locator('tr[data-connector=shopify_order_lookup]').waitFor();
      // Tab from the top: brand text is not focusable, so the first stop is the first section.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Connectors');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Logs' }).waitFor();
      // Focus is visible: the Garden focus ring is drawn on the focused control.
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(
        () => getComputedStyle(document.activeElement as Element).boxShadow,
      );
      expect(ring).toContain('rgba(31, 115, 183');
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
