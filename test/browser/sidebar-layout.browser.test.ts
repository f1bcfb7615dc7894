import { describe, expect, it } from 'vitest';
import type { FrameLocator } from 'playwright-core';
import { artifactPath, BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/**
 * The sidebar at Zendesk's 320 px: the panel opens under the connector the agent clicked, long
 * text gets a field that wraps, errors are words (no regular expression), Retry only where it
 * helps, the run log reads as values and fits, and a focused heading does not look like a field.
 * Screenshots go to test/artifacts/browser/.
 */

const suite = startBrowserSuite();

/** How far the app's content is wider than its 320 px frame (0 when nothing sticks out). */
async function overflowOf(app: FrameLocator): Promise<number> {
  return app.locator('html').evaluate((root) => Math.max(0, root.scrollWidth - root.clientWidth));
}

describe('the sidebar at 320 px', () => {
  it(
    'opens the panel under the clicked connector, with a wrapping field for a long summary',
    async () => {
      const { app, page } = await suite.openTicket(4);
      // Zendesk's sidebar iframe is 320 px wide (the preview draws a 1 px border inside it).
      expect(
        await page.locator('#app-frame').evaluate((f) => f.getBoundingClientRect().width),
      ).toBe(320);
      const option = app.locator('[data-connector-id=jira_create_issue]');
      await option.click();
      const summary = app.locator('#dc-input-summary');
      await summary.waitFor();
      expect(await summary.evaluate((element) => element.tagName)).toBe('TEXTAREA');
      expect(await summary.inputValue()).toBe('Feature idea: let customers save wish lists');

      // The other connectors step aside; the panel starts right under the clicked option.
      expect(await app.locator('[data-testid=connector-option]').count()).toBe(1);
      const optionBox = await option.boundingBox();
      const panelBox = await app.locator('[data-testid=run-panel]').boundingBox();
      if (!optionBox || !panelBox) throw new Error('option or panel not laid out');
      expect(panelBox.y - (optionBox.y + optionBox.height)).toBeLessThan(24);
      expect(await overflowOf(app)).toBe(0);
      await app
        .locator('[data-testid=app]')
        .screenshot({ path: artifactPath('browser/sidebar-320-form.png') });

      // Back shows the whole list again.
      await app.locator('[data-testid=cancel-button]').click();
      await expect
        .poll(() => app.locator('[data-testid=connector-option]').count(), POLL)
        .toBeGreaterThan(1);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'says what a valid value looks like instead of showing the pattern',
    async () => {
      const { app, page } = await suite.openTicket(1);
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      const field = app.locator('#dc-input-order_number');
      await field.waitFor();
      expect(await field.getAttribute('placeholder')).toBe('e.g. #1001');
      await field.fill('order one thousand');
      await app.locator('[data-testid=run-button]').click();
      const error = app.locator('[data-testid=field-error]');
      await error.waitFor();
      expect(await error.textContent()).toBe('Order number should look like “#1001”');
      const panelText = (await app.locator('[data-testid=run-panel]').textContent()) ?? '';
      expect(panelText).not.toMatch(/\^|\[0-9\]|\$|order_number/);
      await app
        .locator('[data-testid=app]')
        .screenshot({ path: artifactPath('browser/sidebar-320-plain-words.png') });
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'offers no Retry after "Nothing found", and shows the run log as values that fit',
    async () => {
      const { app, page } = await suite.openTicket(3);
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=empty]').waitFor();
      expect(await app.locator('[data-testid=retry-button]').count()).toBe(0);
      expect(await app.locator('[data-testid=run-again-button]').count()).toBe(1);

      // The heading took focus for screen readers, without a ring that looks like a text box.
      const heading = app.locator('#dc-panel-heading');
      await expect
        .poll(() => heading.evaluate((el) => el === document.activeElement), POLL)
        .toBe(true);
      expect(await heading.evaluate((el) => getComputedStyle(el).boxShadow)).toBe('none');

      await app.locator('[data-testid=close-button]').click();
      const run = app.locator('[data-testid=run-item]').first();
      await run.locator('[data-testid=run-toggle]').click();
      const log = run.locator('[data-testid=run-log]');
      await log.waitFor();
      const text = (await log.textContent()) ?? '';
      // Values, not JSON: no braces or quoted keys from the stored answer.
      expect(text).not.toMatch(/[{}]|":/);
      expect(text).toContain('HTTP 200');
      // The inputs by the labels the form showed, not their config names.
      expect(text).toContain('Order number');
      expect(text).not.toContain('order_number');
      expect(await overflowOf(app)).toBe(0);
      // The iframe grows to its content (ZAF resize); shoot once it holds the expanded log.
      const contentHeight = await app
        .locator('[data-testid=app]')
        .evaluate((el) => el.scrollHeight);
      await expect
        .poll(
          () => page.locator('#app-frame').evaluate((f) => f.getBoundingClientRect().height),
          POLL,
        )
        .toBeGreaterThanOrEqual(contentHeight);
      await log.screenshot({ path: artifactPath('browser/sidebar-320-run-log.png') });
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
