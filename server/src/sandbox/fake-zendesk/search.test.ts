import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SANDBOX_ZENDESK_BASIC } from '../../test-support/fake-zendesk-calls';
import type { StoredTicket, TicketStatus } from '../seed/zendesk-seed';
import { createFakeZendesk } from './fake-zendesk';

/** A fake holding only these tickets (the seed's ticket 1 as a template). */
function fakeWith(tickets: { status: TicketStatus; tags: string[]; subject?: string }[]) {
  const fake = createFakeZendesk();
  const template = fake.store.findTicket(1) as StoredTicket;
  fake.store.data.tickets = tickets.map((ticket, index) => ({
    ...structuredClone(template),
    id: index + 1,
    subject: ticket.subject ?? `Ticket ${index + 1}`,
    description: '',
    status: ticket.status,
    tags: ticket.tags,
  }));
  return fake;
}

const get = (fake: ReturnType<typeof createFakeZendesk>, path: string) =>
  request(fake.app).get(path).set('Authorization', SANDBOX_ZENDESK_BASIC);

describe('the fake Zendesk search', () => {
  const fake = fakeWith([
    { status: 'open', tags: ['order'] },
    { status: 'solved', tags: ['order'] },
    { status: 'new', tags: ['order', 'vip'], subject: 'Refund please' },
    { status: 'pending', tags: ['other'] },
  ]);

  it.each([
    ['tags:order', 3],
    ['tags:order status<solved', 2],
    ['tags:order -tags:vip', 2],
    ['type:ticket status>=pending', 2],
    ['refund', 1],
    ['status:open', 1],
  ])('counts "%s" as %i', async (query, count) => {
    const answer = await get(fake, `/api/v2/search/count.json?query=${encodeURIComponent(query)}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ count });
  });

  it('exports in cursor pages, in id order', async () => {
    const first = await get(
      fake,
      '/api/v2/search/export.json?query=tags%3Aorder&filter[type]=ticket&page[size]=2',
    );
    expect(first.body.results.map((ticket: { id: number }) => ticket.id)).toEqual([1, 2]);
    expect(first.body.meta.has_more).toBe(true);
    expect(first.body.links.next).toContain('page[after]=');
    const second = await get(
      fake,
      `/api/v2/search/export.json?query=tags%3Aorder&filter[type]=ticket&page[size]=2&page[after]=${first.body.meta.after_cursor as string}`,
    );
    expect(second.body.results.map((ticket: { id: number }) => ticket.id)).toEqual([3]);
    expect(second.body.meta).toMatchObject({ has_more: false });
  });

  it('refuses what it does not implement instead of ignoring it', async () => {
    expect((await get(fake, '/api/v2/search/count.json?query=assignee%3Ame')).status).toBe(400);
    expect((await get(fake, '/api/v2/search/export.json?query=tags%3Aorder')).status).toBe(400);
    expect((await get(fake, '/api/v2/search/count.json')).status).toBe(400);
  });
});
