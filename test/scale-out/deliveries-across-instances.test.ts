import { createHmac } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZendesk } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import { SANDBOX_ZENDESK_CREDENTIALS } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  createTestSchema,
  TEST_DATABASE_URL,
} from '../../server/src/test-support/postgres-test-schema';
import type { TestSchema } from '../../server/src/test-support/postgres-test-schema';
import { startFakeIssueTracker } from './support/fake-issue-tracker';
import type { FakeIssueTracker } from './support/fake-issue-tracker';
import { startInstances } from './support/start-instances';
import type { ServerInstance } from './support/start-instances';

/**
 * Two real server processes on one PostgreSQL schema, sharing the delivery queue, flooded with
 * signed Zendesk webhook deliveries sent to either of them; then the same with one of them
 * killed with SIGKILL while its workers are inside a slow upstream call.
 *
 * The workflow: "lookup" (a POST without an idempotency key, answered at once), "create_issue"
 * (a POST with `idempotencyKey: true`, which the fake tracker deduplicates on and can hold
 * unanswered), then an internal note on the ticket naming the issue. A second workflow has the
 * same create without a key, for what docs/automations.md says happens to a call that was in
 * flight and is not safe to send again. The side effects are counted at the fakes: lookups and
 * issues at the tracker, notes in the fake Zendesk.
 */

const WEBHOOK_SECRET = 'scale-out-webhook-secret-0123456789abcdef';
const ADMIN_TOKEN = 'scale-out-admin-token-0123456789abcdef';
const CONCURRENCY = 4;
const DELIVERIES = 200;

let schema: TestSchema;
let zendesk: RunningFakeZendesk;
let tracker: FakeIssueTracker;
let instances: ServerInstance[] = [];
let instanceOptions: Parameters<typeof startInstances>[0];

function workflowConfig(trackerUrl: string) {
  const connector = (id: string, path: string, extra: object) => ({
    id,
    name: id,
    connection: 'tracker',
    surfaces: ['automation'],
    inputs: [{ name: 'ticket_id', type: 'integer', source: 'ticket.id' }],
    request: {
      method: 'POST',
      path,
      headers: {},
      body: { type: 'json', value: { ticket: '{{inputs.ticket_id}}' } },
    },
    ...extra,
  });
  return {
    connections: {
      tracker: {
        baseUrl: trackerUrl,
        allowedHosts: ['127.0.0.1'],
        allowPrivateNetwork: true,
        timeoutMs: 30_000,
      },
    },
    connectors: [
      connector('tracker_lookup', '/lookup', {
        response: { successStatus: [201], outputs: [{ name: 'customer', path: 'customer' }] },
      }),
      connector('tracker_create_issue', '/issues', {
        inputs: [
          { name: 'ticket_id', type: 'integer', source: 'ticket.id' },
          { name: 'idempotency_key', required: false, default: '' },
        ],
        request: {
          method: 'POST',
          path: '/issues',
          headers: { 'Idempotency-Key': '{{inputs.idempotency_key}}' },
          body: { type: 'json', value: { ticket: '{{inputs.ticket_id}}' } },
        },
        response: { successStatus: [201], outputs: [{ name: 'issue_key', path: 'key' }] },
      }),
    ],
    workflows: [
      {
        id: 'escalate',
        name: 'Escalate',
        trigger: { zendesk: {} },
        steps: [
          { type: 'run', id: 'lookup', connector: 'tracker_lookup', writeBack: false },
          {
            type: 'run',
            id: 'create_issue',
            connector: 'tracker_create_issue',
            idempotencyKey: true,
            writeBack: false,
          },
          {
            type: 'write',
            id: 'note',
            internalNote: 'Issue {{steps.create_issue.outputs.issue_key}}',
          },
        ],
      },
      {
        // The same create without an idempotency key: not safe to send twice.
        id: 'escalate_unkeyed',
        name: 'Escalate (no key)',
        trigger: { zendesk: {} },
        steps: [
          { type: 'run', id: 'lookup', connector: 'tracker_lookup', writeBack: false },
          { type: 'run', id: 'create_issue', connector: 'tracker_create_issue', writeBack: false },
          {
            type: 'branch',
            id: 'after_create',
            on: 'create_issue',
            success: [
              {
                type: 'write',
                id: 'note',
                internalNote: 'Issue {{steps.create_issue.outputs.issue_key}}',
              },
            ],
            failure: [{ type: 'write', id: 'unknown', internalNote: 'Issue? {{error.code}}' }],
          },
        ],
      },
    ],
  };
}

