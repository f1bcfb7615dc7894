import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { REST_API_TOKEN, startRestApiFixture } from './fixtures/rest-api-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The generic REST lookup template against a plain bearer-token JSON API. */

const PLAN = String(SANDBOX_FIELD_IDS.paymentStatus);
const STATUS = String(SANDBOX_FIELD_IDS.fulfillmentStatus);

const suite = useTemplateStack(
  () => startRestApiFixture(),
  (fixture) => ({
    templateId: 'rest_lookup',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: { base_url: 'https://api.example.com/v1', plan_field: PLAN, status_field: STATUS },
    },
    secrets: { API_TOKEN: REST_API_TOKEN },
  }),
);

describe('template rest_lookup', () => {
  it('finds the requester and writes plan and status to the chosen ticket fields', async () => {
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Maria Lopez: Pro plan, active.',
      writes: { status: 'written' },
    });
    expect(suite.added.stack.ticket(1).customFields).toMatchObject({
      [PLAN]: 'Pro',
      [STATUS]: 'active',
    });
    expect(suite.fixture.journal.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/customers',
      query: { email: 'maria@example.com' },
    });
  });

  it('is "empty" when the API knows no such customer', async () => {
    const res = await suite.added.runOnTicket(2);
    expect(res.body).toMatchObject({
      outcome: 'empty',
      message: 'No customer with the email chen@example.com.',
    });
    expect(suite.added.stack.ticket(2).customFields[PLAN] ?? null).toBeNull();
  });

  it('follows the fail path when the token is refused', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message: "The API refused the server's token. Ask an admin to check the API_TOKEN secret.",
    });
    expect(suite.added.stack.ticket(1).customFields[PLAN] ?? null).toBeNull();
  });

  it('follows the fail path when rate limited, after the retries', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message: 'The API is busy or rate limiting the server. Try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(3);
  });
});
