import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { artifactPath, BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/**
 * Already done stays done: a connector that creates something links to it, the shipped example
 * hides itself once it has done its job, and one without such a guard says it already ran (with
 * the link) before the agent can make a second one. What the server saved shows on the open
 * ticket as saved, tags and notes included, without a reload.
 */

const JIRA_KEY = SANDBOX_FIELD_IDS.jiraIssueKey;
const suite = startBrowserSuite();

describe('a connector that creates something', () => {
  it(
    'links to what it made, shows the saved ticket, and is then no longer offered',
    async () => {
      const { app, page } = await suite.openTicket(4);
      await app.locator('[data-connector-id=jira_create_issue]').click();
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=confirm-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      const key = suite.stack.upstream.createdIssues.at(-1)?.key ?? '';
      expect(key).toMatch(/^SUP-\d+$/);

      const link = app.locator('[data-testid=result-link]');
      expect(await link.textContent()).toBe(`Open ${key} (opens in a new tab)`);
      expect(await link.getAttribute('href')).toMatch(new RegExp(`/browse/${key}$`));
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
      // The link goes somewhere: the sandbox Jira shows the issue it made.
      const browse = await fetch((await link.getAttribute('href')) ?? '');
      expect(browse.status).toBe(200);
      expect(await browse.text()).toContain(key);

      expect(await app.locator('[data-testid=result-note]').allTextContents()).toContainEqual(
        'Saved on the ticket: 1 field, tags added (jira_created), tags removed (jira_failed), an internal note.',
      );
      // The open ticket shows what Zendesk saved, without a reload and with nothing "Unsaved".
      const field = page.locator(`#custom_field_${JIRA_KEY}`);
      await expect.poll(() => field.inputValue(), POLL).toBe(key);
      await page.locator('#ticket-tags .tag', { hasText: 'jira_created' }).waitFor();
      await page.locator('.comment.internal', { hasText: `Created Jira issue ${key}` }).waitFor();
      expect(await page.locator('.unsaved-badge:visible').count()).toBe(0);
      await page.screenshot({ path: artifactPath('browser/sidebar-created-and-saved.png') });

      // The guard in the shipped example: `tagsNone: ["jira_created"]` takes it off the list.
      await expect
        .poll(() => app.locator('[data-connector-id=jira_create_issue]').count(), POLL)
        .toBe(0);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'says it already ran here, links to what it made, and runs again only when asked twice',
    async () => {
      const { app, page } = await suite.openTicket(3);
      const pickComment = async () => {
        await app.locator('[data-testid=comment-option]').first().click();
        await app
          .locator('[data-testid=comment-connector][data-connector-id=jira_issue_from_comment]')
          .click();
      };
      await app.locator('[data-testid=comments-toggle]').click();
      await pickComment();
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=confirm-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      const key = suite.stack.upstream.createdIssues.at(-1)?.key ?? '';
      const created = suite.stack.upstream.createdIssues.length;
      await app.locator('[data-testid=close-button]').click();

      // Picking it again first says it was done, once the list knows of the run.
      const done = app.locator('[data-testid=already-done]');
      await expect
        .poll(async () => {
          await pickComment();
          return done.count();
        }, POLL)
        .toBe(1);
      expect(await done.locator('#dc-panel-heading').textContent()).toBe(
        '“Create Jira issue from a comment” already ran on this ticket',
      );
      expect(await done.textContent()).toContain(`Created ${key} from the comment.`);
      const link = done.locator('[data-testid=already-done-link]');
      expect(await link.getAttribute('href')).toMatch(new RegExp(`/browse/${key}$`));
      await app
        .locator('[data-testid=app]')
        .screenshot({ path: artifactPath('browser/sidebar-already-done.png') });

      // Back leaves it at that; nothing was sent.
      await done.locator('[data-testid=cancel-button]').click();
      expect(await done.count()).toBe(0);
      expect(suite.stack.upstream.createdIssues).toHaveLength(created);

      // Asked twice, it goes on as usual: confirm, and a second issue is made.
      await pickComment();
      await app.locator('[data-testid=run-anyway-button]').click();
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=confirm-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=success]').waitFor();
      expect(suite.stack.upstream.createdIssues).toHaveLength(created + 1);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
