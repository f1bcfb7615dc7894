import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { useStack } from '../support/use-stack';

/**
 * Zendesk or Salesforce failing while a run writes back: the external call already happened, so
 * the run is never silently dropped. It is retried where replaying the update is safe (Zendesk:
 * it carries safe_update; Salesforce: after reading the record back, conditionally), and
 * otherwise ends as WRITE_BACK_FAILED with the upstream outcome kept, logged.
 */
const PAYMENT = String(SANDBOX_FIELD_IDS.paymentStatus);
const stack: TestStack = useStack(
  () => startTestStack(),
  (s) => {
    s.zendesk.faults.clear();
    s.salesforce.faults.clear();
  },
);

async function runLookup(ticketId: number) {
  const journalBefore = stack.zendesk.journal.length;
  const upstreamBefore = stack.upstream.journal.length;
  const res = await request(stack.url)
    .post('/api/connectors/shopify_order_lookup/run')
    .set(stack.adminAuth)
    .send({ ticketId });
  const puts = stack.zendesk.journal
    .slice(journalBefore)
    .filter((entry) => entry.method === 'PUT' && entry.path === `/api/v2/tickets/${ticketId}.json`);
  return { res, puts, upstreamCalls: stack.upstream.journal.length - upstreamBefore };
}

/** Zendesk answers 503 Service Unavailable to the next ten calls of `method` on the path. */
function zendeskUnavailable(method: 'GET' | 'PUT', pathPattern: string): void {
  stack.zendesk.faults.enqueue({ method, pathPattern, status: 503, times: 10 });
}

/**
 * The run log's record of a run whose upstream call worked while the helpdesk stayed down for
 * the write: failed, the upstream outcome kept, and why.
 */
async function expectWriteBackUnavailableLogged(runId: string) {
  const run = await loggedRun(runId);
  expect(run).toMatchObject({
    outcome: 'failed',
    upstreamOutcome: 'success',
    errorCode: 'WRITE_BACK_FAILED',
    writes: { status: 'failed', error: { code: 'WRITE_BACK_UNAVAILABLE' } },
  });
  return run;
}

async function loggedRun(runId: string) {
  const logged = await request(stack.url).get(`/api/runs/${runId}`).set(stack.adminAuth);
  expect(logged.status).toBe(200);
  return logged.body.run;
}

describe('Zendesk failing during write-back', () => {
  it('retries the ticket update after a 503, since safe_update makes the replay safe', async () => {
    stack.zendesk.faults.enqueue({ method: 'PUT', pathPattern: '/tickets/1.json', status: 503 });
    const { res, puts } = await runLookup(1);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'success', writes: { status: 'written' } });
    expect(puts).toHaveLength(2);
    // The replay that landed still carries the stamp: had the first one landed, it would 409.
    expect(puts[1]?.body).toMatchObject({ ticket: { safe_update: true } });
    expect(stack.ticket(1).customFields[PAYMENT]).toBe('paid');
  });

  it('retries after a connection reset on the PUT', async () => {
    stack.zendesk.faults.enqueue({
      method: 'PUT',
      pathPattern: '/tickets/2.json',
      resetConnection: true,
    });
    const { res, puts } = await runLookup(2);
    expect(res.body).toMatchObject({ outcome: 'success', writes: { status: 'written' } });
    expect(puts).toHaveLength(2);
  });

  it('says WRITE_BACK_FAILED with the upstream outcome when Zendesk stays down, and logs it', async () => {
    zendeskUnavailable('PUT', '/tickets/2.json');
    const before = stack.ticket(2);
    const { res, puts } = await runLookup(2);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      upstreamOutcome: 'success',
      error: { code: 'WRITE_BACK_FAILED' },
      writes: { status: 'failed' },
    });
    expect(res.body.error.message).toMatch(
      /external call succeeded, but the ticket was not updated/,
    );
    // The outputs the external call produced are still shown, so the agent can act on them.
    expect(res.body.outputs.length).toBeGreaterThan(0);
    expect(puts).toHaveLength(4); // the first try and three retries
    expect(stack.ticket(2)).toEqual(before);
    const run = await expectWriteBackUnavailableLogged(res.body.runId);
    expect(run.writes.changes).toMatchObject({ customFields: expect.any(Array) });
  });

  it('says WRITE_BACK_FAILED when every PUT has its connection reset', async () => {
    stack.zendesk.faults.enqueue({
      method: 'PUT',
      pathPattern: '/tickets/1.json',
      resetConnection: true,
      times: 10,
    });
    const { res } = await runLookup(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      upstreamOutcome: 'success',
      error: { code: 'WRITE_BACK_FAILED' },
    });
    expect((await loggedRun(res.body.runId)).writes.status).toBe('failed');
  });

  it('refuses the run before calling the upstream when Zendesk is down at load time', async () => {
    zendeskUnavailable('GET', '/tickets/1.json');
    const { res, upstreamCalls } = await runLookup(1);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('HELPDESK_UNAVAILABLE');
    expect(upstreamCalls).toBe(0);
  });
});

