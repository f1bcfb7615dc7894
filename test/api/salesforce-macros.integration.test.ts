import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { useStack } from '../support/use-stack';
import { stepOutcomes } from '../support/macro-answers';

/**
 * Macros on Salesforce records, as the Apex controller calls them (`X-Connector-Key`): the
 * shipped `escalate_case` macro against the fake org (real jsforce) and the demo Jira.
 */
const CASE_1001 = SANDBOX_SALESFORCE_IDS.cases.order1001;
const CASE_1002 = SANDBOX_SALESFORCE_IDS.cases.refund1002;
const ACME = SANDBOX_SALESFORCE_IDS.accounts.acmeRetail;
const REP = SANDBOX_SALESFORCE_IDS.users.rep;

const stack: TestStack = useStack(
  () => startTestStack(),
  (s) => {
    s.upstream.setOutage(false);
    s.salesforce.store.reset();
  },
);

function caseRecord(id: string): Record<string, unknown> {
  const record = stack.salesforce.store.findRecord('Case', id);
  if (!record) throw new Error(`no Case ${id}`);
  return record;
}

function listMacros(objectApiName: string, recordId: string) {
  return request(stack.url)
    .get(`/api/salesforce/macros?objectApiName=${objectApiName}&recordId=${recordId}&userId=${REP}`)
    .set(stack.salesforceAuth);
}

function runMacro(macroId: string, body: Record<string, unknown>) {
  return request(stack.url)
    .post(`/api/salesforce/macros/${macroId}/run`)
    .set(stack.salesforceAuth)
    .send({ objectApiName: 'Case', recordId: CASE_1001, userId: REP, ...body });
}

describe('GET /api/salesforce/macros', () => {
  it('lists the Salesforce macros for a Case, with their connectors and the confirmation flag', async () => {
    const res = await listMacros('Case', CASE_1001);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      recordId: CASE_1001,
      objectApiName: 'Case',
      macros: [
        {
          id: 'escalate_case',
          name: 'Escalate Case to engineering',
          description: expect.stringContaining('Jira issue'),
          confirm: true,
          connectors: [{ id: 'jira_create_issue_from_case', name: 'Create Jira issue from Case' }],
          unavailable: null,
        },
      ],
    });
  });

  it('lists nothing on an object the macros do not apply to', async () => {
    const res = await listMacros('Account', ACME);
    expect(res.status).toBe(200);
    expect(res.body.macros).toEqual([]);
  });

  it('refuses a caller without the connector key, and a malformed record id', async () => {
    const anonymous = await request(stack.url).get(
      `/api/salesforce/macros?objectApiName=Case&recordId=${CASE_1001}`,
    );
    expect(anonymous.status).toBe(401);
    const malformed = await listMacros('Case', 'not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('QUERY_INVALID');
  });
});

