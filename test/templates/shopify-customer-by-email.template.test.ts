import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { SHOPIFY_TOKEN, startShopifyFixture } from './fixtures/shopify-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The Shopify customer lookup against the GraphQL Admin API as documented. */

const ORDERS = String(SANDBOX_FIELD_IDS.paymentStatus);
const SPENT = String(SANDBOX_FIELD_IDS.trackingNumber);

const suite = useTemplateStack(
  () => startShopifyFixture(),
  (fixture) => ({
    templateId: 'shopify_customer_by_email',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: {
        shop_domain: 'acme.myshopify.com',
        store_handle: 'acme',
        orders_field: ORDERS,
        spent_field: SPENT,
      },
    },
    secrets: { SHOPIFY_ADMIN_TOKEN: SHOPIFY_TOKEN },
  }),
  (fixture) => {
    fixture.setGraphqlThrottled(false);
  },
);

describe('template shopify_customer_by_email', () => {
  it('finds the requester with a GraphQL customers query and writes orders and total spent', async () => {
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Maria Lopez: 3 orders, 412.50 EUR spent.',
      link: {
        label: 'Maria Lopez',
        url: 'https://admin.shopify.com/store/acme/customers/207119551',
      },
      writes: { status: 'written' },
    });
    expect(suite.added.stack.ticket(1).customFields).toMatchObject({
      [ORDERS]: '3',
      [SPENT]: '412.50 EUR',
    });
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/admin/api/2025-10/graphql.json',
      headers: { 'x-shopify-access-token': SHOPIFY_TOKEN, 'content-type': 'application/json' },
    });
    // The email travels as a GraphQL variable, quoted in Shopify's search syntax: never spliced
    // into the query text.
    expect(sent?.body).toMatchObject({ variables: { query: 'email:"maria@example.com"' } });
    expect(String((sent?.body as { query: string }).query)).toContain(
      'customers(first: 1, query: $query)',
    );
  });

  it('is "empty" when no customer has the email', async () => {
    const res = await suite.added.runOnTicket(2);
    expect(res.body).toMatchObject({
      outcome: 'empty',
      message: 'No Shopify customer with the email chen@example.com.',
    });
  });

  it("follows the fail path with Shopify's 401 when the token is refused", async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        "Shopify refused the server's access token. Ask an admin to check the SHOPIFY_ADMIN_TOKEN secret and the app's read_customers scope.",
    });
  });

  it('follows the fail path when the GraphQL answer is THROTTLED (HTTP 200)', async () => {
    suite.fixture.setGraphqlThrottled(true);
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_REPORTED_ERROR',
        message: 'the API answered 200 but reported an error: Throttled',
      },
      message: 'Shopify is rate limiting the server. Try again in a minute.',
    });
    expect(suite.added.stack.ticket(1).customFields[ORDERS] ?? null).toBeNull();
  });

  it('retries a 429, since the query changes nothing', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_RETRIES_EXHAUSTED' },
    });
    expect(suite.fixture.journal.length - before).toBe(3);
  });
});
