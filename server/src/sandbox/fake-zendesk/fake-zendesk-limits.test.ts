import { afterEach, describe, expect, it } from 'vitest';
import { callFakeZendesk } from '../../test-support/fake-zendesk-calls';
import type { ZendeskJson } from '../../test-support/fake-zendesk-calls';
import { SANDBOX_FIELD_IDS } from '../seed/zendesk-seed';
import { startFakeZendesk } from './fake-zendesk';
import type { FakeZendeskOptions, RunningFakeZendesk } from './fake-zendesk';

let fake: RunningFakeZendesk;

afterEach(async () => {
  await fake?.close();
});

async function start(options: FakeZendeskOptions = {}): Promise<void> {
  fake = await startFakeZendesk(options);
}

const call = (method: string, path: string, body?: unknown) =>
  callFakeZendesk(fake.baseUrl, method, path, body);

const at = (iso: string) => () => new Date(iso);

describe('plan rate limits', () => {
  it.each([
    ['team', 200],
    ['growth', 400],
    ['professional', 400],
    ['enterprise', 700],
    ['high-volume', 2500],
  ] as const)('gives the %s plan %i requests per minute', async (plan, perMinute) => {
    await start({ limits: { plan } });
    const reply = await call('GET', '/api/v2/tickets/1.json');
    expect(reply.headers.get('x-rate-limit')).toBe(String(perMinute));
    expect(reply.headers.get('ratelimit-limit')).toBe(String(perMinute));
    expect(reply.headers.get('x-rate-limit-remaining')).toBe(String(perMinute - 1));
    expect(reply.headers.get('ratelimit-remaining')).toBe(String(perMinute - 1));
  });

  it('keeps 2500/min and no Update Ticket budget when no limits are given', async () => {
    await start();
    const reply = await call('PUT', '/api/v2/tickets/1.json', { ticket: { status: 'open' } });
    expect(reply.headers.get('x-rate-limit')).toBe('2500');
    expect(reply.headers.get('zendesk-ratelimit-tickets-update')).toBeNull();
  });

  it('reports seconds to the next minute in ratelimit-reset', async () => {
    await start({ limits: { plan: 'team' }, now: at('2026-02-01T12:00:20.500Z') });
    expect((await call('GET', '/api/v2/tickets/1.json')).headers.get('ratelimit-reset')).toBe('40');
  });

  it('answers 429 with Retry-After past the plan budget', async () => {
    await start({
      limits: { plan: 'team', requestsPerMinute: 2 },
      now: at('2026-02-01T12:00:45.000Z'),
    });
    await call('GET', '/api/v2/tickets/1.json');
    await call('GET', '/api/v2/tickets/1.json');
    const limited = await call('GET', '/api/v2/tickets/1.json');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('15');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(limited.json).toMatchObject({ error: 'TooManyRequests' });
  });

  it('computes Retry-After and the reset from a compressed window, in whole seconds', async () => {
    let now = new Date('2026-02-01T12:00:00.100Z');
    await start({ limits: { requestsPerMinute: 1, windowMs: 2000 }, now: () => now });
    const first = await call('GET', '/api/v2/tickets/1.json');
    expect(first.headers.get('ratelimit-reset')).toBe('2');
    now = new Date('2026-02-01T12:00:01.500Z');
    const limited = await call('GET', '/api/v2/tickets/1.json');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    now = new Date('2026-02-01T12:00:02.000Z');
    expect((await call('GET', '/api/v2/tickets/1.json')).status).toBe(200);
  });

  it('refuses limits it does not understand', async () => {
    await expect(startFakeZendesk({ limits: { plan: 'gold' } as never })).rejects.toThrow(
      /Invalid fake Zendesk limits/,
    );
  });
});

