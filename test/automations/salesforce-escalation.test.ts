import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFakeSalesforce } from '../../server/src/sandbox/fake-salesforce/fake-salesforce';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { startAutomationStack, WEBHOOK_SECRET } from './support/start-automation-stack';
import type { AutomationStack } from './support/start-automation-stack';

/**
 * The shipped `escalated_case_to_jira` workflow, started the way the Apex action
 * `DataConnectorsWorkflowTrigger` starts it (a body signed with HMAC-SHA256), run by the worker
 * against a Salesforce org (the fake, over real jsforce) and the demo Jira.
 */
const WORKFLOW = 'escalated_case_to_jira';
const CASE_1001 = SANDBOX_SALESFORCE_IDS.cases.order1001;
const CASE_1002 = SANDBOX_SALESFORCE_IDS.cases.refund1002;

let stack: AutomationStack;
let org: RunningFakeSalesforce;

beforeAll(async () => {
  stack = await startAutomationStack({ salesforce: true });
  if (!stack.salesforce) throw new Error('the fake Salesforce org did not start');
  org = stack.salesforce;
});
afterAll(async () => {
  await stack.close();
});
afterEach(() => {
  stack.upstream.setOutage(false);
  org.store.reset();
});

const isoNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function escalation(recordId: string, eventId: string = randomUUID()) {
  return { objectApiName: 'Case', recordId, sentAt: isoNow(), eventId };
}

function caseRecord(id: string): Record<string, unknown> {
  const record = org.store.findRecord('Case', id);
  if (!record) throw new Error(`no Case ${id}`);
  return record;
}

function issuesFor(caseNumber: string) {
  return stack.upstream.createdIssues.filter((issue) =>
    issue.fields.labels.includes(`salesforce-case-${caseNumber}`),
  );
}

describe('an escalated Case, started from Salesforce', () => {
  it('answers 202, files a Jira issue from the Case and writes its key back to the Case', async () => {
    const res = await stack.deliverSalesforce(WORKFLOW, escalation(CASE_1001));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ deliveryId: expect.stringMatching(/^dlv_/), duplicate: false });

    const delivery = await stack.waitForDelivery(res.body.deliveryId);
    expect(delivery).toMatchObject({
      state: 'completed',
      outcome: 'success',
      attempts: 1,
      system: 'salesforce',
      target: { type: 'Case', id: CASE_1001 },
    });
    const [issue] = issuesFor('00001001');
    expect(issue?.fields.summary).toBe('Where is my order #1001?');
    expect(JSON.stringify(issue?.fields.description)).toContain(
      'I ordered a week ago and have not received anything yet.',
    );
    expect(caseRecord(CASE_1001)).toMatchObject({
      External_Reference__c: issue?.key,
      Escalated__c: true,
    });
    // The collect step's fields were loaded with the record, in the one query.
    const queries = org.journal.filter((entry) => entry.path.endsWith('/query'));
    expect(String(queries.at(-1)?.query.q)).toMatch(/Subject.*CaseNumber.*Description/);
  });

  it('processes a duplicate delivery (the same eventId) once', async () => {
    const eventId = randomUUID();
    const first = await stack.deliverSalesforce(WORKFLOW, escalation(CASE_1002, eventId));
    // The same event sent again a little later, signed again (as a retried Apex job would).
    const again = await stack.deliverSalesforce(WORKFLOW, {
      ...escalation(CASE_1002, eventId),
      sentAt: new Date(Date.now() + 1000).toISOString(),
    });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual({ deliveryId: first.body.deliveryId, duplicate: true });
    await stack.waitForDelivery(first.body.deliveryId);
    expect(issuesFor('00001002')).toHaveLength(1);
    expect(caseRecord(CASE_1002).External_Reference__c).toBe(issuesFor('00001002')[0]?.key);
  });

  it('retries while Jira is down, then takes the failure path: the Case says so and is no longer escalated', async () => {
    caseRecord(CASE_1001).Escalated__c = true;
    org.store.save();
    stack.upstream.setOutage(true, { service: 'jira' });
    const before = issuesFor('00001001').length;
    const res = await stack.deliverSalesforce(WORKFLOW, escalation(CASE_1001));
    const delivery = await stack.waitForDelivery(res.body.deliveryId);
    expect(delivery).toMatchObject({ state: 'completed', outcome: 'failed', attempts: 3 });
    expect(delivery.message).toMatch(/^Step "create_issue" failed \(UPSTREAM_/);
    expect(issuesFor('00001001')).toHaveLength(before);
    expect(caseRecord(CASE_1001)).toMatchObject({
      Escalated__c: false,
      External_Reference__c: expect.stringMatching(
        /^No Jira issue \(UPSTREAM_[A-Z_]+\); escalate again to retry\.$/,
      ),
    });
  });

  it('takes the missing-value path when the Case has no subject, without calling Jira', async () => {
    caseRecord(CASE_1002).Subject = null;
    org.store.save();
    const before = stack.upstream.createdIssues.length;
    const res = await stack.deliverSalesforce(WORKFLOW, escalation(CASE_1002));
    const delivery = await stack.waitForDelivery(res.body.deliveryId);
    expect(delivery).toMatchObject({
      state: 'completed',
      outcome: 'failed',
      message: 'Required value "subject" (read from record.Subject, which is empty) is missing.',
    });
    expect(stack.upstream.createdIssues).toHaveLength(before);
    expect(caseRecord(CASE_1002)).toMatchObject({
      Escalated__c: false,
      External_Reference__c: 'No Jira issue: the Case has no subject.',
    });
  });

  it('refuses a delivery signed with another key: 401, nothing queued, nothing filed', async () => {
    const counts = await stack.server.workflows.queue.countByState();
    const before = counts.queued + counts.running + counts.completed + counts.dead;
    const issues = stack.upstream.createdIssues.length;
    const res = await stack.deliverSalesforce(WORKFLOW, escalation(CASE_1001), {
      secret: WEBHOOK_SECRET,
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({
      code: 'AUTH_INVALID',
      details: { reason: 'SIGNATURE_INVALID' },
    });
    const after = await stack.server.workflows.queue.countByState();
    expect(after.queued + after.running + after.completed + after.dead).toBe(before);
    expect(stack.upstream.createdIssues).toHaveLength(issues);
    expect(caseRecord(CASE_1001).External_Reference__c).toBeNull();
  });
});