beforeAll(async () => {
  schema = await createTestSchema('across');
  zendesk = await startFakeZendesk({ rateLimitPerMinute: 1_000_000 });
  tracker = await startFakeIssueTracker();
  instanceOptions = {
    count: 2,
    config: workflowConfig(tracker.url),
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.schema,
      WORKFLOW_LEASE_SECONDS: '3',
      WORKFLOW_CONCURRENCY: String(CONCURRENCY),
      RATE_LIMIT_WEBHOOKS_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
      ZENDESK_BASE_URL: zendesk.baseUrl,
      ZENDESK_EMAIL: SANDBOX_ZENDESK_CREDENTIALS.email,
      ZENDESK_API_TOKEN: SANDBOX_ZENDESK_CREDENTIALS.apiToken,
      ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ADMIN_TOKEN,
    },
  };
  instances = await startInstances(instanceOptions);
}, 30_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await tracker?.close();
  await schema?.drop();
});

async function createTickets(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await request(zendesk.baseUrl)
      .post('/api/v2/tickets.json')
      .auth(`${SANDBOX_ZENDESK_CREDENTIALS.email}/token`, SANDBOX_ZENDESK_CREDENTIALS.apiToken)
      .send({ ticket: { subject: `Flood ${i}`, comment: { body: 'Please escalate' } } });
    if (res.status !== 201) throw new Error(`ticket not created: ${JSON.stringify(res.body)}`);
    ids.push(res.body.ticket.id as number);
  }
  return ids;
}

function deliver(url: string, ticketId: number, workflowId = 'escalate') {
  const body = JSON.stringify({ ticket_id: String(ticketId) });
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return request(url)
    .post(`/webhooks/zendesk/${workflowId}`)
    .set('Content-Type', 'application/json')
    .set('X-Zendesk-Webhook-Signature-Timestamp', timestamp)
    .set(
      'X-Zendesk-Webhook-Signature',
      createHmac('sha256', WEBHOOK_SECRET)
        .update(timestamp + body)
        .digest('base64'),
    )
    .send(body);
}

/** Sends one delivery per ticket, alternating between the urls, 20 at a time. */
async function flood(urls: string[], tickets: number[], workflowId?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < tickets.length; start += 20) {
    const batch = tickets.slice(start, start + 20);
    const answers = await Promise.all(
      batch.map((ticket, i) =>
        deliver(urls[(start + i) % urls.length] as string, ticket, workflowId),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      ids.push(answer.body.deliveryId as string);
    }
  }
  return ids;
}

