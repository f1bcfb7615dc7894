import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  JIRA_API_TOKEN,
  JIRA_EMAIL,
  JIRA_PROJECT_KEY,
  startJiraFixture,
} from './fixtures/jira-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The Jira Cloud create-issue template against a fixture answering as Jira's docs show. */

const ISSUE_KEY_FIELD = String(SANDBOX_FIELD_IDS.jiraIssueKey);
/** Ticket 4, "Feature idea: let customers save wish lists", tagged feature_request. */
const TICKET = 4;

const projectKeys = new Set([JIRA_PROJECT_KEY]);

const suite = useTemplateStack(
  () => startJiraFixture({ projectKeys }),
  (fixture) => ({
    templateId: 'jira_create_issue',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: {
        site_url: 'https://acme.atlassian.net',
        project_key: JIRA_PROJECT_KEY,
        issue_key_field: ISSUE_KEY_FIELD,
      },
    },
    secrets: { JIRA_EMAIL, JIRA_API_TOKEN },
  }),
  () => {
    projectKeys.add(JIRA_PROJECT_KEY);
  },
);

describe('template jira_create_issue', () => {
  it('creates the issue, writes its key to the chosen field, tags the ticket and links to it', async () => {
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Created SUP-3.',
      writes: { status: 'written' },
      link: { label: 'SUP-3', url: 'https://acme.atlassian.net/browse/SUP-3' },
    });
    const ticket = suite.added.stack.ticket(TICKET);
    expect(ticket.customFields[ISSUE_KEY_FIELD]).toBe('SUP-3');
    expect(ticket.tags).toContain('jira_created');
    expect(ticket.notes.at(-1)).toBe(
      'Created Jira issue SUP-3: https://acme.atlassian.net/browse/SUP-3',
    );
  });

  it('sends exactly the documented create-issue body, with the description as an Atlassian Document', async () => {
    await suite.added.runOnTicket(TICKET);
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({ method: 'POST', path: '/rest/api/3/issue', query: {} });
    expect(sent?.headers['content-type']).toMatch(/^application\/json/);
    expect(sent?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_API_TOKEN}`).toString('base64')}`,
    );
    expect(sent?.body).toEqual({
      fields: {
        project: { key: 'SUP' },
        issuetype: { name: 'Task' },
        summary: 'Feature idea: let customers save wish lists',
        labels: ['helpdesk', 'zendesk-4'],
        description: {
          type: 'doc',
          version: 1,
          content: [
            {
              type: 'paragraph',
              content: [
                {
                  type: 'text',
                  text: 'It would be great if customers could save products to a wish list.',
                },
              ],
            },
            {
              type: 'paragraph',
              content: [
                {
                  type: 'text',
                  text: 'Reported by tom@example.com in Zendesk ticket 4.',
                },
              ],
            },
          ],
        },
      },
    });
  });

  it('is refused by the tag guard when run a second time on the same ticket', async () => {
    const first = await suite.added.runOnTicket(TICKET);
    expect(first.body).toMatchObject({ outcome: 'success' });
    const sent = suite.fixture.journal.length;
    const second = await suite.added.runOnTicket(TICKET);
    expect(second.status).toBe(422);
    expect(second.body).toMatchObject({ error: { code: 'CONNECTOR_NOT_APPLICABLE' } });
    expect(suite.fixture.journal.length).toBe(sent);
  });

  it('follows the fail path with a clear message when the project does not exist', async () => {
    projectKeys.delete(JIRA_PROJECT_KEY);
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        'Jira refused the issue. Ask an admin to check that project SUP exists, has the issue type Task, and needs no other required field.',
    });
    expect(suite.added.stack.ticket(TICKET).tags).not.toContain('jira_created');
  });

  it('follows the fail path when the API token is refused', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        "Jira refused the server's API token. Ask an admin to check the JIRA_EMAIL and JIRA_API_TOKEN secrets.",
    });
    expect(suite.added.stack.ticket(TICKET).customFields[ISSUE_KEY_FIELD] ?? null).toBeNull();
  });

  it('follows the fail path when rate limited, without repeating the POST', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message:
        'Jira is busy or rate limiting the server. No issue was created; try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(1);
    expect(suite.added.stack.ticket(TICKET).tags).not.toContain('jira_created');
  });
});
