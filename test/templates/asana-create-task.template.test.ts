import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  ASANA_PROJECT_GID,
  ASANA_TOKEN,
  ASANA_WORKSPACE_GID,
  startAsanaFixture,
} from './fixtures/asana-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The Asana create-task template against a fixture answering as Asana's docs show. */

const TASK_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);
const TICKET = 4;

const projectGids = new Set([ASANA_PROJECT_GID]);

const suite = useTemplateStack(
  () => startAsanaFixture({ projectGids }),
  (fixture) => ({
    templateId: 'asana_create_task',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: {
        workspace_gid: ASANA_WORKSPACE_GID,
        project_gid: ASANA_PROJECT_GID,
        task_field: TASK_FIELD,
      },
    },
    secrets: { ASANA_TOKEN },
  }),
  () => {
    projectGids.add(ASANA_PROJECT_GID);
  },
);

describe('template asana_create_task', () => {
  it('creates the task, writes its address to the chosen field, tags the ticket and links to it', async () => {
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Created Asana task 1206000000000301.',
      writes: { status: 'written' },
      link: {
        label: 'Asana task 1206000000000301',
        url: `https://app.asana.com/0/${ASANA_PROJECT_GID}/1206000000000301`,
      },
    });
    const ticket = suite.added.stack.ticket(TICKET);
    expect(ticket.customFields[TASK_FIELD]).toBe(
      `https://app.asana.com/0/${ASANA_PROJECT_GID}/1206000000000301`,
    );
    expect(ticket.tags).toContain('asana_task_created');
  });

  it('sends exactly the documented body, the fields wrapped in "data", with the bearer token', async () => {
    await suite.added.runOnTicket(TICKET);
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({ method: 'POST', path: '/api/1.0/tasks', query: {} });
    expect(sent?.headers.authorization).toBe(`Bearer ${ASANA_TOKEN}`);
    expect(sent?.body).toEqual({
      data: {
        workspace: ASANA_WORKSPACE_GID,
        projects: [ASANA_PROJECT_GID],
        name: 'Feature idea: let customers save wish lists',
        notes:
          'It would be great if customers could save products to a wish list.\n\nFrom Zendesk ticket 4, reported by tom@example.com.',
      },
    });
  });

  it('is refused by the tag guard when run a second time on the same ticket', async () => {
    expect((await suite.added.runOnTicket(TICKET)).body).toMatchObject({ outcome: 'success' });
    const sent = suite.fixture.journal.length;
    const second = await suite.added.runOnTicket(TICKET);
    expect(second.status).toBe(422);
    expect(second.body).toMatchObject({ error: { code: 'CONNECTOR_NOT_APPLICABLE' } });
    expect(suite.fixture.journal.length).toBe(sent);
  });

  it('follows the fail path with a clear message when the project does not exist', async () => {
    projectGids.delete(ASANA_PROJECT_GID);
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message: `Asana refused the task. Ask an admin to check that workspace ${ASANA_WORKSPACE_GID} and project ${ASANA_PROJECT_GID} exist and the token's user is a member of the project.`,
    });
    expect(suite.added.stack.ticket(TICKET).tags).not.toContain('asana_task_created');
  });

  it('follows the fail path when the token is refused', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        "Asana refused the server's access token. Ask an admin to check the ASANA_TOKEN secret.",
    });
  });

  it('follows the fail path when rate limited, without repeating the POST', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message:
        'Asana is busy or rate limiting the server. No task was created; try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(1);
  });
});
