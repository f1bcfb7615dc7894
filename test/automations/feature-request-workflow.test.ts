import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { startAutomationStack } from './support/start-automation-stack';
import type { AutomationStack } from './support/start-automation-stack';
import { useStack } from '../support/use-stack';

/**
 * The shipped `feature_request_to_jira` workflow, started by a signed Zendesk webhook and run by
 * the background worker against the fake Zendesk and the demo Jira.
 */
const JIRA_KEY = String(SANDBOX_FIELD_IDS.jiraIssueKey);
const WORKFLOW = 'feature_request_to_jira';

const stack: AutomationStack = useStack(
  () => startAutomationStack(),
  (s) => {
    s.upstream.setOutage(false);
    s.zendesk.faults.clear();
  },
);

async function featureRequest(subject = 'Please add dark mode'): Promise<number> {
  return stack.createTicket({ subject, tags: ['feature_request'] });
}

function issuesFor(ticketId: number) {
  return stack.upstream.createdIssues.filter((issue) =>
    issue.fields.labels.includes(`zendesk-${ticketId}`),
  );
}

describe('a Zendesk trigger starting the Jira workflow', () => {
  it('answers 202 with a delivery id, then files the issue, stores its key and links it in a note', async () => {
    const ticketId = await featureRequest();
    const res = await stack.deliver(WORKFLOW, { ticket_id: String(ticketId) });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ deliveryId: expect.stringMatching(/^dlv_/), duplicate: false });
    const delivery = await stack.waitForDelivery(res.body.deliveryId);
    expect(delivery).toMatchObject({ state: 'completed', outcome: 'success', attempts: 1 });
    const [issue] = issuesFor(ticketId);
    expect(issue?.fields.summary).toBe('Please add dark mode');
    const ticket = stack.ticket(ticketId);
    expect(ticket.customFields[JIRA_KEY]).toBe(issue?.key);
    expect(ticket.tags).toContain('jira_created');
    expect(ticket.notes.at(-1)).toBe(
      `Created Jira issue ${issue?.key}: ${stack.upstream.baseUrl}/browse/${issue?.key}`,
    );
  });

  it('processes a duplicate delivery once, whether resent as is or retried under the same invocation id', async () => {
    const ticketId = await featureRequest();
    const body = { ticket_id: String(ticketId) };
    const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const invocation = { 'X-Zendesk-Webhook-Invocation-Id': '8350205582' };
    const first = await stack.deliver(WORKFLOW, body, { timestamp, headers: invocation });
    const resent = await stack.deliver(WORKFLOW, body, { timestamp, headers: invocation });
    // Zendesk retrying the same invocation, signed again a second later.
    const later = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const retried = await stack.deliver(WORKFLOW, body, { timestamp: later, headers: invocation });
    expect([first.status, resent.status, retried.status]).toEqual([202, 202, 202]);
    expect(resent.body).toEqual({ deliveryId: first.body.deliveryId, duplicate: true });
    expect(retried.body).toEqual({ deliveryId: first.body.deliveryId, duplicate: true });
    await stack.waitForDelivery(first.body.deliveryId);
    expect(issuesFor(ticketId)).toHaveLength(1);
    expect(
      stack.ticket(ticketId).notes.filter((note) => note.startsWith('Created Jira')),
    ).toHaveLength(1);
  });

  it('retries while Jira is down, then takes the failure path: tag and note, no issue', async () => {
    const ticketId = await featureRequest();
    stack.upstream.setOutage(true, { service: 'jira' });
    const res = await stack.deliver(WORKFLOW, { ticket_id: String(ticketId) });
    const delivery = await stack.waitForDelivery(res.body.deliveryId);
    expect(delivery).toMatchObject({ state: 'completed', outcome: 'failed', attempts: 3 });
    expect(delivery.message).toMatch(/^Step "create_issue" failed \(UPSTREAM_HTTP_ERROR\)/);
    expect(issuesFor(ticketId)).toHaveLength(0);
    const ticket = stack.ticket(ticketId);
    expect(ticket.tags).toContain('jira_failed');
    expect(ticket.tags).not.toContain('jira_created');
    expect(ticket.notes).toEqual([
      expect.stringMatching(/^Creating the Jira issue failed \(UPSTREAM_HTTP_ERROR\): .*503/),
    ]);
  });

  it('takes the fail path when a required value is missing, and names it', async () => {
    const ticketId = await featureRequest();
    const stored = stack.zendesk.store.findTicket(ticketId);
    if (stored) stored.subject = '';
    const res = await stack.deliver(WORKFLOW, { ticket_id: String(ticketId) });
    const delivery = await stack.waitForDelivery(res.body.deliveryId);
    expect(delivery).toMatchObject({
      state: 'completed',
      outcome: 'failed',
      message: 'Required value "subject" (read from ticket.subject, which is empty) is missing.',
    });
    expect(issuesFor(ticketId)).toHaveLength(0);
    const ticket = stack.ticket(ticketId);
    expect(ticket.tags).toContain('jira_failed');
    expect(ticket.notes.at(-1)).toBe(
      'No Jira issue was created: Required value "subject" (read from ticket.subject, which is empty) is missing.',
    );
  });

  it('moves a delivery to the dead letters after its attempts, and an admin re-run completes it', async () => {
    const ticketId = await featureRequest();
    stack.zendesk.faults.enqueue({
      method: 'GET',
      pathPattern: `/tickets/${ticketId}`,
      status: 503,
      headers: { 'Retry-After': '0' },
      body: { error: 'ServiceUnavailable' },
      times: 1000,
    });
    const res = await stack.deliver(WORKFLOW, { ticket_id: String(ticketId) });
    const dead = await stack.waitForDelivery(res.body.deliveryId);
    expect(dead).toMatchObject({
      state: 'dead',
      attempts: 3,
      lastError: { code: 'HELPDESK_UNAVAILABLE' },
    });

    const listed = await request(stack.url)
      .get('/api/admin/deliveries?state=dead')
      .set(stack.adminAuth)
      .expect(200);
    expect(listed.body.deliveries.map((d: { id: string }) => d.id)).toContain(dead.id);
    const logged = await request(stack.url)
      .get(`/api/runs?ticketId=${ticketId}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(logged.body.runs[0]).toMatchObject({
      kind: 'workflow',
      workflowId: WORKFLOW,
      outcome: 'failed',
      errorCode: 'DELIVERY_DEAD',
    });
    expect(logged.body.runs[0]).not.toHaveProperty('connectorId');
    // A connector filter finds connector runs only, never a workflow's entry.
    const byConnector = await request(stack.url)
      .get(`/api/runs?ticketId=${ticketId}&connectorId=${WORKFLOW}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(byConnector.body.runs).toEqual([]);

    stack.zendesk.faults.clear();
    const rerun = await request(stack.url)
      .post(`/api/admin/deliveries/${dead.id}/rerun`)
      .set(stack.adminAuth)
      .expect(202);
    expect(rerun.body.delivery).toMatchObject({ id: dead.id, state: 'queued', attempts: 0 });
    const done = await stack.waitForDelivery(dead.id, (d) => d.state === 'completed');
    expect(done).toMatchObject({ outcome: 'success', attempts: 1 });
    expect(issuesFor(ticketId)).toHaveLength(1);
    const detail = await request(stack.url)
      .get(`/api/admin/deliveries/${dead.id}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(detail.body.steps.map((step: { stepId: string }) => step.stepId)).toEqual([
      'read_ticket',
      'create_issue',
      'after_create',
      'store_key',
    ]);
  });

  it('refuses to re-run a delivery that is not dead', async () => {
    const ticketId = await featureRequest();
    const res = await stack.deliver(WORKFLOW, { ticket_id: String(ticketId) });
    await stack.waitForDelivery(res.body.deliveryId);
    const rerun = await request(stack.url)
      .post(`/api/admin/deliveries/${res.body.deliveryId}/rerun`)
      .set(stack.adminAuth);
    expect(rerun.status).toBe(404);
    expect(rerun.body.error.message).toMatch(/is completed, not dead/);
  });
});
