import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { HUBSPOT_TOKEN, startHubSpotFixture } from './fixtures/hubspot-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The HubSpot contact lookup against HubSpot's CRM v3 API as documented. */

const LIFECYCLE = String(SANDBOX_FIELD_IDS.paymentStatus);
const COMPANY = String(SANDBOX_FIELD_IDS.trackingNumber);

const suite = useTemplateStack(
  () => startHubSpotFixture(),
  (fixture) => ({
    templateId: 'hubspot_contact_by_email',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: { portal_id: '4891203', lifecycle_field: LIFECYCLE, company_field: COMPANY },
    },
    secrets: { HUBSPOT_TOKEN },
  }),
);

describe('template hubspot_contact_by_email', () => {
  it('finds the requester by email and writes lifecycle stage and company', async () => {
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Maria Lopez (Lopez Designs): customer.',
      link: {
        label: 'Maria Lopez',
        url: 'https://app.hubspot.com/contacts/4891203/record/0-1/151',
      },
      writes: { status: 'written' },
    });
    expect(suite.added.stack.ticket(1).customFields).toMatchObject({
      [LIFECYCLE]: 'customer',
      [COMPANY]: 'Lopez Designs',
    });
    const sent = suite.fixture.journal.at(-1);
    // The email is one path segment, its "@" percent-encoded.
    expect(sent).toMatchObject({
      method: 'GET',
      path: '/crm/v3/objects/contacts/maria%40example.com',
      query: { idProperty: 'email', properties: 'email,firstname,lastname,lifecyclestage,company' },
      headers: { authorization: `Bearer ${HUBSPOT_TOKEN}` },
    });
  });

  it('is "empty" when HubSpot answers 404 for the email', async () => {
    const res = await suite.added.runOnTicket(2);
    expect(res.body).toMatchObject({
      outcome: 'empty',
      message: 'No HubSpot contact with the email chen@example.com.',
    });
    expect(suite.added.stack.ticket(2).customFields[LIFECYCLE] ?? null).toBeNull();
  });

  it('follows the fail path on 401 INVALID_AUTHENTICATION', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_HTTP_ERROR',
        message: expect.stringMatching(
          /^the API answered 401: Authentication credentials not found/,
        ) as unknown,
      },
      message:
        "HubSpot refused the server's private app token. Ask an admin to check the HUBSPOT_TOKEN secret and its crm.objects.contacts.read scope.",
    });
  });

  it('follows the fail path after retrying 429 TEN_SECONDLY_ROLLING', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_RETRIES_EXHAUSTED' },
      message: 'HubSpot is rate limiting the server. Try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(3);
  });
});
