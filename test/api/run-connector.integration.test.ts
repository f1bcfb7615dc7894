import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { SANDBOX_SECRETS, startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

const PAYMENT = String(SANDBOX_FIELD_IDS.paymentStatus);
const FULFILLMENT = String(SANDBOX_FIELD_IDS.fulfillmentStatus);
const TRACKING = String(SANDBOX_FIELD_IDS.trackingNumber);
const JIRA_KEY = String(SANDBOX_FIELD_IDS.jiraIssueKey);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.close();
});
// Each test starts from the seeded tickets, so none passes on what an earlier one wrote (a field
// or tag a previous run left) and any order works. Upstream and journal state is kept: tests
// compare against counts and positions they take themselves.
beforeEach(() => {
  stack.zendesk.store.reset();
});
afterEach(() => {
  stack.zendesk.faults.clear();
  stack.upstream.setOutage(false);
});

function run(
  connectorId: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return request(stack.url)
    .post(`/api/connectors/${connectorId}/run`)
    .set(stack.adminAuth)
    .set(headers)
    .send(body);
}

describe('running a connector against a Zendesk ticket', () => {
  it('looks up the order and writes three fields back to the ticket', async () => {
    expect(stack.ticket(1).customFields[PAYMENT] ?? null).toBeNull();
    const res = await run('shopify_order_lookup', { ticketId: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Order #1001: paid, fulfilled.',
      writes: { status: 'written' },
    });
    expect(res.body.outputs).toContainEqual({
      name: 'tracking_number',
      label: 'Tracking number',
      value: '1Z999AA10123456784',
      redacted: false,
    });
    const ticket = stack.ticket(1);
    expect(ticket.customFields[PAYMENT]).toBe('paid');
    expect(ticket.customFields[FULFILLMENT]).toBe('fulfilled');
    expect(ticket.customFields[TRACKING]).toBe('1Z999AA10123456784');
    // The "#" reached the upstream as part of the filter value, not as a URL fragment.
    expect(stack.upstream.journal.at(-1)?.query).toMatchObject({ name: '#1001' });
  });

  it('makes exactly one ticket update per run, guarded by safe_update', async () => {
    const before = stack.zendesk.journal.length;
    await run('shopify_order_lookup', { ticketId: 2 }).expect(200);
    const puts = stack.zendesk.journal.slice(before).filter((entry) => entry.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toMatchObject({ ticket: { safe_update: true } });
  });

  it('takes the empty path when the order does not exist and writes only what that path says', async () => {
    const res = await run('shopify_order_lookup', { ticketId: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'empty', message: 'No Shopify order #9999.' });
    const ticket = stack.ticket(3);
    expect(ticket.tags).toContain('order_not_found');
    expect(ticket.customFields[PAYMENT] ?? null).toBeNull();
    // The run log says which rule made it empty, so an admin can tell a typo from no order.
    const logged = await request(stack.url)
      .get(`/api/runs/${res.body.runId}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(logged.body.run.emptyReason).toBe(
      'response.emptyWhen (length(orders) == `0`) was true for the answer',
    );
  });

  it('follows the fail path when the upstream is down, and logs the run', async () => {
    stack.upstream.setOutage(true, { service: 'shopify', retryAfterSeconds: 1 });
    const res = await run('shopify_order_lookup', { ticketId: 2 });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('failed');
    expect(res.body.error.code).toBe('UPSTREAM_RETRIES_EXHAUSTED');
    expect(res.body.attempts).toBe(3);
    const ticket = stack.ticket(2);
    expect(ticket.tags).toContain('shopify_lookup_failed');
    const logged = await request(stack.url)
      .get(`/api/runs/${res.body.runId}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(logged.body.run).toMatchObject({
      outcome: 'failed',
      errorCode: 'UPSTREAM_RETRIES_EXHAUSTED',
      attempts: 3,
    });
    expect(logged.body.run.writes).toMatchObject({
      status: 'written',
      changes: { additionalTags: ['shopify_lookup_failed'] },
    });
    // "Why did it fail": the admin API finds it by its code, and by no other.
    const byCode = await request(stack.url)
      .get('/api/runs?errorCode=UPSTREAM_RETRIES_EXHAUSTED')
      .set(stack.adminAuth)
      .expect(200);
    expect(byCode.body.runs.map((entry: { id: string }) => entry.id)).toContain(res.body.runId);
    const other = await request(stack.url)
      .get('/api/runs?errorCode=UPSTREAM_TIMEOUT')
      .set(stack.adminAuth)
      .expect(200);
    expect(other.body.runs.map((entry: { id: string }) => entry.id)).not.toContain(res.body.runId);
    await request(stack.url).get('/api/runs?errorCode=timeout').set(stack.adminAuth).expect(400);
  });

  it('refuses a run with a missing required input with a 422 that names it', async () => {
    const res = await run('shopify_order_lookup', { ticketId: 4, surface: 'automation' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INPUT_INVALID');
    expect(res.body.error.details).toContainEqual(
      expect.objectContaining({ input: 'order_number', code: 'INPUT_MISSING' }),
    );
  });

  it('accepts a value the agent typed for a prompt input, and validates it', async () => {
    const bad = await run('shopify_order_lookup', {
      ticketId: 4,
      surface: 'automation',
      inputs: { order_number: '10/01' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]).toMatchObject({
      input: 'order_number',
      code: 'INPUT_INVALID',
    });
    const good = await run('shopify_order_lookup', {
      ticketId: 4,
      surface: 'automation',
      inputs: { order_number: '1002' },
    });
    expect(good.status).toBe(200);
    expect(good.body.outcome).toBe('empty'); // "1002" without "#" is not an order name
  });

  it('refuses a run on a ticket the connector does not apply to', async () => {
    const res = await run('shopify_order_lookup', { ticketId: 4 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CONNECTOR_NOT_APPLICABLE');
  });
});

describe('connectors with side effects', () => {
  it('refuses to run until the request says it is confirmed', async () => {
    const created = stack.upstream.createdIssues.length;
    const res = await run('jira_create_issue', { ticketId: 4 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(stack.upstream.createdIssues).toHaveLength(created);
  });

  it('a dry run shows the outputs and the writes without touching the ticket', async () => {
    const before = stack.ticket(4);
    const res = await run('jira_create_issue', { ticketId: 4, confirmed: true, dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'success',
      dryRun: true,
      writes: { status: 'skipped' },
    });
    expect(res.body.writes.changes.customFields).toEqual([
      { id: Number(JIRA_KEY), value: expect.stringMatching(/^SUP-\d+$/) },
    ]);
    expect(stack.ticket(4)).toEqual(before);
  });

  it('creates the issue once, stores its key and adds an internal note', async () => {
    const created = stack.upstream.createdIssues.length;
    const res = await run('jira_create_issue', { ticketId: 4, confirmed: true });
    expect(res.status).toBe(200);
    expect(stack.upstream.createdIssues).toHaveLength(created + 1);
    expect(res.body.outcome).toBe('success');
    const key = res.body.outputs.find(
      (output: { name: string }) => output.name === 'issue_key',
    ).value;
    const ticket = stack.ticket(4);
    expect(ticket.customFields[JIRA_KEY]).toBe(key);
    expect(ticket.tags).toContain('jira_created');
    expect(ticket.notes.at(-1)).toContain(`Created Jira issue ${key}`);
    const issue = stack.upstream.createdIssues.at(-1);
    expect(issue?.fields).toMatchObject({ labels: ['helpdesk', 'zendesk-4'] });
  });

  it('replays the first result for a repeated Idempotency-Key instead of calling Jira again', async () => {
    const created = stack.upstream.createdIssues.length;
    const headers = { 'Idempotency-Key': 'double-click-0001' };
    const first = await run('jira_create_issue', { ticketId: 4, confirmed: true }, headers);
    const second = await run('jira_create_issue', { ticketId: 4, confirmed: true }, headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.replayed).toBe(true);
    expect(second.body.runId).toBe(first.body.runId);
    expect(stack.upstream.createdIssues.length).toBe(created + 1);
  });

  it('refuses an Idempotency-Key reused for a different request', async () => {
    const headers = { 'Idempotency-Key': 'reused-key-0002' };
    await run('jira_create_issue', { ticketId: 4, confirmed: true, dryRun: true }, headers).expect(
      200,
    );
    const res = await run('jira_create_issue', { ticketId: 4, confirmed: true }, headers);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('does not retry a POST on 503, follows the fail path, and says what happened on the ticket', async () => {
    stack.upstream.setOutage(true, { service: 'jira' });
    const created = stack.upstream.createdIssues.length;
    const res = await run('jira_create_issue', { ticketId: 4, confirmed: true });
    expect(res.body.outcome).toBe('failed');
    expect(res.body.attempts).toBe(1);
    expect(stack.upstream.createdIssues.length).toBe(created);
    const ticket = stack.ticket(4);
    expect(ticket.tags).toContain('jira_failed');
    expect(ticket.notes.at(-1)).toMatch(/^Creating the Jira issue failed \(UPSTREAM_HTTP_ERROR\)/);
  });
});

function listConnectors(ticketId: number) {
  return request(stack.url)
    .get('/api/connectors')
    .query({ ticketId })
    .set(stack.adminAuth)
    .expect(200)
    .then((res) => res.body.connectors as { id: string; lastSuccess?: unknown }[]);
}

describe('already done stays done', () => {
  it('links to the issue it created, and is no longer offered once the ticket says so', async () => {
    expect((await listConnectors(4)).map((c) => c.id)).toContain('jira_create_issue');
    const res = await run('jira_create_issue', { ticketId: 4, confirmed: true });
    expect(res.status).toBe(200);
    const key = stack.upstream.createdIssues.at(-1)?.key;
    expect(res.body.link).toEqual({
      label: key,
      url: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/(.*/)?browse/${key}$`)),
    });
    // The shipped example guards itself: the write-back tags the ticket jira_created, and
    // `tagsNone: ["jira_created"]` takes it off the list.
    expect(stack.ticket(4).tags).toContain('jira_created');
    expect((await listConnectors(4)).map((c) => c.id)).not.toContain('jira_create_issue');
  });

  it('says when a connector with side effects already succeeded here, with a link to what it made', async () => {
    const before = (await listConnectors(6)).find((c) => c.id === 'jira_issue_from_comment');
    expect(before).toMatchObject({ sideEffects: true, lastSuccess: null });
    const res = await run('jira_issue_from_comment', {
      ticketId: 6,
      commentId: 10000000008,
      confirmed: true,
    });
    expect(res.body.outcome).toBe('success');
    const after = (await listConnectors(6)).find((c) => c.id === 'jira_issue_from_comment');
    expect(after?.lastSuccess).toEqual({
      runId: res.body.runId,
      message: res.body.message,
      startedAt: expect.any(String),
      // The admin token names nobody; an agent's run carries the agent's name.
      actorName: null,
      link: res.body.link,
    });
    // A lookup (GET) has no "already done": running it again changes nothing.
    const lookup = (await listConnectors(1)).find((c) => c.id === 'shopify_order_lookup');
    expect(lookup).toMatchObject({ sideEffects: false, lastSuccess: null });
  });
});

describe('running on one comment', () => {
  it('sends the chosen comment as the input and records it on the run', async () => {
    const created = stack.upstream.createdIssues.length;
    const res = await run('jira_issue_from_comment', {
      ticketId: 1,
      commentId: 10000000001,
      confirmed: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('success');
    expect(stack.upstream.createdIssues).toHaveLength(created + 1);
    const issue = stack.upstream.createdIssues.at(-1);
    expect(JSON.stringify(issue?.fields.description)).toContain(
      'I ordered a week ago (order #1001)',
    );
    const logged = await request(stack.url)
      .get(`/api/runs/${res.body.runId}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(logged.body.run.target).toMatchObject({ id: '1', commentId: '10000000001' });
  });

  it('answers 404 for a comment the ticket does not have, and 422 when no comment is named', async () => {
    const missing = await run('jira_issue_from_comment', {
      ticketId: 1,
      commentId: 10000000006,
      confirmed: true,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('COMMENT_NOT_FOUND');
    const none = await run('jira_issue_from_comment', { ticketId: 1, confirmed: true });
    expect(none.status).toBe(422);
    expect(none.body.error.details[0]).toMatchObject({ input: 'comment', code: 'INPUT_MISSING' });
  });
});

describe('write-back to Zendesk', () => {
  it('retries a 429 from Zendesk after the Retry-After it asks for', async () => {
    stack.zendesk.faults.enqueue({
      method: 'PUT',
      pathPattern: '/tickets/2',
      status: 429,
      headers: { 'Retry-After': '2' },
      body: { error: 'APIRateLimitExceeded', description: 'Rate limit exceeded' },
    });
    stack.sleeps.length = 0;
    const res = await run('shopify_order_lookup', { ticketId: 2 });
    expect(res.body).toMatchObject({ outcome: 'success', writes: { status: 'written' } });
    expect(stack.sleeps.some((ms) => ms >= 2000)).toBe(true);
    expect(stack.zendesk.faults.pending()).toBe(0);
  });

  it('reports a failed write-back as exactly that, with the outputs, and logs it', async () => {
    stack.zendesk.faults.enqueue({
      method: 'PUT',
      pathPattern: '/tickets/1',
      status: 422,
      times: 5,
      body: {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { base: [{ description: 'Ticket is closed' }] },
      },
    });
    const res = await run('shopify_order_lookup', { ticketId: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      upstreamOutcome: 'success',
      error: { code: 'WRITE_BACK_FAILED' },
      writes: { status: 'failed', error: { code: 'WRITE_BACK_REJECTED' } },
    });
    expect(res.body.error.message).toMatch(
      /external call succeeded, but the ticket was not updated/,
    );
    expect(res.body.outputs.length).toBeGreaterThan(0);
    const logged = await request(stack.url)
      .get(`/api/runs/${res.body.runId}`)
      .set(stack.adminAuth)
      .expect(200);
    expect(logged.body.run).toMatchObject({ outcome: 'failed', errorCode: 'WRITE_BACK_FAILED' });
  });

  it('does not add the internal note twice when the answer to a write-back is lost', async () => {
    const notesBefore = stack.ticket(4).notes.length;
    const journalBefore = stack.zendesk.journal.length;
    stack.zendesk.faults.enqueue({ method: 'PUT', pathPattern: '/tickets/4', loseResponse: true });
    const res = await run('jira_create_issue', { ticketId: 4, confirmed: true });
    expect(res.body).toMatchObject({ outcome: 'success', writes: { status: 'written' } });
    const ticket = stack.ticket(4);
    expect(ticket.notes.length).toBe(notesBefore + 1);
    const puts = stack.zendesk.journal
      .slice(journalBefore)
      .filter((entry) => entry.method === 'PUT');
    expect(puts.map((entry) => entry.path)).toEqual([
      '/api/v2/tickets/4.json',
      '/api/v2/tickets/4.json',
    ]);
  });

  it('answers 404 for a ticket Zendesk does not have', async () => {
    const res = await run('shopify_order_lookup', { ticketId: 999999 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('TICKET_NOT_FOUND');
  });
});

describe('secrets', () => {
  it('never appear in responses, the run log or the server log', async () => {
    const responses = [
      await run('shopify_order_lookup', { ticketId: 1 }),
      await run('jira_create_issue', { ticketId: 4, confirmed: true }),
      await request(stack.url).get('/api/runs?limit=100').set(stack.adminAuth),
    ];
    const everything = [...responses.map((res) => res.text), ...stack.logLines].join('\n');
    for (const value of Object.values(SANDBOX_SECRETS)) {
      expect(everything).not.toContain(value);
      expect(everything).not.toContain(Buffer.from(value).toString('base64'));
    }
  });
});
