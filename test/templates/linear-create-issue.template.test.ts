import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { LINEAR_API_KEY, LINEAR_TEAM_ID, startLinearFixture } from './fixtures/linear-fixture';
import type { FixtureServer } from './support/start-fixture-server';
import { startTemplateStack } from './support/start-template-stack';
import type { TemplateStack } from './support/start-template-stack';

/** Filing a ticket as a Linear issue through the GraphQL issueCreate mutation. */

const ISSUE_FIELD = String(SANDBOX_FIELD_IDS.jiraIssueKey);

let fixture: FixtureServer;
let added: TemplateStack;
let wrongTeam: TemplateStack;

const startStack = (teamId: string) =>
  startTemplateStack({
    templateId: 'linear_create_issue',
    fixtureBaseUrl: fixture.baseUrl,
    choices: { values: { team_id: teamId, workspace_slug: 'acme', issue_field: ISSUE_FIELD } },
    secrets: { LINEAR_API_KEY },
  });

beforeAll(async () => {
  fixture = await startLinearFixture();
  added = await startStack(LINEAR_TEAM_ID);
  wrongTeam = await startStack('00000000-0000-4000-8000-000000000000');
});
afterAll(async () => {
  await added?.close();
  await wrongTeam?.close();
  await fixture?.close();
});
afterEach(() => {
  fixture.setMode('normal');
  added.stack.zendesk.store.reset();
});

describe('template linear_create_issue', () => {
  it('creates the issue with the documented request, stores its identifier, and files it once', async () => {
    const res = await added.runOnTicket(4);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Created Linear issue ENG-123.',
      link: { label: 'ENG-123', url: 'https://linear.app/acme/issue/ENG-123' },
      writes: { status: 'written' },
    });
    const ticket = added.stack.ticket(4);
    expect(ticket.tags).toContain('linear_created');
    expect(ticket.customFields[ISSUE_FIELD]).toBe('ENG-123');

    const sent = fixture.journal.at(-1);
    // The personal key goes as the bare Authorization value, as Linear's docs say.
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/graphql',
      headers: { authorization: LINEAR_API_KEY, 'content-type': 'application/json' },
    });
    expect(sent?.body).toEqual({
      query:
        'mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }',
      variables: {
        input: {
          teamId: LINEAR_TEAM_ID,
          title: 'Feature idea: let customers save wish lists',
          description: expect.stringMatching(/\n\nFrom helpdesk ticket #4\.$/) as unknown,
        },
      },
    });

    const before = fixture.journal.length;
    const again = await added.runOnTicket(4);
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ error: { code: 'CONNECTOR_NOT_APPLICABLE' } });
    expect(fixture.journal.length).toBe(before);
  });

  it("follows the fail path with Linear's own words when the team does not exist", async () => {
    const res = await wrongTeam.runOnTicket(4);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_REPORTED_ERROR',
        message: 'the API answered 400 but reported an error: Could not find referenced Team.',
      },
      message:
        'Linear did not create the issue (the API answered 400 but reported an error: Could not find referenced Team.). Ask an admin to check the team ID.',
    });
    expect(wrongTeam.stack.ticket(4).tags).not.toContain('linear_created');
  });

  it('follows the fail path when Linear refuses the API key', async () => {
    fixture.setMode('unauthorized');
    const res = await added.runOnTicket(4);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_REPORTED_ERROR' },
      message:
        "Linear refused the server's API key. Ask an admin to check the LINEAR_API_KEY secret.",
    });
    expect(added.stack.ticket(4).tags).not.toContain('linear_created');
  });

  it('follows the fail path when Linear answers RATELIMITED, without sending again', async () => {
    fixture.setMode('rateLimited');
    const before = fixture.journal.length;
    const res = await added.runOnTicket(4);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_REPORTED_ERROR' },
      message: 'Linear is rate limiting the server. Try again in a few minutes.',
    });
    expect(fixture.journal.length - before).toBe(1);
  });
});
