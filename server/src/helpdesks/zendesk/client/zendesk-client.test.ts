import { MockAgent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeZendesk } from '../../../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../../sandbox/fake-zendesk/fake-zendesk';
import {
  SANDBOX_FIELD_IDS,
  SANDBOX_ORGANIZATION_IDS,
  SANDBOX_USER_IDS,
  SANDBOX_ZENDESK_CREDENTIALS,
} from '../../../sandbox/seed/zendesk-seed';
import type { ZendeskClientOptions } from './zendesk-client';
import { createSandboxZendeskClient } from '../../../test-support/sandbox-zendesk-client';

let fake: RunningFakeZendesk;
let sleeps: number[];

beforeEach(async () => {
  fake = await startFakeZendesk();
  sleeps = [];
});
afterEach(() => fake.close());

function buildClient(overrides: Partial<ZendeskClientOptions> = {}) {
  return createSandboxZendeskClient(fake.baseUrl, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

function storedField(ticketId: number, fieldId: number): unknown {
  return fake.store.findTicket(ticketId)?.custom_fields.find((field) => field.id === fieldId)
    ?.value;
}

function requestsTo(method: string, pathPart: string) {
  return fake.journal.filter((entry) => entry.method === method && entry.path.includes(pathPart));
}

describe('getTicketContext', () => {
  it('loads the ticket with its requester and organization in one request', async () => {
    const result = await buildClient().getTicketContext(1);
    if (!result.ok) throw new Error(result.error.message);
    const context = result.value;
    expect(context.ticket).toMatchObject({
      id: 1,
      subject: 'Where is my order #1001?',
      status: 'open',
      priority: 'normal',
      tags: ['order', 'shipping'],
      brandId: expect.any(Number),
      groupId: expect.any(Number),
    });
    expect(context.ticket.customFields[String(SANDBOX_FIELD_IDS.orderNumber)]).toBe('#1001');
    expect(context.ticket.updatedAt).toBe(fake.store.findTicket(1)?.updated_at);
    expect(context.requester).toEqual({
      id: SANDBOX_USER_IDS.mariaLopez,
      name: 'Maria Lopez',
      email: 'maria@example.com',
    });
    expect(context.organization).toEqual({
      id: SANDBOX_ORGANIZATION_IDS.acmeRetail,
      name: 'Acme Retail',
    });
    expect(context.comment).toBeNull();
    expect(context.raw).toMatchObject({
      id: 1,
      url: expect.stringContaining('/api/v2/tickets/1.json'),
    });
    expect(fake.journal).toHaveLength(1);
    expect(fake.journal[0]?.query).toEqual({ include: 'users,organizations' });
  });

  it('finds a comment that sits on the second page of comments', async () => {
    const result = await buildClient({ commentPageSize: 2 }).getTicketContext(1, {
      commentId: 10000000003,
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.comment).toEqual({
      id: 10000000003,
      body: 'Any update? I need it before the weekend.',
      authorId: SANDBOX_USER_IDS.mariaLopez,
      public: true,
      createdAt: '2026-01-07T09:05:00Z',
    });
    const pages = requestsTo('GET', '/comments');
    expect(pages).toHaveLength(2);
    expect(pages[1]?.query['page[after]']).toEqual(expect.any(String));
  });

  it('reports a comment that is not on the ticket as ZENDESK_NOT_FOUND', async () => {
    const result = await buildClient({ commentPageSize: 2 }).getTicketContext(1, { commentId: 5 });
    expect(result).toMatchObject({ ok: false, error: { code: 'ZENDESK_NOT_FOUND', attempts: 2 } });
  });

  it('maps a missing ticket to ZENDESK_NOT_FOUND with Zendesk’s description', async () => {
    const result = await buildClient().getTicketContext(999);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'ZENDESK_NOT_FOUND', status: 404, attempts: 1 });
    expect(result.error.message).toContain('RecordNotFound: Not found');
  });

  it('maps rejected credentials to ZENDESK_UNAUTHORIZED without echoing them', async () => {
    const secret = 'definitely-wrong-token';
    const result = await buildClient({
      auth: { kind: 'apiToken', email: SANDBOX_ZENDESK_CREDENTIALS.email, apiToken: secret },
    }).getTicketContext(1);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_UNAUTHORIZED', status: 401 },
    });
    if (result.ok) return;
    expect(result.error.message).toContain("Couldn't authenticate you");
    expect(JSON.stringify(result.error)).not.toContain(secret);
    expect(JSON.stringify(result.error)).not.toContain(Buffer.from(secret).toString('base64'));
  });

  it('authenticates with an OAuth access token', async () => {
    const result = await buildClient({
      auth: { kind: 'oauth', accessToken: SANDBOX_ZENDESK_CREDENTIALS.oauthAccessToken },
    }).getTicketContext(2);
    expect(result.ok).toBe(true);
    expect(fake.journal[0]?.authorization).toBe('bearer');
  });

  it('retries a GET after a dropped connection', async () => {
    fake.faults.enqueue({ method: 'GET', resetConnection: true });
    const result = await buildClient().getTicketContext(1);
    expect(result.ok).toBe(true);
    expect(sleeps).toHaveLength(1);
  });

  it('gives up on a GET that keeps failing with ZENDESK_UNAVAILABLE after maxRetries', async () => {
    fake.faults.enqueue({ method: 'GET', status: 502, times: 10 });
    const result = await buildClient({ maxRetries: 2 }).getTicketContext(1);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_UNAVAILABLE', status: 502, attempts: 3 },
    });
    expect(sleeps).toHaveLength(2);
  });

  it('reports a malformed ticket body as ZENDESK_BAD_RESPONSE naming the field', async () => {
    fake.faults.enqueue({ status: 200, body: { ticket: { id: 'one', tags: 'x' } } });
    const result = await buildClient().getTicketContext(1);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_BAD_RESPONSE', status: 200 },
    });
    if (result.ok) return;
    expect(result.error.message).toContain('ticket.id');
  });

  it('reports a body that is not JSON as ZENDESK_BAD_RESPONSE', async () => {
    fake.faults.enqueue({ status: 200, body: '<html>maintenance</html>' });
    const result = await buildClient().getTicketContext(1);
    expect(result).toMatchObject({ ok: false, error: { code: 'ZENDESK_BAD_RESPONSE' } });
  });

  it('turns a slow answer into ZENDESK_UNAVAILABLE once the timeout passes', async () => {
    fake.faults.enqueue({ delayMs: 300 });
    const result = await buildClient({ timeoutMs: 50, maxRetries: 0 }).getTicketContext(1);
    expect(result).toMatchObject({ ok: false, error: { code: 'ZENDESK_UNAVAILABLE' } });
    if (result.ok) return;
    expect(result.error.message).toContain('within 50 ms');
  });

  it('refuses an id that is not a positive integer without calling Zendesk', async () => {
    const result = await buildClient().getTicketContext(-1);
    expect(result).toMatchObject({ ok: false, error: { code: 'ZENDESK_INVALID', attempts: 0 } });
    expect(fake.journal).toHaveLength(0);
  });
});

