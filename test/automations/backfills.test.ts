import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredTicket } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  BACKFILL_SEARCH as SEARCH,
  ORDER_FIELD,
  lookupsByOrder,
  progressOf,
  seedTickets,
  waitFor,
} from '../support/backfill-tickets';
import { SANDBOX_SALESFORCE_CREDENTIALS } from '../../server/src/sandbox/seed/salesforce-seed';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Backfills over the fake Zendesk: the order lookup run on every open ticket tagged "order",
 * through the delivery queue. Each ticket has its own order number, so the demo upstream's
 * journal tells how many times each ticket was run.
 */

let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function startBackfill(target: TestStack, body: Record<string, unknown>) {
  return request(target.url)
    .post('/api/admin/backfills')
    .set(target.adminAuth)
    .send({ connectorId: 'shopify_order_lookup', ...body });
}

const progress = (target: TestStack, id: string) => progressOf(target.url, target.adminAuth, id);

const fastWorkers = { workflowConcurrency: 8 };

// Hundreds of tickets through paced, batched automation writes: more than the default 20 s.
describe('backfills', { timeout: 60_000 }, () => {
  it('runs the connector once on every matching ticket and reports progress', async () => {
    stack = await startTestStack({ env: fastWorkers });
    seedTickets(stack, 300);
    const started = await startBackfill(stack, { search: SEARCH });
    expect(started.status).toBe(202);
    expect(started.body.backfill).toMatchObject({ state: 'running', total: 300 });
    const id = started.body.backfill.id as string;
    const current = stack;
    await waitFor(async () => (await progress(current, id)).state === 'done', 'the backfill');
    expect(await progress(stack, id)).toMatchObject({
      state: 'done',
      total: 300,
      processed: 300,
      failed: 0,
    });
    const lookups = lookupsByOrder(stack);
    expect(lookups.size).toBe(300);
    expect([...lookups.values()].every((n) => n === 1)).toBe(true);
  });

  it('continues after a restart mid-backfill and still runs each ticket exactly once', async () => {
    stack = await startTestStack({ env: fastWorkers });
    seedTickets(stack, 300);
    const started = await startBackfill(stack, { search: SEARCH });
    const id = started.body.backfill.id as string;
    const current = stack;
    await waitFor(
      async () => (await progress(current, id)).processed >= 60,
      'a fifth of the backfill',
    );
    await stack.restart();
    await waitFor(async () => (await progress(current, id)).state === 'done', 'the backfill');
    expect(await progress(stack, id)).toMatchObject({ processed: 300, failed: 0 });
    const lookups = lookupsByOrder(stack);
    expect(lookups.size).toBe(300);
    expect([...lookups.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  });

  it('stops, holds its deliveries, and resumes', async () => {
    // Four at a time: automation's ticket updates are paced under Zendesk's Update Ticket limit
    // (or batched), so one at a time would take half a minute.
    stack = await startTestStack({ env: { workflowConcurrency: 4 } });
    seedTickets(stack, 120);
    const id = (await startBackfill(stack, { search: SEARCH })).body.backfill.id as string;
    const stopped = await request(stack.url)
      .post(`/api/admin/backfills/${id}/stop`)
      .set(stack.adminAuth);
    expect(stopped.status).toBe(200);
    expect(stopped.body.backfill.state).toBe('paused');
    const settled = (await progress(stack, id)).processed;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // At most the attempts running at the stop finish; nothing new starts.
    expect((await progress(stack, id)).processed).toBeLessThanOrEqual(settled + 4);
    const again = await request(stack.url)
      .post(`/api/admin/backfills/${id}/stop`)
      .set(stack.adminAuth);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('BACKFILL_STATE_CONFLICT');
    const resumed = await request(stack.url)
      .post(`/api/admin/backfills/${id}/resume`)
      .set(stack.adminAuth);
    expect(resumed.body.backfill.state).toBe('running');
    const current = stack;
    await waitFor(async () => (await progress(current, id)).state === 'done', 'the backfill');
    expect([...lookupsByOrder(stack).values()].filter((n) => n !== 1)).toEqual([]);
    expect(lookupsByOrder(stack).size).toBe(120);
  });

  it('re-runs only the failures when asked', async () => {
    stack = await startTestStack({ env: fastWorkers });
    const ids = seedTickets(stack, 30, [3, 7]);
    const id = (await startBackfill(stack, { search: SEARCH })).body.backfill.id as string;
    const current = stack;
    await waitFor(async () => (await progress(current, id)).state === 'done', 'the backfill');
    expect(await progress(stack, id)).toMatchObject({ processed: 30, failed: 2 });
    const failures = await request(stack.url)
      .get(`/api/admin/backfills/${id}/failures`)
      .set(stack.adminAuth);
    expect(failures.body.failures.map((f: { targetId: string }) => f.targetId).sort()).toEqual(
      [String(ids[3]), String(ids[7])].sort(),
    );
    expect(failures.body.failures[0].code).toMatch(/^[A-Z_]+$/);
    for (const index of [3, 7]) {
      const ticket = stack.zendesk.store.findTicket(ids[index] as number) as StoredTicket;
      ticket.custom_fields = [{ id: ORDER_FIELD, value: `#${50_001 + index}` }];
    }
    const before = lookupsByOrder(stack);
    const retried = await request(stack.url)
      .post(`/api/admin/backfills/${id}/retry-failed`)
      .set(stack.adminAuth);
    expect(retried.status).toBe(200);
    expect(retried.body.requeued).toBe(2);
    await waitFor(async () => (await progress(current, id)).state === 'done', 'the retry');
    expect(await progress(stack, id)).toMatchObject({ processed: 30, failed: 0 });
    const after = lookupsByOrder(stack);
    expect(after.size).toBe(30);
    // The 28 that succeeded were not run again.
    for (const [order, n] of before) expect(after.get(order)).toBe(n);
  });

  it('answers a dry run with the count and the first renders, and queues nothing', async () => {
    stack = await startTestStack();
    seedTickets(stack, 12);
    const dry = await startBackfill(stack, { search: SEARCH, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, count: 12 });
    expect(dry.body.renders).toHaveLength(5);
    expect(lookupsByOrder(stack).size).toBe(0);
    const list = await request(stack.url).get('/api/admin/backfills').set(stack.adminAuth);
    expect(list.body.backfills).toEqual([]);
    expect((await stack.server.workflows.queue.countByState()).queued).toBe(0);
  });

  it('runs a connector on every record a SOQL query selects', async () => {
    stack = await startTestStack({ env: fastWorkers });
    const soql = 'SELECT Id FROM Case';
    const dry = await startBackfill(stack, {
      connectorId: 'jira_create_issue_from_case',
      soql,
      dryRun: true,
    });
    expect(dry.status).toBe(200);
    const count = dry.body.count as number;
    expect(count).toBeGreaterThan(0);
    const started = await startBackfill(stack, {
      connectorId: 'jira_create_issue_from_case',
      soql,
    });
    expect(started.status).toBe(202);
    const id = started.body.backfill.id as string;
    const current = stack;
    await waitFor(async () => (await progress(current, id)).state === 'done', 'the backfill');
    expect(await progress(stack, id)).toMatchObject({
      total: count,
      processed: count,
      failed: 0,
    });
  });

  // 2,050 runs: alone about 10 s; the rest of the suite running beside it can triple that.
  it(
    'reads a SOQL query past one batch, and from its first page again when its cursor is gone',
    {
      timeout: 150_000,
    },
    async () => {
      stack = await startTestStack({ env: fastWorkers });
      const { salesforce } = stack;
      // More cases than one batch of 2,000, the size Salesforce answers without a header.
      const cases = salesforce.store.data.records.Case ?? [];
      const template = cases[0];
      if (!template) throw new Error('the sandbox org has no case');
      // A deleted case matches no query.
      const before = salesforce.store.listRecords('Case').length;
      for (let n = 1; n <= 2_050; n += 1) {
        cases.push({ ...structuredClone(template), Id: `500BF${String(n).padStart(10, '0')}AAA` });
      }
      const total = before + 2_050;
      const started = await startBackfill(stack, {
        connectorId: 'jira_create_issue_from_case',
        soql: 'SELECT Id FROM Case',
      });
      expect(started.status).toBe(202);
      const id = started.body.backfill.id as string;
      // The backfill's own reads of its query (each case's load is a query too, of other text).
      const firstPages = () =>
        salesforce.journal.filter((entry) => entry.query.q === 'SELECT Id FROM Case');
      const locatorReads = () =>
        salesforce.journal.filter((entry) => /\/query\/0r8/.test(entry.path));
      // The first page is queued; 2,000 runs now stand before the second page. Ten newer cursors
      // of the same user release the backfill's, as 15 minutes unused would.
      const current = stack;
      await waitFor(async () => (await progress(current, id)).found >= 2_000, 'the first page');
      expect(locatorReads()).toHaveLength(0);
      const soql = encodeURIComponent('SELECT Id FROM Case');
      for (let n = 0; n < 10; n += 1) {
        const answer = await fetch(
          `${salesforce.instanceUrl}/services/data/v62.0/query?q=${soql}`,
          {
            headers: { authorization: `Bearer ${SANDBOX_SALESFORCE_CREDENTIALS.accessToken}` },
          },
        );
        expect(answer.status).toBe(200);
      }
      await waitFor(
        async () => (await progress(current, id)).state === 'done',
        'the backfill',
        120_000,
      );
      expect(await progress(stack, id)).toMatchObject({
        total,
        found: total,
        processed: total,
        failed: 0,
      });
      expect(await stack.server.workflows.queue.countByState(`backfill:${id}`)).toEqual({
        queued: 0,
        running: 0,
        completed: total,
        dead: 0,
      });
      // The released cursor's page (refused), the query again from its first page, then the
      // second page of that new cursor. (The journal keeps the latest requests only: the first
      // reads have left it by now.)
      const [refused, next] = locatorReads();
      const again = firstPages().at(-1);
      expect(locatorReads()).toHaveLength(2);
      expect(refused?.path).not.toBe(next?.path);
      const order = (entry: (typeof salesforce.journal)[number] | undefined) =>
        entry ? salesforce.journal.indexOf(entry) : -1;
      expect(order(refused)).toBeLessThan(order(again));
      expect(order(again)).toBeLessThan(order(next));
    },
  );

  it('reads its matches behind agents: at the reserve, the count waits and agents run', async () => {
    // A Zendesk of 400 requests a 3 s "minute", its clock held at a window's start, so every
    // answer says the window resets in 3 s. Automation keeps 5% (20) of it for agents.
    const windowMs = 3_000;
    let zendeskNow = Math.ceil(Date.now() / windowMs) * windowMs;
    stack = await startTestStack({
      zendesk: {
        limits: {
          requestsPerMinute: 400,
          windowMs,
          ticketUpdatesPerMinute: null,
          ticketUpdatesPerUserPerTicket: null,
        },
        now: () => new Date(zendeskNow),
      },
    });
    const target = stack;
    seedTickets(target, 5);
    // Others on the account spend it down to the reserve (401s count too: the limit comes first).
    let remaining = Infinity;
    while (remaining > 20) {
      const answer = await fetch(`${target.zendesk.baseUrl}/api/v2/tickets/1.json`);
      remaining = Number(answer.headers.get('x-rate-limit-remaining'));
    }
    const agentRun = (ticketId: number) =>
      request(target.url)
        .post('/api/connectors/shopify_order_lookup/run')
        .set(target.adminAuth)
        .send({ ticketId });
    const countsAsked = () =>
      target.zendesk.journal.filter((entry) => entry.path.startsWith('/api/v2/search/count'));
    // An agent's run goes at once, and tells the server how little is left.
    expect((await agentRun(1)).status).toBe(200);
    const startedAt = Date.now();
    let answeredAt: number | undefined;
    const backfill = startBackfill(target, { search: SEARCH }).then((answer) => {
      answeredAt = Date.now();
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The backfill's count waits for the next window; another agent's run does not wait for it.
    expect(countsAsked()).toEqual([]);
    expect((await agentRun(2)).status).toBe(200);
    expect(answeredAt).toBeUndefined();
    expect(countsAsked()).toEqual([]);
    const started = await backfill;
    expect(started.status).toBe(202);
    expect(started.body.backfill.total).toBe(5);
    expect((answeredAt as number) - startedAt).toBeGreaterThanOrEqual(2_000);
    // Zendesk's next window: the backfill runs on every match.
    zendeskNow += windowMs;
    const id = started.body.backfill.id as string;
    await waitFor(async () => (await progress(target, id)).state === 'done', 'the backfill');
    expect(await progress(target, id)).toMatchObject({ processed: 5, failed: 0 });
  });

  it('answers 502 HELPDESK_UNAVAILABLE, not an invalid query, when Zendesk cannot count', async () => {
    stack = await startTestStack();
    stack.zendesk.faults.enqueue({
      pathPattern: '/search/count',
      status: 503,
      body: { error: 'Service Unavailable' },
      times: 20,
    });
    const response = await startBackfill(stack, { search: SEARCH });
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('HELPDESK_UNAVAILABLE');
    const listed = await request(stack.url).get('/api/admin/backfills').set(stack.adminAuth);
    expect(listed.body.backfills).toEqual([]);
  });

  it("fails with Zendesk's reason when its query stops holding, and runs once resumed", async () => {
    stack = await startTestStack();
    seedTickets(stack, 5);
    // The count holds at the start; by the first page, Zendesk refuses the query itself (a
    // custom field deleted in between, say), as its search answers an unknown field.
    stack.zendesk.faults.enqueue({
      pathPattern: '/search/export',
      status: 400,
      body: { error: 'InvalidSearchQuery', description: 'Unknown field: custom_field_360' },
    });
    const started = await startBackfill(stack, { search: SEARCH });
    expect(started.status).toBe(202);
    const id = started.body.backfill.id as string;
    const current = stack;
    await waitFor(async () => (await progress(current, id)).state === 'failed', 'the failure');
    const failed = await progress(stack, id);
    expect(failed).toMatchObject({ total: 0, found: 0, finishedAt: expect.any(String) });
    expect(failed.error).toMatch(
      /^The Zendesk helpdesk refused the backfill's query: .*Unknown field: custom_field_360/,
    );
    // The connector's alert recipients are told, once.
    const backfillMails = () =>
      current.mail.messages().filter((mail) => mail.subject.includes('A backfill of'));
    const notices = () => backfillMails().filter((mail) => mail.subject.endsWith('failed'));
    await waitFor(async () => notices().length > 0, 'the notice');
    expect(notices()).toHaveLength(1);
    expect(notices()[0]).toMatchObject({
      to: ['ops@sandbox.local'],
      subject: '[Data Connectors] A backfill of "Look up Shopify order" failed',
    });
    expect(notices()[0]?.text).toContain('Unknown field: custom_field_360');
    expect(notices()[0]?.text).toContain(`npm run connectors -- backfill --resume ${id}`);
    expect(notices()[0]?.text).toContain(`/admin#/backfills/${id}`);
    // Asked once: a refused query is not retried on its own.
    const exports = () =>
      current.zendesk.journal.filter((entry) => entry.path.startsWith('/api/v2/search/export'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exports()).toHaveLength(1);

    const resumed = await request(stack.url)
      .post(`/api/admin/backfills/${id}/resume`)
      .set(stack.adminAuth);
    expect(resumed.status).toBe(200);
    expect(resumed.body.backfill).toMatchObject({ state: 'running', error: null });
    await waitFor(async () => (await progress(current, id)).state === 'done', 'the backfill');
    expect(await progress(stack, id)).toMatchObject({ processed: 5, failed: 0, error: null });
    expect(notices()).toHaveLength(1);
    // Finished, they are told that too, once, with what its runs came to.
    const finished = () => backfillMails().filter((mail) => mail.subject.endsWith('finished'));
    await waitFor(async () => finished().length > 0, 'the notice of its end');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(finished()).toHaveLength(1);
    expect(finished()[0]).toMatchObject({
      to: ['ops@sandbox.local'],
      subject: '[Data Connectors] A backfill of "Look up Shopify order" finished',
    });
    expect(finished()[0]?.text).toContain(
      `Backfill ${id} of connector "Look up Shopify order" (shopify_order_lookup) finished: 5 matches ran: 5 completed, 0 failed.`,
    );
    expect(finished()[0]?.text).toContain(`/admin#/backfills/${id}`);
  });

  it("fails with Salesforce's reason when a field of its SOQL query is deleted part-way", async () => {
    stack = await startTestStack();
    // The start's count reads the first page; by the reader's own read the field is gone, and
    // Salesforce answers as it does for an unknown column.
    stack.salesforce.faults.enqueue({ pathPattern: '/query', delayMs: 1 });
    stack.salesforce.faults.enqueue({
      pathPattern: '/query',
      status: 400,
      body: [
        {
          message:
            "\nSELECT Id FROM Case WHERE Tier__c = 'Gold'\n               ^\nERROR at Row:1:Column:30\nNo such column 'Tier__c' on entity 'Case'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
          errorCode: 'INVALID_FIELD',
        },
      ],
    });
    const started = await startBackfill(stack, {
      connectorId: 'jira_create_issue_from_case',
      soql: 'SELECT Id FROM Case',
    });
    expect(started.status).toBe(202);
    const id = started.body.backfill.id as string;
    const current = stack;
    await waitFor(async () => (await progress(current, id)).state === 'failed', 'the failure');
    expect((await progress(stack, id)).error).toMatch(
      /^The Salesforce helpdesk refused the backfill's query: .*No such column 'Tier__c'/s,
    );
  });

  it.each([
    [{ connectorId: 'no_such_connector', search: SEARCH }, 404, 'CONNECTOR_NOT_FOUND'],
    [{ search: SEARCH, soql: 'SELECT Id FROM Case' }, 400, 'BACKFILL_QUERY_REQUIRED'],
    [{}, 400, 'BACKFILL_QUERY_REQUIRED'],
    [{ soql: 'DELETE FROM Case' }, 400, 'BACKFILL_SOQL_INVALID'],
    [{ soql: 'SELECT Name FROM Case' }, 400, 'BACKFILL_SOQL_INVALID'],
    [{ soql: 'SELECT Id FROM Account' }, 400, 'BACKFILL_SOQL_INVALID'],
    [{ search: 'tags:order bogus:1' }, 400, 'BACKFILL_QUERY_INVALID'],
    [{ search: SEARCH, extra: true }, 400, 'BODY_INVALID'],
  ])('refuses %j with %i %s', async (body, status, code) => {
    stack ??= await startTestStack();
    const response = await startBackfill(stack, body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
  });
});
