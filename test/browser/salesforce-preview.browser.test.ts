import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { TEST_CONNECTOR_KEY } from '../support/start-test-stack';
import { artifactPath, BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/**
 * The real dataConnectors Lightning web component, compiled by the LWC compiler, on the
 * preview's record page in Chromium: a rep opens a connector, runs it, the server writes the
 * Case through the fake Salesforce, the record's details refresh, and a toast says what happened.
 * The connector key stays on the server.
 */

const { cases, users } = SANDBOX_SALESFORCE_IDS;
const suite = startBrowserSuite();

interface RecordPage {
  page: Page;
  /** Every response body the page received, to look for the key in. */
  bodies: string[];
  console: string[];
}

async function openRecord(recordId: string, userId: string): Promise<RecordPage> {
  const page = await suite.chromium.context.newPage();
  const bodies: string[] = [];
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    response.text().then(
      (text) => bodies.push(text),
      () => undefined,
    );
  });
  await page.goto(
    `${suite.stack.url}/preview/salesforce?record=${recordId}&user=${encodeURIComponent(userId)}`,
  );
  try {
    await page.locator('c-data-connectors [data-id=connector]').first().waitFor();
  } catch (error) {
    throw new Error(
      `the component did not list its connectors: ${(error as Error).message}\n${consoleLines.join('\n')}`,
    );
  }
  return { page, bodies, console: consoleLines };
}

function recordValue(page: Page, field: string) {
  return page.locator(`#record-fields [data-field="${field}"] [data-value]`).textContent();
}

async function openConnector(page: Page, connectorId: string) {
  await page.locator(`c-data-connectors [data-connector-id=${connectorId}] button`).click();
  await page.locator('c-data-connectors [data-id=connector-detail]').waitFor();
}

describe('the Salesforce component on the preview record page', () => {
  it(
    'runs a connector on a Case: the server writes the Case, the details refresh, a toast says so',
    async () => {
      const { page, bodies } = await openRecord(cases.order1001, users.rep);
      expect(await page.locator('#record-title').textContent()).toBe(
        '00001001 · Where is my order #1001?',
      );
      expect(await recordValue(page, 'Payment_Status__c')).toBe('');

      await openConnector(page, 'shopify_order_lookup');
      // The input is prefilled from the Case's Order Number, as the server's view says.
      const orderNumber = page
        .locator('c-data-connectors lightning-input[data-name] input')
        .first();
      expect(await orderNumber.inputValue()).toBe('#1001');
      await page.locator('c-data-connectors [data-id=run] button').click();

      await expect
        .poll(() => page.locator('c-data-connectors [data-id=result-message]').textContent(), POLL)
        .toBe('Order #1001: paid, fulfilled.');
      expect(await page.locator('c-data-connectors [data-id=write-summary]').textContent()).toMatch(
        'Saved to this record: Payment Status, Tracking Number.',
      );
      // notifyRecordUpdateAvailable reloaded the record's details without a page load.
      await expect.poll(() => recordValue(page, 'Payment_Status__c'), POLL).toBe('paid');
      expect(await recordValue(page, 'Tracking_Number__c')).toBe('1Z999AA10123456784');
      const stored = suite.stack.salesforce.store.findRecord('Case', cases.order1001);
      expect(stored?.Payment_Status__c).toBe('paid');
      const toast = page.locator('#toasts .toast').first();
      expect(await toast.getAttribute('data-variant')).toBe('success');
      expect(await toast.textContent()).toContain('Look up Shopify order');

      await page.screenshot({ path: artifactPath('browser/salesforce-preview-run.png') });
      expect(bodies.some((body) => body.includes('c-data-connectors'))).toBe(true);
      for (const body of bodies) expect(body).not.toContain(TEST_CONNECTOR_KEY);
      expect(await page.content()).not.toContain(TEST_CONNECTOR_KEY);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    "leaves the fields a rep's profile cannot edit, and tells the rep which",
    async () => {
      // The Case as seeded, whatever ran on it before: the order has a tracking number to write.
      const seeded = suite.stack.salesforce.store.findRecord('Case', cases.order1001);
      if (!seeded) throw new Error('the sandbox Case 00001001 is missing');
      Object.assign(seeded, { Payment_Status__c: null, Tracking_Number__c: null });
      suite.stack.salesforce.store.save();
      const { page } = await openRecord(cases.order1001, users.restrictedRep);
      expect(await page.locator('#preview-user').inputValue()).toBe(users.restrictedRep);
      await openConnector(page, 'shopify_order_lookup');
      await page.locator('c-data-connectors [data-id=run] button').click();

      await expect
        .poll(() => page.locator('c-data-connectors [data-id=write-summary]').textContent(), POLL)
        .toBe(
          'Saved to this record: Payment Status. Not saved, because you cannot edit Tracking Number.',
        );
      await expect.poll(() => recordValue(page, 'Payment_Status__c'), POLL).toBe('paid');
      expect(await recordValue(page, 'Tracking_Number__c')).toBe('');
      const stored = suite.stack.salesforce.store.findRecord('Case', cases.order1001);
      expect(stored?.Tracking_Number__c).toBeNull();
      expect(stored?.Payment_Status__c).toBe('paid');
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'checks the inputs in the browser: nothing is sent while one is missing or malformed',
    async () => {
      const { page } = await openRecord(cases.loginProblem, users.rep);
      await openConnector(page, 'shopify_order_lookup');
      const runsBefore = suite.stack.upstream.journal.length;
      // Case 00001003 has no order number: the required input is empty.
      await page.locator('c-data-connectors [data-id=run] button').click();
      await expect
        .poll(() => page.locator('c-data-connectors [data-id=form-error]').textContent(), POLL)
        .toMatch(/^Check Order number:/);
      expect(suite.stack.upstream.journal.length).toBe(runsBefore);

      // A value the connector's pattern refuses is caught the same way.
      await page.locator('c-data-connectors lightning-input[data-name] input').first().fill('??');
      await page.locator('c-data-connectors [data-id=run] button').click();
      await expect
        .poll(() => page.locator('c-data-connectors [data-id=form-error]').textContent(), POLL)
        .toMatch(/^Check Order number:/);
      expect(suite.stack.upstream.journal.length).toBe(runsBefore);
      await page.screenshot({ path: artifactPath('browser/salesforce-preview-refused.png') });
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
