import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callFakeZendesk, SANDBOX_ZENDESK_BASIC } from '../../test-support/fake-zendesk-calls';
import {
  SANDBOX_FIELD_IDS,
  SANDBOX_USER_IDS,
  SANDBOX_ZENDESK_CREDENTIALS,
} from '../seed/zendesk-seed';
import { SANDBOX_ZENDESK_OAUTH_CLIENT, createFakeZendesk, startFakeZendesk } from './fake-zendesk';
import type { FakeZendeskOptions, RunningFakeZendesk } from './fake-zendesk';

let fake: RunningFakeZendesk;

async function start(options: FakeZendeskOptions = {}): Promise<void> {
  fake = await startFakeZendesk(options);
}

const call = (method: string, path: string, body?: unknown, authorization?: string | null) =>
  callFakeZendesk(fake.baseUrl, method, path, body, authorization);

function fieldValue(ticket: { custom_fields: { id: number; value: unknown }[] }, id: number) {
  return ticket.custom_fields.find((field) => field.id === id)?.value;
}

afterEach(async () => {
  await fake?.close();
});

describe('show ticket', () => {
  beforeEach(() => start());

  it('returns the ticket in Zendesk shape, with and without the .json suffix', async () => {
    const withSuffix = await call('GET', '/api/v2/tickets/1.json');
    const without = await call('GET', '/api/v2/tickets/1');
    expect(withSuffix.status).toBe(200);
    expect(without.json).toEqual(withSuffix.json);
    const ticket = withSuffix.json.ticket;
    expect(ticket).toMatchObject({
      id: 1,
      url: `${fake.baseUrl}/api/v2/tickets/1.json`,
      subject: 'Where is my order #1001?',
      raw_subject: 'Where is my order #1001?',
      status: 'open',
      priority: 'normal',
      requester_id: SANDBOX_USER_IDS.mariaLopez,
      tags: ['order', 'shipping'],
    });
    for (const key of [
      'external_id',
      'type',
      'description',
      'recipient',
      'submitter_id',
      'assignee_id',
      'organization_id',
      'group_id',
      'brand_id',
      'collaborator_ids',
      'follower_ids',
      'ticket_form_id',
      'via',
    ]) {
      expect(ticket).toHaveProperty(key);
    }
    expect(ticket.brand_id).toEqual(expect.any(Number));
    expect(ticket.group_id).toEqual(expect.any(Number));
    expect(fieldValue(ticket, SANDBOX_FIELD_IDS.orderNumber)).toBe('#1001');
    expect(ticket.fields).toEqual(ticket.custom_fields);
    expect(ticket.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(ticket.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(withSuffix.headers.get('x-rate-limit')).toBe('2500');
    expect(withSuffix.headers.get('x-rate-limit-remaining')).toBe('2499');
  });

  it('side-loads the requester, organization and group when asked', async () => {
    const { json } = await call('GET', '/api/v2/tickets/1.json?include=users,organizations,groups');
    const requester = json.users.find(
      (user: { id: number }) => user.id === json.ticket.requester_id,
    );
    expect(requester).toMatchObject({ name: 'Maria Lopez', email: 'maria@example.com' });
    expect(json.organizations).toEqual([
      expect.objectContaining({ id: json.ticket.organization_id, name: 'Acme Retail' }),
    ]);
    expect(json.groups).toEqual([expect.objectContaining({ id: json.ticket.group_id })]);
  });

  it('leaves side-loads out unless included', async () => {
    const { json } = await call('GET', '/api/v2/tickets/1.json');
    expect(Object.keys(json)).toEqual(['ticket']);
  });

  it('answers 404 RecordNotFound for a missing ticket and a non-numeric id', async () => {
    for (const path of ['/api/v2/tickets/999.json', '/api/v2/tickets/abc']) {
      const { status, json } = await call('GET', path);
      expect(status).toBe(404);
      expect(json).toEqual({ error: 'RecordNotFound', description: 'Not found' });
    }
  });

  it('works when mounted under a prefix, with urls that include it', async () => {
    const server = express();
    server.use('/sandbox/zendesk', createFakeZendesk().app);
    const response = await request(server)
      .get('/sandbox/zendesk/api/v2/tickets/2.json')
      .set('Authorization', SANDBOX_ZENDESK_BASIC);
    expect(response.status).toBe(200);
    expect(response.body.ticket.url).toMatch(/\/sandbox\/zendesk\/api\/v2\/tickets\/2\.json$/);
  });
});

describe('authentication', () => {
  beforeEach(() => start());

  it('answers 401 without credentials or with a wrong token', async () => {
    const wrong = `Basic ${Buffer.from(`${SANDBOX_ZENDESK_CREDENTIALS.email}/token:nope`).toString('base64')}`;
    for (const authorization of [null, wrong, 'Bearer nope']) {
      const { status, json } = await call(
        'GET',
        '/api/v2/tickets/1.json',
        undefined,
        authorization,
      );
      expect(status).toBe(401);
      expect(json).toEqual({ error: "Couldn't authenticate you" });
    }
  });

  it('accepts an OAuth bearer token and reports the API user as me', async () => {
    const { status, json } = await call(
      'GET',
      '/api/v2/users/me.json',
      undefined,
      `Bearer ${SANDBOX_ZENDESK_CREDENTIALS.oauthAccessToken}`,
    );
    expect(status).toBe(200);
    expect(json.user).toMatchObject({ email: 'admin@sandbox.local', role: 'admin' });
  });

  it('refuses password authentication (no /token suffix)', async () => {
    const password = `Basic ${Buffer.from(`admin@sandbox.local:${SANDBOX_ZENDESK_CREDENTIALS.apiToken}`).toString('base64')}`;
    expect((await call('GET', '/api/v2/users/me', undefined, password)).status).toBe(401);
  });
});

describe('update ticket', () => {
  beforeEach(() => start());

  it('changes only the listed custom fields and bumps updated_at', async () => {
    const before = (await call('GET', '/api/v2/tickets/1.json')).json.ticket;
    const { status, json } = await call('PUT', '/api/v2/tickets/1.json', {
      ticket: {
        custom_fields: [
          { id: SANDBOX_FIELD_IDS.trackingNumber, value: '1Z999AA10123456784' },
          { id: SANDBOX_FIELD_IDS.vip, value: true },
        ],
        status: 'pending',
        priority: 'high',
        type: 'incident',
      },
    });
    expect(status).toBe(200);
    expect(json.audit.events).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Change', field_name: 'status' })]),
    );
    const after = (await call('GET', '/api/v2/tickets/1.json')).json.ticket;
    expect(fieldValue(after, SANDBOX_FIELD_IDS.trackingNumber)).toBe('1Z999AA10123456784');
    expect(fieldValue(after, SANDBOX_FIELD_IDS.vip)).toBe(true);
    expect(fieldValue(after, SANDBOX_FIELD_IDS.orderNumber)).toBe('#1001');
    expect(after).toMatchObject({ status: 'pending', priority: 'high', type: 'incident' });
    expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    expect(json.ticket).toEqual(after);
  });

  it('rejects wrongly typed custom field values with 422 and changes nothing', async () => {
    const cases = [
      { id: SANDBOX_FIELD_IDS.vip, value: 'yes' },
      { id: SANDBOX_FIELD_IDS.orderChannel, value: 'Web' },
      { id: SANDBOX_FIELD_IDS.trackingNumber, value: 42 },
      { id: 123, value: 'x' },
    ];
    for (const field of cases) {
      const { status, json } = await call('PUT', '/api/v2/tickets/1.json', {
        ticket: { custom_fields: [{ id: SANDBOX_FIELD_IDS.jiraIssueKey, value: 'SUP-9' }, field] },
      });
      expect(status).toBe(422);
      expect(json).toMatchObject({
        error: 'RecordInvalid',
        description: 'Record validation errors',
      });
      expect(json.details.base[0].description).toEqual(expect.any(String));
    }
    const after = (await call('GET', '/api/v2/tickets/1.json')).json.ticket;
    expect(fieldValue(after, SANDBOX_FIELD_IDS.jiraIssueKey)).toBeNull();
  });

  it('rejects an invalid status with 422 naming the status', async () => {
    const { status, json } = await call('PUT', '/api/v2/tickets/1', { ticket: { status: 'done' } });
    expect(status).toBe(422);
    expect(Object.keys(json.details)).toEqual(['status']);
  });

  it('stores a drop-down option by its tag value and adds that tag', async () => {
    await call('PUT', '/api/v2/tickets/2.json', {
      ticket: { custom_fields: [{ id: SANDBOX_FIELD_IDS.orderChannel, value: 'web' }] },
    });
    await call('PUT', '/api/v2/tickets/2.json', {
      ticket: { custom_fields: [{ id: SANDBOX_FIELD_IDS.orderChannel, value: 'phone' }] },
    });
    const ticket = (await call('GET', '/api/v2/tickets/2.json')).json.ticket;
    expect(fieldValue(ticket, SANDBOX_FIELD_IDS.orderChannel)).toBe('phone');
    expect(ticket.tags).toEqual(['order', 'phone']);
  });

  it('accepts dates only as YYYY-MM-DD', async () => {
    const { store } = fake;
    store.data.ticket_fields.push({
      ...store.data.ticket_fields.find((field) => field.id === SANDBOX_FIELD_IDS.orderNumber)!,
      id: 360001000099,
      type: 'date',
      title: 'Due date',
    });
    const bad = await call('PUT', '/api/v2/tickets/1.json', {
      ticket: { custom_fields: [{ id: 360001000099, value: '05/01/2026' }] },
    });
    const good = await call('PUT', '/api/v2/tickets/1.json', {
      ticket: { custom_fields: [{ id: 360001000099, value: '2026-01-05' }] },
    });
    expect([bad.status, good.status]).toEqual([422, 200]);
  });

  it('adds and removes tags without overwriting, and replaces them with tags', async () => {
    await call('PUT', '/api/v2/tickets/1.json', {
      ticket: { additional_tags: ['jira_created', 'order'], remove_tags: ['shipping'] },
    });
    expect((await call('GET', '/api/v2/tickets/1.json')).json.ticket.tags).toEqual([
      'order',
      'jira_created',
    ]);
    await call('PUT', '/api/v2/tickets/1.json', { ticket: { tags: ['only_this'] } });
    expect((await call('GET', '/api/v2/tickets/1.json')).json.ticket.tags).toEqual(['only_this']);
  });

  it('creates an internal note authored by the API user for a private comment', async () => {
    const { status, json } = await call('PUT', '/api/v2/tickets/1.json', {
      ticket: { comment: { body: 'Order #1001 shipped <UPS>', public: false } },
    });
    expect(status).toBe(200);
    expect(json.audit.events[0]).toMatchObject({ type: 'Comment', public: false });
    const comments = (await call('GET', '/api/v2/tickets/1/comments.json')).json.comments;
    const note = comments.at(-1);
    expect(note).toMatchObject({
      body: 'Order #1001 shipped <UPS>',
      public: false,
      author_id: SANDBOX_USER_IDS.admin,
    });
    expect(note.html_body).toContain('&lt;UPS&gt;');
  });

  it('refuses a stale updated_stamp with safe_update (409) and accepts the current one', async () => {
    const current = (await call('GET', '/api/v2/tickets/1.json')).json.ticket.updated_at;
    const first = await call('PUT', '/api/v2/tickets/1.json', {
      ticket: { status: 'pending', safe_update: true, updated_stamp: current },
    });
    expect(first.status).toBe(200);
    const stale = await call('PUT', '/api/v2/tickets/1.json', {
      ticket: {
        comment: { body: 'again', public: false },
        safe_update: true,
        updated_stamp: current,
      },
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ error: 'UpdateConflict' });
    expect(stale.json.description).toMatch(/outdated ticket data/);
    const comments = (await call('GET', '/api/v2/tickets/1/comments.json')).json.comments;
    expect(comments.map((comment: { body: string }) => comment.body)).not.toContain('again');
  });

  it('answers 400 for malformed JSON and for a body without ticket', async () => {
    const malformed = await call('PUT', '/api/v2/tickets/1.json', '{"ticket": ');
    expect(malformed.status).toBe(400);
    const missing = await call('PUT', '/api/v2/tickets/1.json', { status: 'open' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('ParameterMissing');
  });

  it('answers 404 when updating a missing ticket', async () => {
    const { status, json } = await call('PUT', '/api/v2/tickets/404.json', { ticket: {} });
    expect(status).toBe(404);
    expect(json.error).toBe('RecordNotFound');
  });
});

describe('create ticket', () => {
  beforeEach(() => start());

  it('creates a ticket with its first comment and a new requester (201 + Location)', async () => {
    const { status, headers, json } = await call('POST', '/api/v2/tickets.json', {
      ticket: {
        subject: 'Printer on fire',
        comment: { body: 'The smoke is very colorful.' },
        requester: { name: 'Nia Noor', email: 'nia@example.com' },
        tags: ['printer'],
        custom_fields: [{ id: SANDBOX_FIELD_IDS.orderNumber, value: '#2001' }],
      },
    });
    expect(status).toBe(201);
    expect(headers.get('location')).toBe(json.ticket.url);
    // The next id after the seed's six tickets.
    expect(json.ticket).toMatchObject({ id: 7, subject: 'Printer on fire', status: 'new' });
    expect(json.ticket.description).toBe('The smoke is very colorful.');
    const requester = (await call('GET', `/api/v2/users/${json.ticket.requester_id}.json`)).json
      .user;
    expect(requester).toMatchObject({ name: 'Nia Noor', role: 'end-user' });
  });

  it('requires a comment', async () => {
    const { status } = await call('POST', '/api/v2/tickets.json', { ticket: { subject: 'x' } });
    expect(status).toBe(422);
  });

  it('answers a repeated Idempotency-Key with the first ticket (x-idempotency-lookup hit)', async () => {
    const create = (key: string) =>
      fetch(`${fake.baseUrl}/api/v2/tickets.json`, {
        method: 'POST',
        headers: {
          Authorization: SANDBOX_ZENDESK_BASIC,
          'Content-Type': 'application/json',
          'Idempotency-Key': key,
        },
        body: JSON.stringify({ ticket: { subject: 'Hand-over', comment: { body: 'From CRM' } } }),
      });
    const first = await create('handover-1');
    const again = await create('handover-1');
    const other = await create('handover-2');
    expect(first.headers.get('x-idempotency-lookup')).toBe('miss');
    expect(again.headers.get('x-idempotency-lookup')).toBe('hit');
    const [a, b, c] = (await Promise.all([first.json(), again.json(), other.json()])) as {
      ticket: { id: number };
    }[];
    expect(b?.ticket.id).toBe(a?.ticket.id);
    expect(c?.ticket.id).not.toBe(a?.ticket.id);
  });
});

describe('comments pagination', () => {
  beforeEach(() => start());

  it('pages with page[size] and follows after_cursor to the end', async () => {
    const first = await call('GET', '/api/v2/tickets/1/comments.json?page[size]=2');
    expect(first.json.comments).toHaveLength(2);
    expect(first.json.meta.has_more).toBe(true);
    expect(first.json.links.next).toContain('page[after]=');
    const second = await call(
      'GET',
      `/api/v2/tickets/1/comments.json?page[size]=2&page[after]=${first.json.meta.after_cursor}`,
    );
    expect(second.json.comments).toHaveLength(1);
    expect(second.json.meta.has_more).toBe(false);
    expect(second.json.links.next).toBeNull();
    const ids = [...first.json.comments, ...second.json.comments].map((c: { id: number }) => c.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('uses offset pagination without page[size]', async () => {
    const { json } = await call('GET', '/api/v2/tickets/1/comments');
    expect(json).toMatchObject({ count: 3, next_page: null, previous_page: null });
  });
});

describe('other resources', () => {
  beforeEach(() => start());

  it('lists ticket fields with the sandbox custom fields and options', async () => {
    const { json } = await call('GET', '/api/v2/ticket_fields.json');
    const channel = json.ticket_fields.find(
      (field: { id: number }) => field.id === SANDBOX_FIELD_IDS.orderChannel,
    );
    expect(channel).toMatchObject({ type: 'tagger', title: 'Order channel' });
    expect(channel.custom_field_options.map((option: { value: string }) => option.value)).toEqual([
      'web',
      'store',
      'phone',
    ]);
    const single = await call('GET', `/api/v2/ticket_fields/${SANDBOX_FIELD_IDS.vip}`);
    expect(single.json.ticket_field).toMatchObject({ type: 'checkbox', title: 'VIP' });
  });

  it('shows users and organizations', async () => {
    const user = await call('GET', `/api/v2/users/${SANDBOX_USER_IDS.mariaLopez}.json`);
    expect(user.json.user).toMatchObject({ email: 'maria@example.com' });
    const organization = await call(
      'GET',
      `/api/v2/organizations/${user.json.user.organization_id}`,
    );
    expect(organization.json.organization.name).toBe('Acme Retail');
  });

  it('answers unknown endpoints with 404', async () => {
    expect((await call('GET', '/api/v2/macros.json')).status).toBe(404);
  });

  it("lists a user's group and organization memberships, paged like every list", async () => {
    const groups = await call(
      'GET',
      `/api/v2/users/${SANDBOX_USER_IDS.admin}/group_memberships.json?page[size]=2`,
    );
    expect(groups.json.group_memberships).toHaveLength(2);
    expect(groups.json.group_memberships[0]).toMatchObject({
      user_id: SANDBOX_USER_IDS.admin,
      default: true,
      url: expect.stringContaining('/api/v2/group_memberships/'),
    });
    expect(groups.json.meta.has_more).toBe(true);
    const rest = await call(
      'GET',
      `/api/v2/users/${SANDBOX_USER_IDS.admin}/group_memberships.json?page[size]=2&page[after]=${groups.json.meta.after_cursor}`,
    );
    expect(rest.json.group_memberships).toHaveLength(1);
    const orgs = await call(
      'GET',
      `/api/v2/users/${SANDBOX_USER_IDS.oliveOrg}/organization_memberships.json`,
    );
    expect(orgs.json.organization_memberships).toEqual([
      expect.objectContaining({
        organization_id: 80000000002,
        organization_name: 'Globex Trading',
      }),
    ]);
    expect((await call('GET', '/api/v2/users/42/group_memberships.json')).status).toBe(404);
  });

  it("shows a user's access attributes: restriction, custom role", async () => {
    const riley = await call('GET', `/api/v2/users/${SANDBOX_USER_IDS.rileyRestricted}.json`);
    expect(riley.json.user).toMatchObject({
      role: 'agent',
      ticket_restriction: 'groups',
      restricted_agent: true,
    });
    const lee = await call('GET', `/api/v2/users/${SANDBOX_USER_IDS.leeLight}.json`);
    expect(lee.json.user.custom_role_id).toBe(40000000001);
  });

  it('shows groups, private ones included', async () => {
    const vip = await call('GET', '/api/v2/groups/70000000003.json');
    expect(vip.json.group).toMatchObject({ name: 'VIP', is_public: false });
    expect((await call('GET', '/api/v2/groups/1.json')).status).toBe(404);
  });

  it('shows a custom role to an admin only (Custom Agent Roles API)', async () => {
    const role = await call('GET', '/api/v2/custom_roles/40000000001.json');
    expect(role.json.custom_role).toMatchObject({
      role_type: 1,
      configuration: { light_agent: true, ticket_editing: false },
    });
    fake.store.data.users.find((user) => user.email === SANDBOX_ZENDESK_CREDENTIALS.email)!.role =
      'agent';
    const refused = await call('GET', '/api/v2/custom_roles/40000000001.json');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: 'Forbidden' });
  });

  it("serves the installed app's public key as PEM, and 404 for another app", async () => {
    const response = await fetch(`${fake.baseUrl}/api/v2/apps/1001/public_key.pem`, {
      headers: { Authorization: SANDBOX_ZENDESK_BASIC },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-pem-file');
    expect(await response.text()).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/,
    );
    expect((await call('GET', '/api/v2/apps/1002/public_key.pem')).status).toBe(404);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once the per-minute budget is used', async () => {
    await start({ rateLimitPerMinute: 2, now: () => new Date('2026-02-01T12:00:30.000Z') });
    expect(
      (await call('GET', '/api/v2/tickets/1.json')).headers.get('x-rate-limit-remaining'),
    ).toBe('1');
    expect((await call('GET', '/api/v2/tickets/1.json')).status).toBe(200);
    const limited = await call('GET', '/api/v2/tickets/1.json');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.headers.get('x-rate-limit')).toBe('2');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
  });

  it('opens a new budget in the next minute', async () => {
    let now = new Date('2026-02-01T12:00:59.000Z');
    await start({ rateLimitPerMinute: 1, now: () => now });
    await call('GET', '/api/v2/tickets/1.json');
    expect((await call('GET', '/api/v2/tickets/1.json')).status).toBe(429);
    now = new Date('2026-02-01T12:01:00.000Z');
    expect((await call('GET', '/api/v2/tickets/1.json')).status).toBe(200);
  });
});

describe('faults and journal', () => {
  beforeEach(() => start());

  it('answers queued faults to matching requests only, then behaves normally', async () => {
    fake.faults.enqueue({
      method: 'PUT',
      pathPattern: '/tickets/1',
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { error: 'TooManyRequests' },
    });
    expect((await call('GET', '/api/v2/tickets/1.json')).status).toBe(200);
    const limited = await call('PUT', '/api/v2/tickets/1.json', { ticket: { status: 'open' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(
      (await call('PUT', '/api/v2/tickets/1.json', { ticket: { status: 'open' } })).status,
    ).toBe(200);
    expect(fake.faults.pending()).toBe(0);
  });

  it('applies a fault the given number of times', async () => {
    fake.faults.enqueue({ pathPattern: /comments/, status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await call('GET', '/api/v2/tickets/1/comments')).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('can drop the connection without an answer', async () => {
    fake.faults.enqueue({ resetConnection: true });
    await expect(call('GET', '/api/v2/tickets/1.json')).rejects.toThrow();
    expect((await call('GET', '/api/v2/tickets/1.json')).status).toBe(200);
  });

  it('records method, path, query and body of each request without credentials', async () => {
    await call('PUT', '/api/v2/tickets/2.json?x=1', { ticket: { additional_tags: ['a'] } });
    expect(fake.journal.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/api/v2/tickets/2.json',
      query: { x: '1' },
      body: { ticket: { additional_tags: ['a'] } },
      authorization: 'basic',
    });
    expect(JSON.stringify(fake.journal)).not.toContain(SANDBOX_ZENDESK_CREDENTIALS.apiToken);
    expect(fake.store.requests).toBe(fake.journal);
  });
});

describe('persistence', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'fake-zendesk-'));
  });
  afterEach(async () => {
    await fake.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps updates in the lowdb file across restarts', async () => {
    const filePath = join(directory, 'nested', 'zendesk.json');
    await start({ filePath });
    await call('PUT', '/api/v2/tickets/3.json', {
      ticket: { custom_fields: [{ id: SANDBOX_FIELD_IDS.jiraIssueKey, value: 'SUP-7' }] },
    });
    await fake.close();
    await start({ filePath });
    const ticket = (await call('GET', '/api/v2/tickets/3.json')).json.ticket;
    expect(fieldValue(ticket, SANDBOX_FIELD_IDS.jiraIssueKey)).toBe('SUP-7');
  });

  it('reset() restores the seed', async () => {
    await start();
    await call('PUT', '/api/v2/tickets/1.json', { ticket: { tags: [] } });
    fake.store.reset();
    expect((await call('GET', '/api/v2/tickets/1.json')).json.ticket.tags).toEqual([
      'order',
      'shipping',
    ]);
  });
});

describe('fake Zendesk: expiring OAuth tokens', () => {
  beforeEach(() => start());

  const refresh = (refreshToken: string, clientSecret = SANDBOX_ZENDESK_OAUTH_CLIENT.secret) =>
    call(
      'POST',
      '/oauth/tokens',
      {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: SANDBOX_ZENDESK_OAUTH_CLIENT.id,
        client_secret: clientSecret,
      },
      null,
    );

  it('answers a refresh with a new pair and deletes the old one', async () => {
    const issued = fake.oauth.issueTokens();

    const first = await refresh(issued.refreshToken);
    const replayed = await refresh(issued.refreshToken);

    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
      scope: 'read write',
      expires_in: 1800,
      refresh_token_expires_in: expect.any(Number),
    });
    expect(replayed.status).toBe(400);
    expect(replayed.json.error).toBe('invalid_grant');
    const old = await call(
      'GET',
      '/api/v2/tickets/1.json',
      undefined,
      `Bearer ${issued.accessToken}`,
    );
    expect(old.status).toBe(401);
    const fresh = await call(
      'GET',
      '/api/v2/tickets/1.json',
      undefined,
      `Bearer ${first.json.access_token}`,
    );
    expect(fresh.status).toBe(200);
  });

  it('answers an expired access token with invalid_token and a wrong client with invalid_client', async () => {
    const issued = fake.oauth.issueTokens();
    fake.oauth.expireAccessTokens();

    const expired = await call(
      'GET',
      '/api/v2/tickets/1.json',
      undefined,
      `Bearer ${issued.accessToken}`,
    );
    const wrongClient = await refresh(issued.refreshToken, 'wrong');

    expect(expired.status).toBe(401);
    expect(expired.json.error).toBe('invalid_token');
    expect(wrongClient.status).toBe(401);
    expect(wrongClient.json.error).toBe('invalid_client');
  });
});
