import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/** Connectors with side effects: a confirmation step, and one that runs on a single comment. */

const JIRA_KEY = SANDBOX_FIELD_IDS.jiraIssueKey;

const suite = startBrowserSuite();

describe('connectors with side effects', () => {
  it(
    'asks for confirmation before creating the Jira issue, then links it on the ticket',
    async () => {
      const { app, page } = await suite.openTicket(4);
      await app.locator('[data-connector-id=jira_create_issue]').click();
      await app.locator('[data-testid=input-form]').waitFor();
      await app.locator('[data-testid=run-button]').click();

      // Nothing is sent before the agent confirms.
      await app.locator('[data-testid=confirm-step]').waitFor();
      expect(suite.stack.upstream.createdIssues).toHaveLength(0);
      await app.locator('[data-testid=confirm-button]').click();

      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      const key = suite.stack.upstream.createdIssues.at(-1)?.key ?? '';
      expect(key).toMatch(/^SUP-\d+$/);
      expect(await app.locator('[data-testid=result-message]').textContent()).toBe(
        `Created ${key}.`,
      );
      const field = page.locator(`#custom_field_${JIRA_KEY}`);
      await expect.poll(() => field.inputValue(), POLL).toBe(key);

      // Saved in Zendesk too, with the internal note, which shows after a reload.
      expect(suite.stack.ticket(4).customFields[String(JIRA_KEY)]).toBe(key);
      expect(suite.stack.ticket(4).tags).toContain('jira_created');
      await page.locator('#reload-ticket').click();
      await page.locator('#reload-status[data-state=done]').waitFor();
      await page.locator('.comment.internal', { hasText: `Created Jira issue ${key}` }).waitFor();
      await page.locator('#ticket-tags .tag', { hasText: 'jira_created' }).waitFor();
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'runs a connector on the comment the agent picks',
    async () => {
      const { app, page } = await suite.openTicket(1);
      await app.locator('[data-testid=comments-toggle]').click();
      // The third comment of ticket 1: the customer's follow-up.
      await app.locator('[data-testid=comment-option][data-comment-id="10000000003"]').click();
      await app
        .locator('[data-testid=comment-connector][data-connector-id=jira_issue_from_comment]')
        .click();
      await app.locator('[data-testid=picked-comment][data-comment-id="10000000003"]').waitFor();
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=confirm-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();

      const issue = suite.stack.upstream.createdIssues.at(-1);
      expect(JSON.stringify(issue?.fields.description)).toContain(
        'Any update? I need it before the weekend.',
      );
      expect(suite.stack.ticket(1).customFields[String(JIRA_KEY)]).toBe(issue?.key);
      expect(suite.stack.ticket(1).notes.at(-1)).toContain(
        `Created Jira issue ${issue?.key} from a comment`,
      );
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