/** The deliveries' rows, once none of them is queued or running. */
async function waitUntilFinished(ids: string[], ms: number) {
  const started = Date.now();
  for (;;) {
    const { rows } = await schema.pool.query<{
      state: string;
      outcome: string;
      attempts: number;
      target_id: string;
    }>('SELECT state, outcome, attempts, target_id FROM deliveries WHERE id = ANY($1)', [ids]);
    if (
      rows.length === ids.length &&
      rows.every((row) => ['completed', 'dead'].includes(row.state))
    )
      return rows;
    if (Date.now() - started > ms) throw new Error(`deliveries not finished within ${ms} ms`);
    // Other processes: there is no event to await, so poll briefly.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each ticket's side effects: lookups sent, issues created, notes written. */
function sideEffects(tickets: number[]) {
  const issuesByTicket = new Map<string, number>();
  for (const issue of tracker.issues.values()) bump(issuesByTicket, issue.ticket);
  return tickets.map((id) => {
    const ticket = String(id);
    const notes = notesOn(id);
    return {
      lookups: tracker.lookupCalls.get(ticket) ?? 0,
      issues: issuesByTicket.get(ticket) ?? 0,
      notes: notes.length,
    };
  });
}

function notesOn(ticketId: number): string[] {
  return zendesk.store
    .listComments(ticketId)
    .filter((comment) => !comment.public && comment.body.startsWith('Issue'))
    .map((comment) => comment.body);
}

function bump(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

const once = { lookups: 1, issues: 1, notes: 1 };

describe('webhook deliveries across two instances on one PostgreSQL', () => {
  it(
    'completes a flood sent to both, each delivery exactly once',
    { timeout: 40_000 },
    async () => {
      const tickets = await createTickets(DELIVERIES);
      const ids = await flood(
        instances.map((instance) => instance.url),
        tickets,
      );
      expect(new Set(ids).size).toBe(DELIVERIES);

      const rows = await waitUntilFinished(ids, 30_000);
      expect(rows.map((row) => [row.state, row.outcome, row.attempts])).toEqual(
        ids.map(() => ['completed', 'success', 1]),
      );
      expect(sideEffects(tickets)).toEqual(tickets.map(() => once));
      const counts = await request(instances[1]!.url)
        .get('/api/admin/deliveries?limit=1')
        .set({ Authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(counts.body.counts).toEqual({ queued: 0, running: 0, completed: DELIVERIES, dead: 0 });
    },
  );

  it(
    'finishes on the survivor what a killed instance held, side effects still exactly once',
    { timeout: 40_000 },
    async () => {
      const [doomed, survivor] = instances as [ServerInstance, ServerInstance];
      const tickets = await createTickets(DELIVERIES);
      tracker.hold = true;
      const ids = await flood([doomed.url, survivor.url], tickets);
      // 2 × CONCURRENCY calls held: every worker of both instances is inside "create_issue"
      // (one instance has only CONCURRENCY), its issue already created upstream.
      await tracker.heldCount(2 * CONCURRENCY);
      await doomed.kill();
      const killedAt = Date.now();
      tracker.release();

      const rows = await waitUntilFinished(ids, 30_000);
      expect(rows.every((row) => row.state === 'completed' && row.outcome === 'success')).toBe(
        true,
      );
      // The killed instance's deliveries were claimed again once their 3 s lease ran out.
      expect(rows.filter((row) => row.attempts === 2)).toHaveLength(CONCURRENCY);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2_000);

      // "lookup" had finished before the kill: its step mark kept it from being sent again.
      // "create_issue" was in flight: sent again with the same Idempotency-Key, so one issue.
      expect(sideEffects(tickets)).toEqual(tickets.map(() => once));
      const resent = tickets.filter((id) => tracker.createCalls.get(String(id)) === 2);
      expect(resent).toHaveLength(CONCURRENCY);
      expect(tickets.every((id) => (tracker.createCalls.get(String(id)) ?? 0) >= 1)).toBe(true);

      const counts = await request(survivor.url)
        .get('/api/admin/deliveries?limit=1')
        .set({ Authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(counts.body.counts).toEqual({
        queued: 0,
        running: 0,
        completed: 2 * DELIVERIES,
        dead: 0,
      });
    },
  );

  it(
    'does not send again an unkeyed create that was in flight when its instance died',
    { timeout: 40_000 },
    async () => {
      const survivor = instances[1] as ServerInstance;
      const [doomed] = await startInstances({ ...instanceOptions, count: 1 });
      instances.push(doomed as ServerInstance);
      const tickets = await createTickets(40);
      tracker.hold = true;
      const ids = await flood([doomed!.url, survivor.url], tickets, 'escalate_unkeyed');
      await tracker.heldCount(2 * CONCURRENCY);
      await doomed!.kill();
      tracker.release();

      const rows = await waitUntilFinished(ids, 30_000);
      const interrupted = rows.filter((row) => row.attempts === 2);
      expect(interrupted).toHaveLength(CONCURRENCY);
      // The server cannot know whether the upstream acted: the step fails with
      // STEP_OUTCOME_UNKNOWN, its failure path runs, and the create is not sent again.
      for (const row of interrupted) {
        expect([row.state, row.outcome]).toEqual(['completed', 'failed']);
        expect(notesOn(Number(row.target_id))).toEqual(['Issue? STEP_OUTCOME_UNKNOWN']);
      }
      const others = rows.filter((row) => row.attempts === 1);
      expect(others.map((row) => [row.state, row.outcome])).toEqual(
        others.map(() => ['completed', 'success']),
      );
      expect(tickets.map((id) => tracker.createCalls.get(String(id)))).toEqual(
        tickets.map(() => 1),
      );
      expect(sideEffects(tickets).map(({ lookups, issues }) => ({ lookups, issues }))).toEqual(
        tickets.map(() => ({ lookups: 1, issues: 1 })),
      );
    },
  );
});
