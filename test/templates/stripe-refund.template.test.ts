import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { STRIPE_KEY, startStripeFixture } from './fixtures/stripe-fixture';
import { startTemplateStack, useTemplateStack } from './support/start-template-stack';

/**
 * The Stripe refund template: a form-encoded POST /v1/refunds with an Idempotency-Key made of the
 * ticket and the charge, confirmed, retried only because the key makes that safe, and taken off
 * the ticket by its tag once it has refunded.
 */

const REFUND_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);
const CHARGE = 'ch_3MmlLrLkdIwHu7ix0snN0B15';

const suite = useTemplateStack(
  () => startStripeFixture(),
  (fixture) => ({
    templateId: 'stripe_refund',
    fixtureBaseUrl: fixture.baseUrl,
    choices: { values: { refund_field: REFUND_FIELD } },
    secrets: { STRIPE_REFUND_KEY: STRIPE_KEY },
  }),
);

describe('template stripe_refund', () => {
  it('refunds the amount, tags the ticket and notes the refund', async () => {
    const res = await suite.added.runOnTicket(1, { charge: CHARGE, amount: 500 });
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Refunded 500 usd (smallest currency unit): re_3MmlLrLkdIwHu7ix0ref0001, succeeded.',
      writes: { status: 'written' },
    });
    const ticket = suite.added.stack.ticket(1);
    expect(ticket.customFields[REFUND_FIELD]).toBe('re_3MmlLrLkdIwHu7ix0ref0001');
    expect(ticket.tags).toContain('stripe_refunded');
    expect(ticket.notes.at(-1)).toBe(
      `Refunded 500 usd (smallest currency unit) of ${CHARGE} in Stripe: refund re_3MmlLrLkdIwHu7ix0ref0001, status succeeded.`,
    );
  });

  it('sends the documented form body with an Idempotency-Key from the ticket and the charge', async () => {
    await suite.added.runOnTicket(2, { charge: CHARGE, amount: 250, reason: 'duplicate' });
    const sent = suite.fixture.journal.at(-1);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/refunds' });
    expect(sent?.body).toEqual({
      charge: CHARGE,
      amount: '250',
      reason: 'duplicate',
      metadata: { zendesk_ticket_id: '2' },
    });
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent?.headers['idempotency-key']).toBe(`zendesk-ticket-2-refund-${CHARGE}`);
    expect(sent?.headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);
  });

  it('is no longer offered on a ticket it has refunded', async () => {
    await suite.added.runOnTicket(3, { charge: CHARGE, amount: 100 });
    const count = suite.fixture.refunds.length;
    const again = await suite.added.runOnTicket(3, { charge: CHARGE, amount: 100 });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ error: { code: 'CONNECTOR_NOT_APPLICABLE' } });
    expect(suite.fixture.refunds.length).toBe(count);
  });

  it('gets the first refund back, not a second one, when the tag is gone and it runs again', async () => {
    const first = await suite.added.runOnTicket(4, { charge: CHARGE, amount: 300 });
    const count = suite.fixture.refunds.length;
    suite.added.stack.zendesk.store.reset(); // the tag removed, as an agent could
    const second = await suite.added.runOnTicket(4, { charge: CHARGE, amount: 300 });
    expect(second.body).toMatchObject({ outcome: 'success', message: first.body.message });
    expect(suite.fixture.refunds.length).toBe(count);
  });

  it('is "empty" when Stripe has no such charge, and tags nothing', async () => {
    const res = await suite.added.runOnTicket(5, {
      charge: 'ch_3NoSuchChargeLkdIwHu7ix0',
      amount: 100,
    });
    expect(res.body).toMatchObject({
      outcome: 'empty',
      message: 'Stripe has no charge ch_3NoSuchChargeLkdIwHu7ix0; nothing was refunded.',
    });
    expect(suite.added.stack.ticket(5).tags).not.toContain('stripe_refunded');
  });

  it('refuses an amount that is not a whole number of the smallest unit, before sending', async () => {
    const before = suite.fixture.journal.length;
    const res = await suite.added.runOnTicket(6, { charge: CHARGE, amount: '12.50' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'INPUT_INVALID' } });
    expect(suite.fixture.journal.length).toBe(before);
  });

  it('follows the fail path when Stripe refuses the key', async () => {
    suite.fixture.setMode('unauthorized');
    const res = await suite.added.runOnTicket(6, { charge: CHARGE, amount: 100 });
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message:
        "Stripe refused the server's API key; nothing was refunded. Ask an admin to check the STRIPE_REFUND_KEY secret (it needs write access to Refunds).",
    });
    const ticket = suite.added.stack.ticket(6);
    expect(ticket.tags).not.toContain('stripe_refunded');
    expect(ticket.notes.at(-1)).toMatch(
      /^The Stripe refund of 100 .* failed \(UPSTREAM_HTTP_ERROR\)/,
    );
  });

  it('retries a 429 with the same Idempotency-Key, then follows the fail path', async () => {
    suite.fixture.setMode('rateLimited');
    const before = suite.fixture.journal.length;
    const count = suite.fixture.refunds.length;
    const res = await suite.added.runOnTicket(6, { charge: CHARGE, amount: 100 });
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message: 'Stripe is rate limiting the server; nothing was refunded. Try again in a minute.',
    });
    const attempts = suite.fixture.journal.slice(before);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['idempotency-key']))).toEqual(
      new Set([`zendesk-ticket-6-refund-${CHARGE}`]),
    );
    expect(suite.fixture.refunds.length).toBe(count);
  });

  it('takes the charge from the ticket field the charges lookup writes it to', async () => {
    const CHARGE_FIELD = SANDBOX_FIELD_IDS.orderNumber;
    const fromField = await startTemplateStack({
      templateId: 'stripe_refund',
      fixtureBaseUrl: suite.fixture.baseUrl,
      choices: { values: { charge_field: String(CHARGE_FIELD) } },
      secrets: { STRIPE_REFUND_KEY: STRIPE_KEY },
    });
    try {
      const store = fromField.stack.zendesk.store;
      const field = store.findTicket(2)?.custom_fields.find((f) => f.id === CHARGE_FIELD);
      if (!field) throw new Error('the sandbox ticket has no order number field');
      field.value = 'ch_1NirD82eZvKYlo2CIvbtLWuY';
      store.save();
      const res = await fromField.runOnTicket(2, { amount: 700 });
      expect(res.body).toMatchObject({ outcome: 'success' });
      expect(suite.fixture.journal.at(-1)?.body).toMatchObject({
        charge: 'ch_1NirD82eZvKYlo2CIvbtLWuY',
      });
    } finally {
      await fromField.close();
    }
  });

  it('asks the agent to confirm before refunding', async () => {
    const res = await request(suite.added.stack.url)
      .post(`/api/connectors/${suite.added.connectorId}/run`)
      .set(suite.added.stack.adminAuth)
      .send({ ticketId: 6, inputs: { charge: CHARGE, amount: 100 } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'CONFIRMATION_REQUIRED' } });
  });
});
