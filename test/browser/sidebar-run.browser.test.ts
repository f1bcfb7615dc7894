import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { artifactPath, BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';
import type { PreviewPage } from './browser-support';

/**
 * The sidebar app, built with the real ZAF SDK, hosted by the /preview page in Chromium and
 * talking to the server through the preview's proxy, as it would inside Zendesk.
 */

const PAYMENT = SANDBOX_FIELD_IDS.paymentStatus;
const FULFILLMENT = SANDBOX_FIELD_IDS.fulfillmentStatus;
const TRACKING = SANDBOX_FIELD_IDS.trackingNumber;

const suite = startBrowserSuite();

/** The ticket form field on the host page (outside the app). */
function ticketField(preview: PreviewPage, fieldId: number) {
  return {
    input: preview.page.locator(`#custom_field_${fieldId}`),
    wrapper: preview.page.locator(`.field[data-field-id="${fieldId}"]`),
  };
}

function output(preview: PreviewPage, name: string) {
  return preview.app.locator(`[data-testid=outputs] [data-output="${name}"] dd`);
}

describe('running a connector from the sidebar', () => {
  it(
    'runs by click, shows the outputs and the saved ticket, with nothing marked unsaved',
    async () => {
      const preview = await suite.openTicket(1);
      const { app, page } = preview;
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      // The order number comes from the ticket form, ready to run.
      await expect
        .poll(() => app.locator('#dc-input-order_number').inputValue(), POLL)
        .toBe('#1001');
      await app.locator('[data-testid=run-button]').click();

      const result = app.locator('[data-testid=run-result]');
      await result.waitFor();
      expect(await result.getAttribute('data-outcome')).toBe('success');
      expect(await app.locator('[data-testid=result-message]').textContent()).toBe(
        'Order #1001: paid, fulfilled.',
      );
      expect(await output(preview, 'payment_status').textContent()).toBe('paid');
      expect(await output(preview, 'tracking_number').textContent()).toBe('1Z999AA10123456784');

      // The server saved the ticket; the open ticket shows the saved values as Zendesk does
      // (no "Unsaved" badge: the agent changed nothing), and the result says what was saved.
      const tracking = ticketField(preview, TRACKING);
      await expect.poll(() => tracking.input.inputValue(), POLL).toBe('1Z999AA10123456784');
      expect(await tracking.wrapper.getAttribute('data-unsaved')).not.toBe('true');
      expect(await ticketField(preview, PAYMENT).input.inputValue()).toBe('paid');
      expect(await page.locator('.unsaved-badge:visible').count()).toBe(0);
      expect(await app.locator('[data-testid=result-note]').allTextContents()).toContainEqual(
        expect.stringMatching(/^Saved on the ticket: 3 fields/),
      );

      await app
        .locator('[data-testid=app]')
        .screenshot({ path: artifactPath('sidebar-success.png') });

      // The server wrote the ticket in Zendesk: the store has it, and a reload shows it saved.
      expect(suite.stack.ticket(1).customFields).toMatchObject({
        [String(PAYMENT)]: 'paid',
        [String(FULFILLMENT)]: 'fulfilled',
        [String(TRACKING)]: '1Z999AA10123456784',
      });
      await page.locator('#reload-ticket').click();
      await page.locator('#reload-status[data-state=done]').waitFor();
      expect(await tracking.input.inputValue()).toBe('1Z999AA10123456784');
      expect(await tracking.wrapper.getAttribute('data-unsaved')).toBe('false');
      // The list now shows the last run's status on this ticket.
      await app
        .locator(
          '[data-connector-id=shopify_order_lookup] [data-testid=last-run][data-outcome=success]',
        )
        .waitFor();
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'runs from the keyboard: Ctrl+K, type, arrow down, Enter',
    async () => {
      const preview = await suite.openTicket(4);
      const { app, page } = preview;
      // Keys reach the app when focus is in its frame, as in Zendesk.
      await app.locator('[data-testid=recent-runs]').click();
      await page.keyboard.press('Control+K');
      const search = app.locator('[data-testid=connector-search]');
      await expect
        .poll(() => search.evaluate((element) => element === document.activeElement), POLL)
        .toBe(true);
      await page.keyboard.type('jira');
      await page.keyboard.press('ArrowDown');
      const active = app.locator('[data-connector-id=jira_issue_from_comment][aria-selected=true]');
      await active.waitFor();
      await page.keyboard.press('Enter');

      // That connector takes a comment: the app asks for one, focused for the keyboard.
      await app.locator('[data-testid=comment-prompt]').waitFor();
      await page.keyboard.press('Enter');
      await app.locator('[data-testid=input-form]').waitFor();
      await page.keyboard.press('Enter');
      await app.locator('[data-testid=confirm-step]').waitFor();
      await page.keyboard.press('Enter');
      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      expect(await app.locator('[data-testid=result-message]').textContent()).toMatch(
        /^Created SUP-\d+ from the comment\.$/,
      );
      expect(suite.stack.upstream.createdIssues.at(-1)?.fields).toMatchObject({
        summary: 'Feature idea: let customers save wish lists',
      });
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'takes a typed input, validates it before sending, and runs with it',
    async () => {
      const preview = await suite.openTicket(3);
      const { app, page } = preview;
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      const orderNumber = app.locator('#dc-input-order_number');
      await expect.poll(() => orderNumber.inputValue(), POLL).toBe('#9999');

      const before = suite.stack.upstream.journal.length;
      await orderNumber.fill('not an order');
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=field-error]').waitFor();
      expect(await orderNumber.getAttribute('aria-invalid')).toBe('true');
      expect(suite.stack.upstream.journal.length).toBe(before);

      await orderNumber.fill('#1002');
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      expect(await app.locator('[data-testid=result-message]').textContent()).toBe(
        'Order #1002: paid, unfulfilled.',
      );
      expect(suite.stack.upstream.journal.at(-1)?.query).toMatchObject({ name: '#1002' });
      expect(suite.stack.ticket(3).customFields[String(FULFILLMENT)]).toBe('unfulfilled');
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'prefills the input from a value the agent typed in the ticket form but has not saved',
    async () => {
      const preview = await suite.openTicket(2);
      const { app, page } = preview;
      const orderField = ticketField(preview, SANDBOX_FIELD_IDS.orderNumber);
      await orderField.input.fill('#1001');
      await orderField.input.press('Tab');
      expect(await orderField.wrapper.getAttribute('data-unsaved')).toBe('true');
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      await expect
        .poll(() => app.locator('#dc-input-order_number').inputValue(), POLL)
        .toBe('#1001');
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