describe('Salesforce failing during write-back', () => {
  const CASE_1001 = SANDBOX_SALESFORCE_IDS.cases.order1001;
  const caseRecord = () => stack.salesforce.store.findRecord('Case', CASE_1001);

  async function runOnCase() {
    const journalBefore = stack.salesforce.journal.length;
    const res = await request(stack.url)
      .post('/api/salesforce/connectors/shopify_order_lookup/run')
      .set(stack.salesforceAuth)
      .send({ objectApiName: 'Case', recordId: CASE_1001 });
    const patches = stack.salesforce.journal
      .slice(journalBefore)
      .filter((entry) => entry.method === 'PATCH');
    return { res, patches };
  }

  it('sends the update once more, conditionally, after a 503 that wrote nothing', async () => {
    stack.salesforce.faults.enqueue({
      method: 'PATCH',
      pathPattern: '/sobjects/Case',
      status: 503,
    });
    const { res, patches } = await runOnCase();
    expect(res.body).toMatchObject({ outcome: 'success', writes: { status: 'written' } });
    expect(patches).toHaveLength(2);
    expect(patches[1]?.ifUnmodifiedSince).toMatch(/GMT$/);
    expect(caseRecord()).toMatchObject({ Payment_Status__c: 'paid' });
  });

  it('does not send it again when the answer was lost but the update landed', async () => {
    stack.salesforce.faults.enqueue({
      method: 'PATCH',
      pathPattern: '/sobjects/Case',
      loseResponse: true,
    });
    const { res, patches } = await runOnCase();
    expect(res.body).toMatchObject({ outcome: 'success', writes: { status: 'written' } });
    expect(patches).toHaveLength(1);
  });

  it('says WRITE_BACK_FAILED with the upstream outcome when Salesforce stays down, and logs it', async () => {
    const before = { ...caseRecord() };
    stack.salesforce.faults.enqueue({
      method: 'PATCH',
      pathPattern: '/sobjects/Case',
      status: 503,
      times: 10,
    });
    // The run's own load of the Case goes through (a delay-only fault passes the request on);
    // reading the Case back after the failed update does not.
    stack.salesforce.faults.enqueue({ method: 'GET', pathPattern: '/query', delayMs: 1 });
    stack.salesforce.faults.enqueue({
      method: 'GET',
      pathPattern: '/query',
      status: 503,
      times: 10,
    });
    const { res, patches } = await runOnCase();
    expect(res.body).toMatchObject({
      outcome: 'failed',
      upstreamOutcome: 'success',
      error: { code: 'WRITE_BACK_FAILED' },
      writes: { status: 'failed' },
    });
    expect(res.body.error.message).toMatch(/external call succeeded, but the Case was not updated/);
    expect(patches).toHaveLength(1);
    expect(caseRecord()).toEqual(before);
    await expectWriteBackUnavailableLogged(res.body.runId);
  });
});