describe('updateTicket', () => {
  it('writes fields, tags and an internal note in one PUT', async () => {
    const result = await buildClient().updateTicket(1, {
      customFields: [
        { id: SANDBOX_FIELD_IDS.trackingNumber, value: '1Z999AA10123456784' },
        { id: SANDBOX_FIELD_IDS.vip, value: true },
      ],
      status: 'pending',
      additionalTags: ['order_checked'],
      removeTags: ['shipping'],
      internalNote: 'Tracking number added by connector',
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toEqual({
      ticketUpdatedAt: fake.store.findTicket(1)?.updated_at,
      attempts: 1,
    });
    expect(storedField(1, SANDBOX_FIELD_IDS.trackingNumber)).toBe('1Z999AA10123456784');
    expect(storedField(1, SANDBOX_FIELD_IDS.orderNumber)).toBe('#1001');
    expect(fake.store.findTicket(1)?.status).toBe('pending');
    expect(fake.store.findTicket(1)?.tags.toSorted()).toEqual(['order', 'order_checked', 'vip']);
    const note = fake.store.listComments(1).at(-1);
    expect(note).toMatchObject({ body: 'Tracking number added by connector', public: false });
    expect(requestsTo('PUT', '/tickets/1')).toHaveLength(1);
  });

  it('waits as Retry-After asks after a 429 and then succeeds', async () => {
    fake.faults.enqueue({ method: 'PUT', status: 429, headers: { 'Retry-After': '1' } });
    const result = await buildClient().updateTicket(1, { internalNote: 'once' });
    expect(result).toMatchObject({ ok: true, value: { attempts: 2 } });
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(fake.store.listComments(1).filter((comment) => comment.body === 'once')).toHaveLength(1);
  });

  it('returns ZENDESK_RATE_LIMITED when Retry-After is longer than the wait budget', async () => {
    fake.faults.enqueue({ method: 'PUT', status: 429, headers: { 'Retry-After': '60' } });
    const result = await buildClient({ maxRetryWaitMs: 30_000 }).updateTicket(1, {
      status: 'open',
    });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'ZENDESK_RATE_LIMITED',
        status: 429,
        attempts: 1,
        details: { retryAfterMs: 60_000 },
      },
    });
    expect(sleeps).toEqual([]);
  });

  it('does not retry a PUT without safe-update stamp after a 503', async () => {
    fake.faults.enqueue({ method: 'PUT', status: 503 });
    const result = await buildClient().updateTicket(1, { internalNote: 'maybe twice' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_UNAVAILABLE', status: 503, attempts: 1 },
    });
    expect(requestsTo('PUT', '/tickets/1')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a PUT carrying a safe-update stamp after a 503', async () => {
    const stamp = fake.store.findTicket(1)!.updated_at;
    fake.faults.enqueue({ method: 'PUT', status: 503 });
    const result = await buildClient().updateTicket(1, {
      internalNote: 'exactly once',
      safeUpdateStamp: stamp,
    });
    expect(result).toMatchObject({ ok: true, value: { attempts: 2 } });
    expect(requestsTo('PUT', '/tickets/1')).toHaveLength(2);
    expect(requestsTo('PUT', '/tickets/1')[1]?.body).toMatchObject({
      ticket: { safe_update: true, updated_stamp: stamp },
    });
  });

  it('surfaces a safe-update conflict as ZENDESK_CONFLICT without retrying', async () => {
    const stale = fake.store.findTicket(1)!.updated_at;
    await buildClient().updateTicket(1, { status: 'pending' });
    const result = await buildClient().updateTicket(1, {
      internalNote: 'late',
      safeUpdateStamp: stale,
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_CONFLICT', status: 409, attempts: 1 },
    });
    if (result.ok) return;
    expect(result.error.message).toContain('UpdateConflict');
    expect(fake.store.listComments(1).map((comment) => comment.body)).not.toContain('late');
  });

  it('maps a validation failure to ZENDESK_INVALID with Zendesk’s details in the message', async () => {
    const result = await buildClient().updateTicket(1, {
      customFields: [{ id: SANDBOX_FIELD_IDS.orderChannel, value: 'Web' }],
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'ZENDESK_INVALID', status: 422 } });
    if (result.ok) return;
    expect(result.error.message).toContain('Record validation errors');
    expect(result.error.message).toContain('Order channel');
  });
});

