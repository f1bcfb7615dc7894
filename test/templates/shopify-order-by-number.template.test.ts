import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { SHOPIFY_TOKEN, startShopifyFixture } from './fixtures/shopify-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The Shopify order lookup against Shopify's REST Admin API as documented. */

const PAYMENT = String(SANDBOX_FIELD_IDS.paymentStatus);
const FULFILMENT = String(SANDBOX_FIELD_IDS.fulfillmentStatus);
const TRACKING = String(SANDBOX_FIELD_IDS.trackingNumber);

const suite = useTemplateStack(
  () => startShopifyFixture(),
  (fixture) => ({
    templateId: 'shopify_order_by_number',
    fixtureBaseUrl: fixture.baseUrl,
    choices: {
      values: {
        shop_domain: 'acme.myshopify.com',
        order_number_field: String(SANDBOX_FIELD_IDS.orderNumber),
        payment_field: PAYMENT,
        fulfillment_field: FULFILMENT,
        tracking_field: TRACKING,
      },
    },
    secrets: { SHOPIFY_ADMIN_TOKEN: SHOPIFY_TOKEN },
  }),
);

describe('template shopify_order_by_number', () => {
  it('finds the order named on the ticket and writes payment, fulfilment and tracking', async () => {
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Order #1001: paid, fulfilled.',
      writes: { status: 'written' },
    });
    expect(suite.added.stack.ticket(1).customFields).toMatchObject({
      [PAYMENT]: 'paid',
      [FULFILMENT]: 'fulfilled',
      [TRACKING]: '1Z2345',
    });
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({
      method: 'GET',
      path: '/admin/api/2025-10/orders.json',
      query: { name: '#1001', status: 'any' },
      headers: { 'x-shopify-access-token': SHOPIFY_TOKEN },
    });
  });

  it('is "empty" when the store has no order with that name', async () => {
    const res = await suite.added.runOnTicket(2);
    expect(res.body).toMatchObject({ outcome: 'empty', message: 'No Shopify order #1002.' });
    expect(suite.added.stack.ticket(2).customFields[PAYMENT] ?? null).toBeNull();
  });

  it("follows the fail path with Shopify's 401 when the token is refused", async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_HTTP_ERROR',
        message:
          'the API answered 401: [API] Invalid API key or access token (unrecognized login or wrong password)',
      },
      message:
        "Shopify refused the server's access token. Ask an admin to check the SHOPIFY_ADMIN_TOKEN secret and the app's read_orders scope.",
    });
    expect(suite.added.stack.ticket(1).customFields[PAYMENT] ?? null).toBeNull();
  });

  it('follows the fail path after retrying a 429 with Retry-After', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_RETRIES_EXHAUSTED' },
      message: 'Shopify is rate limiting the server. Try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(3);
  });
});