describe('POST /api/salesforce/macros/:macroId/run', () => {
  it('asks for confirmation first, and calls nothing until it has it', async () => {
    const issues = stack.upstream.createdIssues.length;
    const res = await runMacro('escalate_case', {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(stack.upstream.createdIssues).toHaveLength(issues);
    expect(caseRecord(CASE_1001).External_Reference__c).toBeNull();
  });

  it('creates the Jira issue, writes its key and marks the Case escalated, step by step', async () => {
    const res = await runMacro('escalate_case', { confirmed: true });
    expect(res.status).toBe(200);
    const issue = stack.upstream.createdIssues.at(-1);
    expect(issue?.fields.summary).toBe('Where is my order #1001?');
    expect(issue?.fields.labels).toContain('salesforce-case-00001001');
    expect(res.body).toMatchObject({ macroId: 'escalate_case', outcome: 'success' });
    expect(stepOutcomes(res.body)).toEqual([
      ['create_issue', 'success'],
      ['after_create', 'success'],
      ['write_reference', 'success'],
      ['mark_escalated', 'success'],
    ]);
    expect(caseRecord(CASE_1001)).toMatchObject({
      External_Reference__c: issue?.key,
      Escalated__c: true,
    });
    // The click has its own entry (kind macro) listing each step's run.
    const entry = await request(stack.url)
      .get(`/api/salesforce/runs/${res.body.runId}`)
      .set(stack.salesforceAuth)
      .expect(200);
    expect(entry.body.run).toMatchObject({
      kind: 'macro',
      macroId: 'escalate_case',
      outcome: 'success',
      actor: { kind: 'agent', id: REP },
      target: { system: 'salesforce', type: 'Case', id: CASE_1001 },
      outputs: {
        steps: expect.arrayContaining([
          { stepId: 'create_issue', outcome: 'success', runId: res.body.steps[0].runId },
        ]),
      },
    });
    // The connector run is in the run log as the rep's, made from Salesforce.
    const run = await request(stack.url)
      .get(`/api/salesforce/runs/${res.body.steps[0].runId}`)
      .set(stack.salesforceAuth);
    expect(run.body.run).toMatchObject({
      connectorId: 'jira_create_issue_from_case',
      source: 'salesforce',
      actor: { kind: 'agent', id: REP },
      target: { system: 'salesforce', type: 'Case', id: CASE_1001 },
    });
  });

  it('writes only the fields the rep may edit in every step when Apex says so', async () => {
    const restricted = SANDBOX_SALESFORCE_IDS.users.restrictedRep;
    const res = await runMacro('escalate_case', {
      confirmed: true,
      userId: restricted,
      onlyEditableFields: true,
    });
    expect(res.status).toBe(200);
    const issue = stack.upstream.createdIssues.at(-1);
    // The rep's profile cannot edit Escalated__c: that step skips it, the reference is written.
    expect(caseRecord(CASE_1001)).toMatchObject({ External_Reference__c: issue?.key });
    expect(caseRecord(CASE_1001).Escalated__c).not.toBe(true);
  });

  it('refuses a macro that writes when the rep cannot edit the record, before any step runs', async () => {
    const issues = stack.upstream.createdIssues.length;
    const res = await runMacro('escalate_case', { confirmed: true, recordEditable: false });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('TICKET_EDIT_FORBIDDEN');
    expect(res.body.error.message).toContain('cannot edit this record in Salesforce');
    expect(stack.upstream.createdIssues).toHaveLength(issues);
  });

  it("lists and runs only macros made of connectors the org's settings allow", async () => {
    const listed = await request(stack.url)
      .get(
        `/api/salesforce/macros?objectApiName=Case&recordId=${CASE_1001}&userId=${REP}&allowedConnectorIds=shopify_order_lookup`,
      )
      .set(stack.salesforceAuth);
    expect(listed.status).toBe(200);
    expect(listed.body.macros.map((m: { id: string }) => m.id)).not.toContain('escalate_case');
    const issues = stack.upstream.createdIssues.length;
    const res = await runMacro('escalate_case', {
      confirmed: true,
      allowedConnectorIds: ['shopify_order_lookup'],
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CONNECTOR_NOT_ALLOWED');
    expect(stack.upstream.createdIssues).toHaveLength(issues);
  });

  it('replays the first result for a repeated Idempotency-Key instead of running the steps again', async () => {
    const issues = stack.upstream.createdIssues.length;
    const first = await runMacro('escalate_case', { confirmed: true }).set(
      'Idempotency-Key',
      'apex-callout-0001',
    );
    const again = await runMacro('escalate_case', { confirmed: true }).set(
      'Idempotency-Key',
      'apex-callout-0001',
    );
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, outcome: 'success' });
    expect(stack.upstream.createdIssues.length).toBe(issues + 1);
  });

  it('reports the failure path at once when Jira is down, and leaves the Case as it was', async () => {
    stack.upstream.setOutage(true, { service: 'jira' });
    const res = await runMacro('escalate_case', { recordId: CASE_1002, confirmed: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/^No Jira issue was created \(UPSTREAM_[A-Z_]+\): /),
    });
    expect(caseRecord(CASE_1002)).toMatchObject({
      External_Reference__c: null,
      Escalated__c: false,
    });
  });

  it('answers 404 for an unknown macro and for a Zendesk-only one, 422 off its object', async () => {
    expect((await runMacro('nope', { confirmed: true })).status).toBe(404);
    const zendeskOnly = await runMacro('escalate_to_engineering', { confirmed: true });
    expect(zendeskOnly.status).toBe(404);
    const onAccount = await runMacro('escalate_case', {
      objectApiName: 'Account',
      recordId: ACME,
      confirmed: true,
    });
    expect(onAccount.status).toBe(422);
    expect(onAccount.body.error).toEqual({
      code: 'CONNECTOR_NOT_APPLICABLE',
      message: 'Macro "escalate_case" does not apply to this Account.',
    });
  });

  it('refuses a body with unknown keys', async () => {
    const res = await runMacro('escalate_case', { confirmed: true, inputs: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BODY_INVALID');
  });
});
