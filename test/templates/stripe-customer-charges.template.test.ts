import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { STRIPE_KEY, startStripeFixture } from './fixtures/stripe-fixture';
import { useTemplateStack } from './support/start-template-stack';

/** The Stripe customer-and-charges template against a fixture answering as Stripe's reference. */

const CUSTOMER_FIELD = String(SANDBOX_FIELD_IDS.paymentStatus);
const CHARGE_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);

const suite = useTemplateStack(
  () => startStripeFixture(),
  (fixture) => ({
    templateId: 'stripe_customer_charges',
    fixtureBaseUrl: fixture.baseUrl,
    choices: { values: { customer_field: CUSTOMER_FIELD, charge_field: CHARGE_FIELD } },
    secrets: { STRIPE_RESTRICTED_KEY: STRIPE_KEY },
  }),
);

describe('template stripe_customer_charges', () => {
  it('shows the requester’s recent charges and writes customer and latest charge ids', async () => {
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message:
        'Maria Lopez: 3 recent charges, latest 1099 usd succeeded (ch_3MmlLrLkdIwHu7ix0snN0B15).',
      writes: { status: 'written' },
    });
    const outputs = Object.fromEntries(
      (res.body.outputs as { name: string; value: unknown }[]).map((o) => [o.name, o.value]),
    );
    expect(outputs.recent_charges).toBe(
      'ch_3MmlLrLkdIwHu7ix0snN0B15 1099 usd succeeded, ch_3MmlKvLkdIwHu7ix1AbCdE27 4500 usd succeeded, ch_3MmlJxLkdIwHu7ix0ZyXwV31 2000 usd failed',
    );
    expect(suite.added.stack.ticket(1).customFields).toMatchObject({
      [CUSTOMER_FIELD]: 'cus_NffrFeUfNV2Hib',
      [CHARGE_FIELD]: 'ch_3MmlLrLkdIwHu7ix0snN0B15',
    });
  });

  it('sends one search with the email quoted, the customer expanded and the key as bearer', async () => {
    await suite.added.runOnTicket(1);
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({
      method: 'GET',
      path: '/v1/charges/search',
      query: {
        query: "billing_details.email:'maria@example.com'",
        limit: '5',
        'expand[]': 'data.customer',
      },
    });
    expect(sent?.headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);
    expect(sent?.headers['stripe-version']).toBe('2025-03-31.basil');
  });

  it('is "empty" when Stripe has no charge billed to the requester', async () => {
    const res = await suite.added.runOnTicket(2);
    expect(res.body).toMatchObject({
      outcome: 'empty',
      message: 'Stripe has no charges billed to chen@example.com.',
    });
    expect(suite.added.stack.ticket(2).customFields[CHARGE_FIELD] ?? null).toBeNull();
  });

  it('refuses an email with a quote before anything is sent (it would change the query)', async () => {
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(1, {
      email: "x' OR customer:'cus_other@example.com",
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'INPUT_INVALID' } });
    expect(suite.fixture.journal.length).toBe(before);
  });

  it('follows the fail path when Stripe refuses the key', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        "Stripe refused the server's API key. Ask an admin to check the STRIPE_RESTRICTED_KEY secret (it needs read access to Charges and Customers).",
    });
    expect(suite.added.stack.ticket(1).customFields[CHARGE_FIELD] ?? null).toBeNull();
  });

  it('follows the fail path when rate limited, after the retries', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message: 'Stripe is rate limiting the server. Try again in a minute.',
    });
    expect(suite.fixture.journal.length - before).toBe(3);
  });
});
