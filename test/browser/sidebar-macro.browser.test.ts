import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { artifactPath, BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/** A macro from the sidebar: found by the same search, confirmed once, reported step by step. */

const JIRA_KEY = SANDBOX_FIELD_IDS.jiraIssueKey;

const suite = startBrowserSuite();

describe('running a macro from the sidebar', () => {
  it(
    'finds "Escalate to engineering" with Ctrl+K, confirms once, and shows each step',
    async () => {
      // Ticket 4 is tagged feature_request and not yet escalated_to_engineering.
      const { app, page } = await suite.openTicket(4);
      const option = app.locator(
        '[data-testid=macros-group] [data-testid=macro-option][data-macro-id=escalate_to_engineering]',
      );
      await option.waitFor();
      expect(await option.locator('[data-testid=macro-connectors]').textContent()).toBe(
        'Runs: Create Jira issue',
      );

      await app.locator('[data-testid=recent-runs]').click();
      await page.keyboard.press('Control+K');
      await page.keyboard.type('escalate');
      await app.locator('[data-macro-id=escalate_to_engineering][aria-selected=true]').waitFor();
      await page.keyboard.press('Enter');

      // One confirmation for the whole macro, saying what it will do; nothing sent before it.
      const confirm = app.locator(
        '[data-testid=confirm-step][data-macro-id=escalate_to_engineering]',
      );
      await confirm.waitFor();
      expect(await confirm.locator('[data-testid=macro-plan] li').allTextContents()).toEqual([
        'run “Create Jira issue”',
        'update this ticket (fields, tags, internal note) as its steps say',
      ]);
      expect(suite.stack.upstream.createdIssues).toHaveLength(0);
      await app.locator('[data-testid=confirm-button]').click();

      const result = app.locator('[data-testid=macro-result][data-outcome=success]');
      await result.waitFor();
      const key = suite.stack.upstream.createdIssues.at(-1)?.key ?? '';
      expect(key).toMatch(/^SUP-\d+$/);
      expect(await result.locator('[data-testid=result-message]').textContent()).toBe(
        'All steps completed.',
      );
      const steps = result.locator('[data-testid=macro-step]');
      expect(
        await steps.evaluateAll((items) =>
          items.map((item) => [
            item.getAttribute('data-step-id'),
            item.getAttribute('data-outcome'),
          ]),
        ),
      ).toEqual([
        ['create_issue', 'success'],
        ['after_create', 'success'],
        ['write_key', 'success'],
        ['add_tag', 'success'],
        ['add_note', 'success'],
      ]);
      expect(
        await result
          .locator('[data-step-id=create_issue] [data-testid=step-message]')
          .textContent(),
      ).toBe(`Created ${key}.`);
      await app
        .locator('[data-testid=app]')
        .screenshot({ path: artifactPath('sidebar-macro.png') });

      // The written key is in the open ticket form at once…
      await expect
        .poll(() => page.locator(`#custom_field_${JIRA_KEY}`).inputValue(), POLL)
        .toBe(key);
      // …and really saved in Zendesk, with the tag and the internal note.
      const ticket = suite.stack.ticket(4);
      expect(ticket.customFields[String(JIRA_KEY)]).toBe(key);
      expect(ticket.tags).toContain('escalated_to_engineering');
      expect(ticket.notes.at(-1)).toBe(`Escalated to engineering as Jira issue ${key}.`);

      // The list was refreshed: an escalated ticket no longer offers the macro.
      await expect.poll(() => option.count(), POLL).toBe(0);
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