describe('other calls', () => {
  it('gets a user', async () => {
    const result = await buildClient().getUser(SANDBOX_USER_IDS.mariaLopez);
    expect(result).toEqual({
      ok: true,
      value: {
        id: SANDBOX_USER_IDS.mariaLopez,
        name: 'Maria Lopez',
        email: 'maria@example.com',
        role: 'end-user',
        organizationId: SANDBOX_ORGANIZATION_IDS.acmeRetail,
        active: true,
        suspended: false,
        ticketRestriction: 'requested',
        customRoleId: null,
        chatOnly: false,
      },
    });
  });

  it("reads a user's groups and organizations across pages", async () => {
    const client = buildClient();
    expect(await client.listUserGroupIds(SANDBOX_USER_IDS.admin)).toEqual({
      ok: true,
      value: [70000000001, 70000000002, 70000000003],
    });
    expect(await client.listUserOrganizationIds(SANDBOX_USER_IDS.oliveOrg)).toEqual({
      ok: true,
      value: [SANDBOX_ORGANIZATION_IDS.globexTrading],
    });
    const pages = requestsTo('GET', '/group_memberships');
    expect(pages[0]?.query).toMatchObject({ 'page[size]': '100' });
  });

  it('reads a group and a custom role', async () => {
    const client = buildClient();
    expect(await client.getGroup(70000000003)).toEqual({
      ok: true,
      value: { id: 70000000003, name: 'VIP', isPublic: false, deleted: false },
    });
    expect(await client.getCustomRole(40000000001)).toMatchObject({
      ok: true,
      value: { roleType: 1, ticketEditing: false, lightAgent: true },
    });
    expect(await client.getGroup(12345)).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_NOT_FOUND' },
    });
  });

  it("fetches the app's public key as text, and refuses an answer that is not a PEM key", async () => {
    const client = buildClient();
    const key = await client.getAppPublicKey(1001);
    expect(key.ok && key.value).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    fake.faults.enqueue({ pathPattern: '/apps/1001/', status: 200, body: { not: 'a key' } });
    expect(await client.getAppPublicKey(1001)).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_BAD_RESPONSE' },
    });
    expect(await client.getAppPublicKey(-1)).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_INVALID' },
    });
  });

  it('lists ticket fields with drop-down options', async () => {
    const result = await buildClient().listTicketFields();
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.find((field) => field.id === SANDBOX_FIELD_IDS.orderChannel)).toEqual({
      id: SANDBOX_FIELD_IDS.orderChannel,
      type: 'tagger',
      title: 'Order channel',
      active: true,
      tag: null,
      options: [
        { name: 'Web', value: 'web' },
        { name: 'Store', value: 'store' },
        { name: 'Phone', value: 'phone' },
      ],
    });
  });

  it('creates a ticket', async () => {
    const result = await buildClient().createTicket({
      subject: 'Follow-up',
      body: 'Created by automation',
      requester: { email: 'maria@example.com' },
      tags: ['automation'],
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(fake.store.findTicket(result.value.ticketId)).toMatchObject({
      subject: 'Follow-up',
      requester_id: SANDBOX_USER_IDS.mariaLopez,
      tags: ['automation'],
    });
  });

  it('never replays a create after a 5xx', async () => {
    fake.faults.enqueue({ method: 'POST', status: 500 });
    const result = await buildClient().createTicket({ subject: 'x', body: 'y' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'ZENDESK_UNAVAILABLE', attempts: 1 },
    });
  });

  it('refuses a base URL that carries credentials', () => {
    expect(() => buildClient({ baseUrl: 'https://user:secret@acme.zendesk.com' })).toThrow(
      /must not hold credentials/,
    );
  });
});

describe('the connection pool', () => {
  it("is the client's own: a global dispatcher set elsewhere in the process is not used", async () => {
    const previous = getGlobalDispatcher();
    // Stands for whatever else registered undici's global dispatcher (a test double, a proxy).
    const refusing = new MockAgent();
    refusing.disableNetConnect();
    setGlobalDispatcher(refusing);
    try {
      const result = await buildClient().getTicketContext(1);
      expect(result.ok).toBe(true);
      expect(requestsTo('GET', '/api/v2/tickets/1.json')).toHaveLength(1);
    } finally {
      setGlobalDispatcher(previous);
      await refusing.close();
    }
  });
});