describe('Update Ticket budget', () => {
  it('is 100/min per account on ordinary plans and 300 with High Volume', async () => {
    await start({ limits: { plan: 'enterprise' } });
    const reply = await call('PUT', '/api/v2/tickets/1.json', { ticket: { status: 'open' } });
    expect(reply.headers.get('zendesk-ratelimit-tickets-update')).toMatch(
      /^total=100; remaining=99; resets=\d+$/,
    );
    await fake.close();
    await start({ limits: { plan: 'high-volume' } });
    const high = await call('PUT', '/api/v2/tickets/1', { ticket: { status: 'open' } });
    expect(high.headers.get('zendesk-ratelimit-tickets-update')).toMatch(
      /^total=300; remaining=299;/,
    );
  });

  it('refuses ticket updates past their budget while other requests still pass', async () => {
    await start({
      limits: { plan: 'enterprise', ticketUpdatesPerMinute: 2 },
      now: at('2026-02-01T12:00:50.000Z'),
    });
    for (let i = 0; i < 2; i += 1) {
      expect(
        (await call('PUT', '/api/v2/tickets/1.json', { ticket: { status: 'open' } })).status,
      ).toBe(200);
    }
    const limited = await call('PUT', '/api/v2/tickets/1.json', { ticket: { status: 'open' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(limited.headers.get('zendesk-ratelimit-tickets-update')).toBe(
      'total=2; remaining=0; resets=10',
    );
    // The account budget is not what refused: it still has room.
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('697');
    expect((await call('GET', '/api/v2/tickets/1.json')).status).toBe(200);
  });

  it('limits one user to a number of updates of one ticket per 10 windows', async () => {
    await start({
      limits: { plan: 'enterprise', ticketUpdatesPerUserPerTicket: 2, windowMs: 1000 },
      now: at('2026-02-01T12:00:03.000Z'),
    });
    const update = (id: number) =>
      call('PUT', `/api/v2/tickets/${id}.json`, { ticket: { status: 'open' } });
    expect((await update(1)).status).toBe(200);
    expect((await update(1)).status).toBe(200);
    const refused = await update(1);
    expect(refused.status).toBe(429);
    // Ten compressed windows of 1 s, aligned to the clock: 7 s are left at 12:00:03.
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.headers.get('zendesk-ratelimit-tickets-update')).toBe(
      'total=2; remaining=0; resets=7',
    );
    expect((await update(2)).status).toBe(200);
  });

  it('can be switched off with null', async () => {
    await start({ limits: { plan: 'team', ticketUpdatesPerMinute: null } });
    const reply = await call('PUT', '/api/v2/tickets/1.json', { ticket: { status: 'open' } });
    expect(reply.headers.get('zendesk-ratelimit-tickets-update')).toBeNull();
  });
});

describe('show many tickets', () => {
  it('returns the tickets named by ids and leaves unknown ids out', async () => {
    await start();
    const reply = await call('GET', '/api/v2/tickets/show_many.json?ids=2,1,999');
    expect(reply.status).toBe(200);
    expect(reply.json.tickets.map((ticket: ZendeskJson) => ticket.id)).toEqual([2, 1]);
  });

  it('refuses more than 100 ids and a missing ids parameter', async () => {
    await start();
    const ids = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    expect((await call('GET', `/api/v2/tickets/show_many.json?ids=${ids}`)).status).toBe(400);
    expect((await call('GET', '/api/v2/tickets/show_many.json')).status).toBe(400);
  });
});

describe('update many tickets', () => {
  it('queues a job that goes queued → working → completed with a result per ticket', async () => {
    await start({ jobDelayMs: 30 });
    const queued = await call('PUT', '/api/v2/tickets/update_many.json', {
      tickets: [
        {
          id: 1,
          additional_tags: ['bulk'],
          custom_fields: [{ id: SANDBOX_FIELD_IDS.trackingNumber, value: 'TRK-9' }],
          comment: { body: 'Synced', public: false },
        },
        { id: 999, status: 'open' },
        { id: 2, status: 'not-a-status' },
      ],
    });
    expect(queued.status).toBe(200);
    expect(queued.headers.get('zendesk-ratelimit-inflight-jobs')).toMatch(
      /^total=30; remaining=29; resets=\d+$/,
    );
    const job = queued.json.job_status;
    expect(job).toMatchObject({ status: 'queued', total: 3, progress: 0, results: null });
    expect(job.url).toBe(`${fake.baseUrl}/api/v2/job_statuses/${job.id}.json`);

    await fake.jobs.waitFor(job.id, 'working');
    expect((await call('GET', `/api/v2/job_statuses/${job.id}.json`)).json.job_status.status).toBe(
      'working',
    );
    await fake.jobs.waitFor(job.id, 'completed');
    const done = (await call('GET', `/api/v2/job_statuses/${job.id}.json`)).json.job_status;
    expect(done).toMatchObject({ status: 'completed', total: 3, progress: 3 });
    expect(done.message).toMatch(/^Completed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/);
    expect(done.results).toEqual([
      { id: 1, action: 'update', success: true, status: 'Updated' },
      expect.objectContaining({ id: 999, success: false, error: 'RecordNotFound' }),
      expect.objectContaining({ id: 2, success: false, error: 'TicketUpdateFailed' }),
    ]);

    const ticket = (await call('GET', '/api/v2/tickets/1.json')).json.ticket;
    expect(ticket.tags).toContain('bulk');
    expect(
      ticket.custom_fields.find(
        (field: ZendeskJson) => field.id === SANDBOX_FIELD_IDS.trackingNumber,
      ).value,
    ).toBe('TRK-9');
    const comments = (await call('GET', '/api/v2/tickets/1/comments.json')).json.comments;
    expect(comments.at(-1)).toMatchObject({ body: 'Synced', public: false });
  });

  it('applies one change to every ticket of ?ids=', async () => {
    await start({ jobDelayMs: 1 });
    const queued = await call('PUT', '/api/v2/tickets/update_many.json?ids=1,2', {
      ticket: { remove_tags: ['order'], additional_tags: ['both'] },
    });
    await fake.jobs.whenIdle();
    const { job_statuses: statuses } = (
      await call('GET', `/api/v2/job_statuses/show_many.json?ids=${queued.json.job_status.id}`)
    ).json;
    expect(statuses[0].results.map((result: ZendeskJson) => result.success)).toEqual([true, true]);
    const tickets = (await call('GET', '/api/v2/tickets/show_many.json?ids=1,2')).json.tickets;
    for (const ticket of tickets) {
      expect(ticket.tags).toContain('both');
      expect(ticket.tags).not.toContain('order');
    }
  });

  it('fails a ticket changed after the job was queued (safe update at queue time)', async () => {
    await start({ jobDelayMs: 40 });
    const queued = await call('PUT', '/api/v2/tickets/update_many.json?ids=1,2', {
      ticket: { priority: 'high' },
    });
    await call('PUT', '/api/v2/tickets/1.json', { ticket: { additional_tags: ['meanwhile'] } });
    const done = await fake.jobs.waitFor(queued.json.job_status.id, 'completed');
    expect(done.results).toEqual([
      expect.objectContaining({ id: 1, success: false, error: 'UpdateConflict' }),
      { id: 2, action: 'update', success: true, status: 'Updated' },
    ]);
  });

  it("honours a batch ticket's own stale updated_stamp and fails safe_update without a stamp", async () => {
    await start({ jobDelayMs: 1 });
    const current = (await call('GET', '/api/v2/tickets/2.json')).json.ticket.updated_at;
    const queued = await call('PUT', '/api/v2/tickets/update_many.json', {
      tickets: [
        { id: 1, status: 'pending', safe_update: true, updated_stamp: '2001-01-01T00:00:00Z' },
        { id: 2, status: 'pending', safe_update: true, updated_stamp: current },
        { id: 3, status: 'pending', safe_update: true },
      ],
    });
    const done = await fake.jobs.waitFor(queued.json.job_status.id, 'completed');
    expect(done.results?.map((result) => result.success)).toEqual([false, true, false]);
    expect(done.results?.[0]).toMatchObject({ error: 'UpdateConflict' });
  });

  it('refuses more than 100 tickets and a body without tickets', async () => {
    await start();
    const tickets = Array.from({ length: 101 }, (_, i) => ({ id: i + 1, status: 'open' }));
    expect((await call('PUT', '/api/v2/tickets/update_many.json', { tickets })).status).toBe(400);
    expect((await call('PUT', '/api/v2/tickets/update_many.json', {})).status).toBe(400);
    expect((await call('PUT', '/api/v2/tickets/update_many.json?ids=1', {})).status).toBe(400);
  });

  it('refuses a 31st queued job with TooManyJobs', async () => {
    await start({ jobDelayMs: 60_000 });
    for (let i = 0; i < 30; i += 1) {
      const queued = await call('PUT', '/api/v2/tickets/update_many.json?ids=1', {
        ticket: { status: 'open' },
      });
      expect(queued.status).toBe(200);
    }
    const refused = await call('PUT', '/api/v2/tickets/update_many.json?ids=1', {
      ticket: { status: 'open' },
    });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: 'TooManyJobs' });
    expect(refused.json.current_job_ids).toHaveLength(30);
    expect(refused.headers.get('zendesk-ratelimit-inflight-jobs')).toMatch(/remaining=0;/);
  });

  it('journals update_many and job status requests like any other', async () => {
    await start({ jobDelayMs: 1 });
    const queued = await call('PUT', '/api/v2/tickets/update_many.json?ids=1', {
      ticket: { status: 'open' },
    });
    await call('GET', `/api/v2/job_statuses/${queued.json.job_status.id}.json`);
    expect(fake.journal.slice(-2)).toMatchObject([
      {
        method: 'PUT',
        path: '/api/v2/tickets/update_many.json',
        query: { ids: '1' },
        body: { ticket: { status: 'open' } },
      },
      { method: 'GET', path: `/api/v2/job_statuses/${queued.json.job_status.id}.json` },
    ]);
  });

  it('answers 404 for an unknown job', async () => {
    await start();
    expect((await call('GET', '/api/v2/job_statuses/nope.json')).status).toBe(404);
  });
});
