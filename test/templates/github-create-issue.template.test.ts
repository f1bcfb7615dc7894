import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { GITHUB_REPO, GITHUB_TOKEN, startGithubFixture } from './fixtures/github-fixture';
import { startTemplateStack, useTemplateStack } from './support/start-template-stack';

/** The GitHub issue template against a fixture answering as GitHub's REST docs show. */

const NUMBER_FIELD = String(SANDBOX_FIELD_IDS.jiraIssueKey);
const URL_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);

const suite = useTemplateStack(
  () => startGithubFixture(),
  (fixture) => ({
    templateId: 'github_create_issue',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: {
        ...GITHUB_REPO,
        label: 'helpdesk',
        issue_number_field: NUMBER_FIELD,
        issue_url_field: URL_FIELD,
      },
    },
    secrets: { GITHUB_TOKEN },
  }),
  (fixture) => {
    fixture.rateLimitWith(429);
  },
);

describe('template github_create_issue', () => {
  it('creates the issue and writes its number and URL to the ticket', async () => {
    const res = await suite.added.runOnTicket(4);
    const number = 1347 + suite.fixture.issues.length - 1;
    const url = `https://github.com/octocat/Hello-World/issues/${number}`;
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: `Created GitHub issue #${number}.`,
      writes: { status: 'written' },
      link: { label: `octocat/Hello-World#${number}`, url },
    });
    const ticket = suite.added.stack.ticket(4);
    expect(ticket.customFields).toMatchObject({
      [NUMBER_FIELD]: String(number),
      [URL_FIELD]: url,
    });
    expect(ticket.tags).toContain('github_issue_created');
    expect(ticket.notes.at(-1)).toBe(`Created GitHub issue octocat/Hello-World#${number}: ${url}`);
  });

  it('sends the documented headers and a JSON body from the ticket', async () => {
    await suite.added.runOnTicket(1, { title: 'Order "#1001" never arrived' });
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({ method: 'POST', path: '/repos/octocat/Hello-World/issues' });
    expect(sent?.body).toEqual({
      title: 'Order "#1001" never arrived',
      body: 'Hi, I ordered a week ago (order #1001) and have not received anything yet.\n\n_Filed from helpdesk ticket 1._',
      labels: ['helpdesk'],
    });
    expect(sent?.headers).toMatchObject({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'data-connectors',
      authorization: `Bearer ${GITHUB_TOKEN}`,
      'content-type': 'application/json',
    });
    expect(JSON.stringify(sent?.body)).not.toContain('maria@example.com');
  });

  it('is no longer offered on a ticket it has filed', async () => {
    await suite.added.runOnTicket(2);
    const count = suite.fixture.issues.length;
    const again = await suite.added.runOnTicket(2);
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ error: { code: 'CONNECTOR_NOT_APPLICABLE' } });
    expect(suite.fixture.issues.length).toBe(count);
  });

  it('fails (not "empty") with the notFound message when the token cannot see the repository', async () => {
    const other = await startTemplateStack({
      templateId: 'github_create_issue',
      fixtureBaseUrl: suite.fixture.baseUrl,
      choices: { values: { owner: 'octocat', repo: 'secret-repo' } },
      secrets: { GITHUB_TOKEN },
    });
    try {
      const res = await other.runOnTicket(3);
      expect(res.body).toMatchObject({
        outcome: 'failed',
        error: { code: 'UPSTREAM_HTTP_ERROR' },
        message:
          'GitHub has no repository octocat/secret-repo that the token can see, or its issues are turned off. Ask an admin to check the connector; nothing was created.',
      });
      expect(other.stack.ticket(3).tags).not.toContain('github_issue_created');
    } finally {
      await other.close();
    }
  });

  it('sends no label when the admin chose none', async () => {
    const unlabelled = await startTemplateStack({
      templateId: 'github_create_issue',
      fixtureBaseUrl: suite.fixture.baseUrl,
      choices: { values: { ...GITHUB_REPO } },
      secrets: { GITHUB_TOKEN },
    });
    try {
      expect((await unlabelled.runOnTicket(6)).body).toMatchObject({ outcome: 'success' });
      expect(suite.fixture.journal.at(-1)?.body).toMatchObject({ labels: [] });
    } finally {
      await unlabelled.close();
    }
  });

  it('follows the fail path when GitHub refuses the token', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(3);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR', message: expect.stringContaining('Bad credentials') },
      message:
        "GitHub refused the server's token, or its rate limit is used up (GitHub answers 403 to both). Ask an admin to check the GITHUB_TOKEN secret; nothing was created.",
    });
    const ticket = suite.added.stack.ticket(3);
    expect(ticket.tags).not.toContain('github_issue_created');
    expect(ticket.notes.at(-1)).toMatch(
      /^Creating the GitHub issue in octocat\/Hello-World failed/,
    );
  });

  it('follows the fail path on a 429 without retrying the POST', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(3);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message: 'GitHub is rate limiting the server; nothing was created. Try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(1);
  });

  it('says the rate limit may be the cause when GitHub answers it with 403', async () => {
    suite.fixture.setMode('rateLimited');
    suite.fixture.rateLimitWith(403);
    const res = await suite.added.runOnTicket(3);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining('or its rate limit is used up'),
    });
  });
});
