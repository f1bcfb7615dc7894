import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { useStack } from '../support/use-stack';

const CASE_1001 = SANDBOX_SALESFORCE_IDS.cases.order1001;
const CASE_1002 = SANDBOX_SALESFORCE_IDS.cases.refund1002;
const REP = SANDBOX_SALESFORCE_IDS.users.rep;
const RESTRICTED_REP = SANDBOX_SALESFORCE_IDS.users.restrictedRep;

const stack: TestStack = useStack(
  () => startTestStack(),
  (s) => {
    s.salesforce.faults.clear();
    s.salesforce.apiUsage.used = 0;
  },
);

function caseRecord(id: string) {
  const record = stack.salesforce.store.findRecord('Case', id);
  if (!record) throw new Error(`no Case ${id}`);
  return record as Record<string, unknown>;
}

function runOnCase(recordId: string, body: Record<string, unknown> = {}) {
  return request(stack.url)
    .post('/api/salesforce/connectors/shopify_order_lookup/run')
    .set(stack.salesforceAuth)
    .send({ objectApiName: 'Case', recordId, userId: REP, ...body });
}

describe('Salesforce: the Apex controller runs connectors on a record', () => {
  it('lists the connectors for a Case, prefilled from record fields incl. relationships', async () => {
    const res = await request(stack.url)
      .get(`/api/salesforce/connectors?objectApiName=Case&recordId=${CASE_1001}&userId=${REP}`)
      .set(stack.salesforceAuth);
    expect(res.status).toBe(200);
    // The same connector as on Zendesk tickets: its ticket conditions (tagsAny) are not read here.
    expect(res.body.connectors.map((c: { id: string }) => c.id)).toEqual(['shopify_order_lookup']);
    const inputs = res.body.connectors[0].inputs;
    expect(inputs).toContainEqual(
      expect.objectContaining({
        name: 'order_number',
        source: 'record.Order_Number__c',
        value: '#1001',
      }),
    );
    expect(inputs).toContainEqual(
      expect.objectContaining({
        name: 'contact_email',
        source: 'record.Contact.Email',
        value: 'maria@example.com',
      }),
    );
  });

  it('offers nothing on an object the connector does not apply to', async () => {
    const account = SANDBOX_SALESFORCE_IDS.accounts.acmeRetail;
    const res = await request(stack.url)
      .get(`/api/salesforce/connectors?objectApiName=Account&recordId=${account}`)
      .set(stack.salesforceAuth);
    expect(res.status).toBe(200);
    expect(res.body.connectors).toEqual([]);
  });

  it('runs the lookup and writes the record fields with one update', async () => {
    const before = stack.salesforce.journal.length;
    const res = await runOnCase(CASE_1001);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'success',
      writes: {
        status: 'written',
        changes: {
          fields: { Payment_Status__c: 'paid', Tracking_Number__c: '1Z999AA10123456784' },
        },
      },
    });
    expect(caseRecord(CASE_1001)).toMatchObject({
      Payment_Status__c: 'paid',
      Tracking_Number__c: '1Z999AA10123456784',
    });
    const patches = stack.salesforce.journal
      .slice(before)
      .filter((entry) => entry.method === 'PATCH');
    expect(patches).toHaveLength(1);
    // The Zendesk keys of the same write-back (custom fields, tags) are not Salesforce's.
    expect(patches[0]?.body).toEqual({
      Payment_Status__c: 'paid',
      Tracking_Number__c: '1Z999AA10123456784',
    });
    const logged = await request(stack.url)
      .get(`/api/salesforce/runs/${res.body.runId}`)
      .set(stack.salesforceAuth)
      .expect(200);
    expect(logged.body.run).toMatchObject({
      source: 'salesforce',
      actor: { id: REP },
      target: { system: 'salesforce', type: 'Case', id: CASE_1001 },
      inputs: { order_number: '#1001', contact_email: 'maria@example.com' },
    });
  });

  it('refreshes an expired session once and carries on', async () => {
    stack.salesforce.sessions.expire();
    const res = await runOnCase(CASE_1002);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('success');
    expect(caseRecord(CASE_1002)).toMatchObject({ Payment_Status__c: 'paid' });
  });

  it('reports Salesforce field errors readably, as a failed write-back', async () => {
    stack.salesforce.faults.enqueue({
      method: 'PATCH',
      status: 400,
      body: [
        {
          message: 'Tracking number must be uppercase',
          errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          fields: ['Tracking_Number__c'],
        },
      ],
    });
    const res = await runOnCase(CASE_1001);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      upstreamOutcome: 'success',
      error: { code: 'WRITE_BACK_FAILED' },
    });
    expect(res.body.error.message).toContain('Tracking number must be uppercase');
    expect(res.body.error.message).toContain('Tracking_Number__c');
  });

  it('says so when the org has used up its API requests', async () => {
    stack.salesforce.apiUsage.used = stack.salesforce.apiUsage.max;
    const res = await runOnCase(CASE_1001);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('HELPDESK_UNAVAILABLE');
    expect(res.body.error.message).toMatch(/REQUEST_LIMIT_EXCEEDED|request limit/i);
  });

  it('writes only the fields the rep may edit when asked to', async () => {
    const res = await runOnCase(CASE_1002, { userId: RESTRICTED_REP, onlyEditableFields: true });
    expect(res.status).toBe(200);
    expect(res.body.writes.changes.skipped).toEqual([
      expect.objectContaining({ field: 'Tracking_Number__c' }),
    ]);
  });

  it('refuses a run that writes when Apex says the rep cannot edit the record; a dry run is fine', async () => {
    const before = caseRecord(CASE_1002).Tracking_Number__c;
    const refused = await runOnCase(CASE_1002, { recordEditable: false });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('TICKET_EDIT_FORBIDDEN');
    expect(refused.body.error.message).toContain('cannot edit this record in Salesforce');
    expect(caseRecord(CASE_1002).Tracking_Number__c).toBe(before);
    const dry = await runOnCase(CASE_1002, { recordEditable: false, dryRun: true });
    expect(dry.status).toBe(200);
  });

  it("lists and runs only the connectors the org's settings allow on the object", async () => {
    const list = (allowed: string) =>
      request(stack.url)
        .get(
          `/api/salesforce/connectors?objectApiName=Case&recordId=${CASE_1001}&userId=${REP}&allowedConnectorIds=${allowed}`,
        )
        .set(stack.salesforceAuth);
    const allowedHere = await list('shopify_order_lookup,stripe_customer');
    expect(allowedHere.body.connectors.map((c: { id: string }) => c.id)).toEqual([
      'shopify_order_lookup',
    ]);
    expect((await list('stripe_customer')).body.connectors).toEqual([]);

    const before = caseRecord(CASE_1001).Tracking_Number__c;
    const refused = await runOnCase(CASE_1001, { allowedConnectorIds: ['stripe_customer'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'CONNECTOR_NOT_ALLOWED',
      message: expect.stringContaining('not enabled on Case records'),
    });
    expect(caseRecord(CASE_1001).Tracking_Number__c).toBe(before);
    const allowed = await runOnCase(CASE_1001, { allowedConnectorIds: ['shopify_order_lookup'] });
    expect(allowed.status).toBe(200);
  });

  it('answers 404 for a record that does not exist, and 400 for a malformed id', async () => {
    const missing = await runOnCase('500SB0000000099AAA');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('RECORD_NOT_FOUND');
    const malformed = await runOnCase("500' OR Name != '");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('BODY_INVALID');
  });

  it('refuses a wrong or missing connector key, and a Zendesk sidebar session', async () => {
    const wrong = await request(stack.url)
      .get(`/api/salesforce/connectors?objectApiName=Case&recordId=${CASE_1001}`)
      .set('X-Connector-Key', 'not-the-key');
    expect(wrong.status).toBe(401);
    const jwt = await request(stack.url)
      .get(`/api/salesforce/connectors?objectApiName=Case&recordId=${CASE_1001}`)
      .set((await stack.signInAgent()).auth);
    expect(jwt.status).toBe(401);
    expect(jwt.body.error.code).toBe('AUTH_INVALID');
  });
});
