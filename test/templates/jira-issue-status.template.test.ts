import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  JIRA_API_TOKEN,
  JIRA_EMAIL,
  JIRA_KNOWN_ISSUE,
  startJiraFixture,
} from './fixtures/jira-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The Jira Cloud issue-status template against a fixture answering as Jira's docs show. */

const ISSUE_KEY_FIELD = SANDBOX_FIELD_IDS.jiraIssueKey;
const STATUS_FIELD = String(SANDBOX_FIELD_IDS.fulfillmentStatus);
const ASSIGNEE_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);
const TICKET = 4;

/** Puts an issue key on the ticket, the way jira_create_issue leaves it. */
function storeIssueKey(key: string): void {
  const ticket = suite.added.stack.zendesk.store.findTicket(TICKET);
  if (!ticket) throw new Error(`no sandbox ticket ${TICKET}`);
  const field = ticket.custom_fields.find((entry) => entry.id === ISSUE_KEY_FIELD);
  if (field) field.value = key;
  else ticket.custom_fields.push({ id: ISSUE_KEY_FIELD, value: key });
}

const suite = useTemplateStack(
  () => startJiraFixture(),
  (fixture) => ({
    templateId: 'jira_issue_status',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: {
        site_url: 'https://acme.atlassian.net',
        issue_key_field: String(ISSUE_KEY_FIELD),
        status_field: STATUS_FIELD,
        assignee_field: ASSIGNEE_FIELD,
      },
    },
    secrets: { JIRA_EMAIL, JIRA_API_TOKEN },
  }),
);

describe('template jira_issue_status', () => {
  it('reads the key from the ticket field and writes status and assignee to the chosen fields', async () => {
    storeIssueKey(JIRA_KNOWN_ISSUE.key);
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'SUP-7: In Progress, Mia Krystof.',
      writes: { status: 'written' },
      link: { label: 'SUP-7', url: 'https://acme.atlassian.net/browse/SUP-7' },
    });
    expect(suite.added.stack.ticket(TICKET).customFields).toMatchObject({
      [STATUS_FIELD]: 'In Progress',
      [ASSIGNEE_FIELD]: 'Mia Krystof',
    });
    expect(suite.fixture.journal.at(-1)).toMatchObject({
      method: 'GET',
      path: '/rest/api/3/issue/SUP-7',
      query: { fields: 'status,assignee,priority,resolution' },
    });
  });

  it('is "empty" when Jira answers 404 for an issue that does not exist', async () => {
    storeIssueKey('SUP-999');
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'empty',
      message: 'Jira has no issue SUP-999, or the integration account cannot see it.',
    });
    expect(suite.added.stack.ticket(TICKET).customFields[STATUS_FIELD] ?? null).toBeNull();
  });

  it('follows the fail path when the API token is refused', async () => {
    storeIssueKey(JIRA_KNOWN_ISSUE.key);
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        "Jira refused the server's API token. Ask an admin to check the JIRA_EMAIL and JIRA_API_TOKEN secrets.",
    });
    expect(suite.added.stack.ticket(TICKET).customFields[STATUS_FIELD] ?? null).toBeNull();
  });

  it('follows the fail path when rate limited, after honouring Retry-After', async () => {
    storeIssueKey(JIRA_KNOWN_ISSUE.key);
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message: 'Jira is busy or rate limiting the server. Try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(3);
  });
});
