import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  TRELLO_API_KEY,
  TRELLO_LIST_ID,
  TRELLO_TOKEN,
  startTrelloFixture,
} from './fixtures/trello-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The Trello create-card template against a fixture answering as Trello's docs show. */

const CARD_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);
const TICKET = 4;

const listIds = new Set([TRELLO_LIST_ID]);

const suite = useTemplateStack(
  () => startTrelloFixture({ listIds }),
  (fixture) => ({
    templateId: 'trello_create_card',
    fixtureBaseUrl: fixture.baseUrl,
    choices: { values: { list_id: TRELLO_LIST_ID, card_field: CARD_FIELD } },
    secrets: { TRELLO_API_KEY, TRELLO_TOKEN },
  }),
  () => {
    listIds.add(TRELLO_LIST_ID);
  },
);

describe('template trello_create_card', () => {
  it('creates the card, writes its address to the chosen field, tags the ticket and links to it', async () => {
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Created Trello card Tr961500.',
      writes: { status: 'written' },
      link: { label: 'Trello card Tr961500', url: 'https://trello.com/c/Tr961500' },
    });
    const ticket = suite.added.stack.ticket(TICKET);
    expect(ticket.customFields[CARD_FIELD]).toBe('https://trello.com/c/Tr961500');
    expect(ticket.tags).toContain('trello_card_created');
  });

  it('sends the documented card parameters as a JSON body and the key and token in the Authorization header, not the URL', async () => {
    await suite.added.runOnTicket(TICKET);
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({ method: 'POST', path: '/1/cards', query: {} });
    expect(sent?.headers.authorization).toBe(
      `OAuth oauth_consumer_key="${TRELLO_API_KEY}", oauth_token="${TRELLO_TOKEN}"`,
    );
    expect(sent?.body).toEqual({
      idList: TRELLO_LIST_ID,
      name: 'Feature idea: let customers save wish lists',
      desc: 'It would be great if customers could save products to a wish list.\n\nFrom Zendesk ticket 4, reported by tom@example.com.',
      pos: 'top',
    });
  });

  it('keeps the key and token out of the run record, the answer and the server log', async () => {
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({ outcome: 'success' });
    const record = await request(suite.added.stack.url)
      .get(`/api/runs/${String(res.body.runId)}`)
      .set(suite.added.stack.adminAuth);
    expect(record.status, record.text).toBe(200);
    for (const [where, text] of [
      ['the run answer', res.text],
      ['the run record', record.text],
      ['the server log', suite.added.stack.logLines.join('\n')],
    ] as const) {
      expect(text, where).not.toContain(TRELLO_TOKEN);
      expect(text, where).not.toContain(TRELLO_API_KEY);
    }
  });

  it('is refused by the tag guard when run a second time on the same ticket', async () => {
    expect((await suite.added.runOnTicket(TICKET)).body).toMatchObject({ outcome: 'success' });
    const sent = suite.fixture.journal.length;
    const second = await suite.added.runOnTicket(TICKET);
    expect(second.status).toBe(422);
    expect(second.body).toMatchObject({ error: { code: 'CONNECTOR_NOT_APPLICABLE' } });
    expect(suite.fixture.journal.length).toBe(sent);
  });

  it('follows the fail path with a clear message when the list does not exist', async () => {
    listIds.delete(TRELLO_LIST_ID);
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message: `Trello refused the card. Ask an admin to check that list ${TRELLO_LIST_ID} still exists and the token's member is on its board.`,
    });
    expect(suite.added.stack.ticket(TICKET).tags).not.toContain('trello_card_created');
  });

  it('follows the fail path when the key or token is refused', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        "Trello refused the server's API key or token. Ask an admin to check the TRELLO_API_KEY and TRELLO_TOKEN secrets.",
    });
  });

  it('follows the fail path when rate limited, without repeating the POST', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(TICKET);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message:
        'Trello is busy or rate limiting the server. No card was created; try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(1);
  });
});
