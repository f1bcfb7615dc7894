import { describe, expect, it } from 'vitest';
import { SANDBOX_USER_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  artifactPath,
  BROWSER_TIMEOUT_MS,
  openPreview,
  startBrowserSuite,
} from './browser-support';

/**
 * The sidebar as different agents see it: the preview signs each load for the agent its picker
 * names, the way Zendesk does, and the server answers what Zendesk would show that agent.
 */
const suite = startBrowserSuite();

describe('what each agent sees in the sidebar', () => {
  it(
    "shows an agent restricted to a group that another group's ticket is not available to them",
    async () => {
      const { app, page } = await openPreview(
        suite.chromium,
        `${suite.stack.previewUrl}?ticket=1&agent=${SANDBOX_USER_IDS.rileyRestricted}`,
      );
      const error = app.locator('[data-testid=list-status] [data-testid=error]');
      await error.waitFor();
      expect(await error.getAttribute('data-code')).toBe('TICKET_NOT_FOUND');
      expect(await error.textContent()).toContain('This ticket is not available to you');
      expect(await app.locator('[data-connector-id]').count()).toBe(0);
      await page.screenshot({ path: artifactPath('sidebar-ticket-hidden.png') });
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    "lets the same agent run a connector on their own group's ticket, recorded as them",
    async () => {
      const { app, page } = await openPreview(
        suite.chromium,
        `${suite.stack.previewUrl}?ticket=5&agent=${SANDBOX_USER_IDS.rileyRestricted}`,
      );
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      await app.locator('[data-testid=run-button]').click();
      await app.locator('[data-testid=run-result][data-outcome=empty]').waitFor();
      const runs = await fetch(`${suite.stack.url}/api/runs?ticketId=5`, {
        headers: suite.stack.adminAuth,
      });
      const latest = ((await runs.json()) as { runs: { actor: unknown }[] }).runs[0];
      expect(latest?.actor).toMatchObject({
        kind: 'agent',
        id: String(SANDBOX_USER_IDS.rileyRestricted),
        name: 'Riley Escalations',
      });
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'tells a light agent that their role cannot edit tickets when a connector would write',
    async () => {
      const { app, page } = await openPreview(
        suite.chromium,
        `${suite.stack.previewUrl}?ticket=2&agent=${SANDBOX_USER_IDS.leeLight}`,
      );
      await app.locator('[data-connector-id=shopify_order_lookup]').click();
      await app.locator('[data-testid=run-button]').click();
      const error = app.locator('[data-testid=run-panel] [data-testid=error]');
      await error.waitFor();
      expect(await error.getAttribute('data-code')).toBe('TICKET_EDIT_FORBIDDEN');
      expect(await error.textContent()).toContain('Your role cannot edit tickets');
      await page.close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
