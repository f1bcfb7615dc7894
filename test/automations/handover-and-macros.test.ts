import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS, SANDBOX_GROUP_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { startAutomationStack } from './support/start-automation-stack';
import type { AutomationStack } from './support/start-automation-stack';
import { useStack } from '../support/use-stack';
import { ESCALATE_TO_ENGINEERING_VIEW, stepOutcomes } from '../support/macro-answers';

const JIRA_KEY = String(SANDBOX_FIELD_IDS.jiraIssueKey);

const stack: AutomationStack = useStack(
  () => startAutomationStack(),
  (s) => s.upstream.setOutage(false),
);

describe('the handover_to_email_team workflow', () => {
  it('creates a ticket for the email team with the conversation, and notes its number on the original', async () => {
    const ticketId = await stack.createTicket({
      subject: 'Refund for a damaged parcel',
      description: 'The parcel arrived crushed.',
      tags: ['handover_email'],
    });
    const res = await stack.deliver('handover_to_email_team', {
      ticket_id: String(ticketId),
      conversation: 'Customer: it arrived crushed.\nAgent: sorry, we will sort it out by email.',
    });
    expect(res.status).toBe(202);
    const delivery = await stack.waitForDelivery(res.body.deliveryId);
    expect(delivery).toMatchObject({ state: 'completed', outcome: 'success' });

    const original = stack.ticket(ticketId);
    const match = /^Handed over to the email team as ticket #(\d+)\.$/.exec(
      original.notes.at(-1) ?? '',
    );
    expect(match).not.toBeNull();
    expect(original.tags).toContain('handed_over');
    const followupId = Number(match?.[1]);
    const followup = stack.ticket(followupId);
    expect(followup.subject).toBe('Email follow-up: Refund for a damaged parcel');
    expect(followup.groupId).toBe(SANDBOX_GROUP_IDS.escalations);
    expect(followup.notes[0]).toContain(`Handed over from ticket #${ticketId}`);
    expect(followup.notes[0]).toContain('The parcel arrived crushed.');
    expect(followup.notes[0]).toContain('Agent: sorry, we will sort it out by email.');
  });
});

describe('the escalate_to_engineering macro', () => {
  it('is listed for a ticket, with confirmation because it creates an issue', async () => {
    const ticketId = await stack.createTicket({ subject: 'Checkout crashes', tags: ['bug'] });
    const res = await request(stack.url)
      .get(`/api/macros?ticketId=${ticketId}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(res.body.macros).toEqual([ESCALATE_TO_ENGINEERING_VIEW]);
  });

  it('refuses to run unconfirmed, then creates the issue, writes the key, tags and notes the ticket', async () => {
    const ticketId = await stack.createTicket({
      subject: 'Checkout crashes on Safari',
      tags: ['bug'],
    });
    const issuesBefore = stack.upstream.createdIssues.length;
    const unconfirmed = await request(stack.url)
      .post('/api/macros/escalate_to_engineering/run')
      .set(stack.adminAuth)
      .send({ ticketId });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(stack.upstream.createdIssues.length).toBe(issuesBefore);

    const res = await request(stack.url)
      .post('/api/macros/escalate_to_engineering/run')
      .set(stack.adminAuth)
      .send({ ticketId, confirmed: true })
      .expect(200);
    const key = stack.upstream.createdIssues.at(-1)?.key;
    expect(res.body).toMatchObject({ macroId: 'escalate_to_engineering', outcome: 'success' });
    expect(stepOutcomes(res.body)).toEqual([
      ['create_issue', 'success'],
      ['after_create', 'success'],
      ['write_key', 'success'],
      ['add_tag', 'success'],
      ['add_note', 'success'],
    ]);
    const ticket = stack.ticket(ticketId);
    expect(ticket.customFields[JIRA_KEY]).toBe(key);
    expect(ticket.tags).toContain('escalated_to_engineering');
    expect(ticket.notes.at(-1)).toBe(`Escalated to engineering as Jira issue ${key}.`);

    // Escalated tickets no longer offer it (appliesWhen: tagsNone).
    const listed = await request(stack.url)
      .get(`/api/macros?ticketId=${ticketId}`)
      .set(stack.adminAuth);
    expect(listed.body.macros).toEqual([]);
  });

  it('is not offered on a ticket that is neither a feature request nor a bug', async () => {
    const ticketId = await stack.createTicket({ subject: 'Where is my parcel?', tags: ['order'] });
    const listed = await request(stack.url)
      .get(`/api/macros?ticketId=${ticketId}`)
      .set(stack.adminAuth);
    expect(listed.status).toBe(200);
    expect(listed.body.macros).toEqual([]);
  });

  it('reports the failure path at once when Jira is down (a macro does not retry)', async () => {
    const ticketId = await stack.createTicket({ subject: 'Search is slow', tags: ['bug'] });
    stack.upstream.setOutage(true, { service: 'jira' });
    const res = await request(stack.url)
      .post('/api/macros/escalate_to_engineering/run')
      .set(stack.adminAuth)
      .send({ ticketId, confirmed: true })
      .expect(200);
    expect(res.body).toMatchObject({ outcome: 'failed' });
    expect(res.body.message).toMatch(/^Step "create_issue" failed \(UPSTREAM_HTTP_ERROR\)/);
    expect(stack.ticket(ticketId).notes.at(-1)).toMatch(
      /^Escalation to engineering failed \(UPSTREAM_HTTP_ERROR\)/,
    );
  });

  it('answers 404 for an unknown macro', async () => {
    const res = await request(stack.url)
      .post('/api/macros/nope/run')
      .set(stack.adminAuth)
      .send({ ticketId: 1, confirmed: true });
    expect(res.status).toBe(404);
  });
});
