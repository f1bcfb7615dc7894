import { readFileSync, writeFileSync } from 'node:fs';
import { SignJWT, UnsecuredJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestRun } from '../../server/src/run-log/build-test-run';
import { createRunId } from '../../server/src/run-log/run-record';
import { SANDBOX_ZENDESK_APP } from '../../server/src/sandbox/seed/zendesk-seed';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/** Known here so the tests can forge sessions the way an attacker who guessed it could. */
const SESSION_SECRET = 'test-session-secret-0123456789abcdef-0123';
let stack: TestStack;
let agentAuth: { Authorization: string };

beforeAll(async () => {
  stack = await startTestStack({ env: { sessionSecret: SESSION_SECRET } });
  agentAuth = (await stack.signInAgent()).auth;
});
afterAll(async () => {
  await stack.close();
});

const listFor = (auth: string | undefined) => {
  const req = request(stack.url).get('/api/connectors?ticketId=1');
  return auth === undefined ? req : req.set('Authorization', auth);
};

/** A session token made outside the server, with the claims and key a test chooses. */
async function forgeSession(
  options: {
    key?: string;
    alg?: string;
    claims?: Record<string, unknown>;
    expiresInSeconds?: number;
    audience?: string;
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    acc: stack.zendesk.apps.accountHost,
    ins: SANDBOX_ZENDESK_APP.installationId,
    app: SANDBOX_ZENDESK_APP.appId,
    sst: now,
    ...options.claims,
  })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer('data-connectors')
    .setAudience(options.audience ?? 'data-connectors:zendesk-sidebar')
    .setSubject('90000000002')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 600))
    .setJti('forged-0001')
    .sign(new TextEncoder().encode(options.key ?? SESSION_SECRET));
}

describe('authentication', () => {
  it('accepts the session a Zendesk-signed sidebar load started', async () => {
    const res = await listFor(agentAuth.Authorization);
    expect(res.status).toBe(200);
    expect(res.body.connectors.map((c: { id: string }) => c.id)).toEqual([
      'shopify_order_lookup',
      'jira_issue_from_comment',
    ]);
  });

  it.each([
    ['missing', undefined, 'AUTH_REQUIRED'],
    ['not a bearer token', 'Basic YWRtaW46YWRtaW4=', 'AUTH_REQUIRED'],
    ['garbage', 'Bearer not-a-jwt', 'AUTH_INVALID'],
  ])('refuses a request with %s credentials', async (_name, auth, code) => {
    const res = await listFor(auth);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 401 to an unauthenticated request before reading its body', async () => {
    const res = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set('Content-Type', 'application/json')
      .send('{"broken":');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });

  it('refuses a session signed with another key', async () => {
    const res = await listFor(`Bearer ${await forgeSession({ key: 'x'.repeat(40) })}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_INVALID');
  });

  it('says an expired session is expired, so the sidebar renews it', async () => {
    const res = await listFor(`Bearer ${await forgeSession({ expiresInSeconds: -60 })}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('SESSION_EXPIRED');
  });

  it('refuses a session made for another account, installation, app or audience', async () => {
    for (const token of [
      await forgeSession({ claims: { acc: 'other.zendesk.com' } }),
      await forgeSession({ claims: { ins: 999 } }),
      await forgeSession({ claims: { app: 999 } }),
      await forgeSession({ audience: 'something-else' }),
    ]) {
      const res = await listFor(`Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_INVALID');
    }
  });

  it('pins the algorithm: HS512 with the right key and an unsigned token are refused', async () => {
    expect((await listFor(`Bearer ${await forgeSession({ alg: 'HS512' })}`)).status).toBe(401);
    const unsigned = new UnsecuredJWT({ sub: '90000000002' }).setExpirationTime('1m').encode();
    expect((await listFor(`Bearer ${unsigned}`)).status).toBe(401);
  });

  it('the 401 body is the same whatever was wrong, and leaks nothing', async () => {
    const wrong = await listFor(`Bearer ${await forgeSession({ key: 'y'.repeat(40) })}`);
    const otherAccount = await listFor(
      `Bearer ${await forgeSession({ claims: { acc: 'evil.zendesk.com' } })}`,
    );
    expect(wrong.body).toEqual(otherAccount.body);
    expect(wrong.text).not.toMatch(/signature|account|secret|installation/i);
  });

  it("lets an agent read one ticket's runs but only admins list every run", async () => {
    expect((await request(stack.url).get('/api/runs?ticketId=1').set(agentAuth)).status).toBe(200);
    const all = await request(stack.url).get('/api/runs').set(agentAuth);
    expect(all.status).toBe(403);
    expect(all.body.error.code).toBe('FORBIDDEN');
    expect((await request(stack.url).get('/api/runs').set(stack.adminAuth)).status).toBe(200);
  });
});

describe('bad requests get a 4xx with a stable code', () => {
  const post = (path: string) => request(stack.url).post(path).set(stack.adminAuth);

  it.each([
    ['an unknown field', { ticketId: 1, ticket: 1 }],
    ['a ticket id that is not a number', { ticketId: 'abc' }],
    ['a ticket id past Number.MAX_SAFE_INTEGER', { ticketId: '9007199254740993' }],
    ['a ticket id of 20 digits', { ticketId: '99999999999999999999' }],
    ['a ticket id of 0', { ticketId: '0' }],
    ['no ticket id', {}],
    ['an input value that is an object', { ticketId: 1, inputs: { order_number: { $gt: '' } } }],
    ['an array', [1, 2]],
  ])('BODY_INVALID for a body with %s', async (_name, body) => {
    const res = await post('/api/connectors/shopify_order_lookup/run').send(body as object);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BODY_INVALID');
  });

  it('BODY_INVALID for malformed JSON', async () => {
    const res = await post('/api/connectors/shopify_order_lookup/run')
      .set('Content-Type', 'application/json')
      .send('{"ticketId": 1,');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BODY_INVALID');
  });

  it('UNSUPPORTED_MEDIA_TYPE for a form post', async () => {
    const res = await post('/api/connectors/shopify_order_lookup/run')
      .type('form')
      .send('ticketId=1');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a run alike whether it takes the route ahead of the router or goes through it', async () => {
    // The plain path is served ahead of the app's router; a trailing slash or a query string
    // goes through the router to the same handlers (server/src/http/route-ahead-of-router.ts).
    const answers = [];
    for (const path of [
      '/api/connectors/shopify_order_lookup/run',
      '/api/connectors/shopify_order_lookup/run/',
      '/api/connectors/shopify_order_lookup/run?via=router',
    ]) {
      const res = await post(path).send({ ticketId: 1, dryRun: true });
      const { runId, durationMs, ...rest } = res.body as Record<string, unknown>;
      expect(runId).toEqual(expect.stringMatching(/^run_/));
      expect(durationMs).toEqual(expect.any(Number));
      answers.push({ status: res.status, type: res.headers['content-type'], body: rest });
    }
    expect(answers[0]).toMatchObject({ status: 200, body: { outcome: 'success', dryRun: true } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    for (const [path, code, status] of [
      ['/api/connectors/nope/run', 'CONNECTOR_NOT_FOUND', 404],
      ['/api/connectors/nope/run/', 'CONNECTOR_NOT_FOUND', 404],
    ] as const) {
      const res = await post(path).send({ ticketId: 1 });
      expect([res.status, res.body.error.code]).toEqual([status, code]);
    }
  });

  it('CONNECTOR_NOT_FOUND for an unknown connector', async () => {
    const res = await post('/api/connectors/nope/run').send({ ticketId: 1 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('CONNECTOR_NOT_FOUND');
  });

  it('INPUT_INVALID when a non-prompt input is set by the caller', async () => {
    const res = await post('/api/connectors/jira_create_issue/run').send({
      ticketId: 4,
      confirmed: true,
      inputs: { ticket_id: 1 },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({
      input: 'ticket_id',
      code: 'INPUT_NOT_EDITABLE',
    });
  });

  it('treats ticketId 2 and "2" as the same request under one Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'same-request-0003' };
    const first = await post('/api/connectors/shopify_order_lookup/run')
      .set(headers)
      .send({ ticketId: 2 });
    const second = await post('/api/connectors/shopify_order_lookup/run')
      .set(headers)
      .send({ ticketId: '2' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ replayed: true, runId: first.body.runId });
  });

  it('IDEMPOTENCY_KEY_INVALID for a key with unusable characters', async () => {
    const res = await post('/api/connectors/shopify_order_lookup/run')
      .set('Idempotency-Key', 'a b')
      .send({ ticketId: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_INVALID');
  });

  it('QUERY_INVALID for a bad run filter, RUN_NOT_FOUND for an unknown run, NOT_FOUND for unknown paths', async () => {
    const query = await request(stack.url).get('/api/runs?outcome=great').set(stack.adminAuth);
    expect(query.status).toBe(400);
    expect(query.body.error.code).toBe('QUERY_INVALID');
    const hugeId = await request(stack.url)
      .get('/api/connectors?ticketId=99999999999999999999')
      .set(stack.adminAuth);
    expect(hugeId.status).toBe(400);
    expect(hugeId.body.error.code).toBe('QUERY_INVALID');
    const run = await request(stack.url)
      .get('/api/runs/run_00000000000000000000000000')
      .set(stack.adminAuth);
    expect(run.status).toBe(404);
    expect(run.body.error.code).toBe('RUN_NOT_FOUND');
    const path = await request(stack.url).get('/api/nothing-here').set(stack.adminAuth);
    expect(path.status).toBe(404);
    expect(path.body.error.code).toBe('NOT_FOUND');
    // The run path is routed ahead of the API (create-app.ts); other methods on it still reach it.
    const method = await request(stack.url)
      .get('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth);
    expect(method.status).toBe(404);
    expect(method.body.error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'No endpoint GET /api/connectors/shopify_order_lookup/run.',
    });
  });
});

describe('listing connectors and runs', () => {
  it('lists the connectors for a ticket with inputs, prefilled values and confirmation', async () => {
    const res = await request(stack.url)
      .get('/api/connectors?ticketId=4')
      .set(stack.adminAuth)
      .expect(200);
    const jira = res.body.connectors.find((c: { id: string }) => c.id === 'jira_create_issue');
    expect(jira).toMatchObject({ confirm: true, method: 'POST' });
    expect(jira.inputs.find((input: { name: string }) => input.name === 'summary')).toMatchObject({
      prompt: true,
      source: 'ticket.subject',
      value: expect.stringContaining(''),
    });
  });

  it('shows a connector that serves both helpdesks with its Zendesk sources, on tagged tickets only', async () => {
    const tagged = await request(stack.url)
      .get('/api/connectors?ticketId=1')
      .set(stack.adminAuth)
      .expect(200);
    const lookup = tagged.body.connectors.find(
      (c: { id: string }) => c.id === 'shopify_order_lookup',
    );
    expect(lookup.inputs).toEqual([
      expect.objectContaining({
        name: 'order_number',
        source: 'ticket.custom_fields.360001000001',
        value: '#1001',
      }),
      expect.objectContaining({
        name: 'contact_email',
        source: 'ticket.requester.email',
        value: expect.stringContaining('@'),
      }),
    ]);
    // objectTypes: ["Case"] is read on Salesforce records; on tickets only tagsAny counts.
    const untagged = await request(stack.url)
      .get('/api/connectors?ticketId=4')
      .set(stack.adminAuth)
      .expect(200);
    expect(untagged.body.connectors.map((c: { id: string }) => c.id)).not.toContain(
      'shopify_order_lookup',
    );
  });

  it('shows the last run of each connector on the ticket', async () => {
    const ran = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth)
      .send({ ticketId: 2 })
      .expect(200);
    const res = await request(stack.url)
      .get('/api/connectors?ticketId=2')
      .set(stack.adminAuth)
      .expect(200);
    expect(res.body.connectors[0].lastRun).toMatchObject({
      runId: ran.body.runId,
      outcome: 'success',
    });
    const runs = await request(stack.url)
      .get('/api/runs?ticketId=2&connectorId=shopify_order_lookup&outcome=success')
      .set(stack.adminAuth)
      .expect(200);
    expect(runs.body.runs[0]).toMatchObject({
      id: ran.body.runId,
      target: { system: 'zendesk', type: 'ticket', id: '2' },
      request: { method: 'GET', url: expect.stringContaining('name=%231002') },
      response: { status: 200 },
    });
  });
});

describe('run log pages', () => {
  it('are bounded in bytes as well as rows, and the cursor walks every run once', async () => {
    // 40 runs of about 60 kB each (2.4 MB): a 500-run page would hold them all at once.
    const recorded: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const startedAt = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      const run = buildTestRun({
        id: createRunId(Date.parse(startedAt)),
        startedAt,
        connectorId: 'bulky_runs',
        message: `${i} `.padEnd(60_000, 'x'),
      });
      await stack.server.runLog.record(run);
      recorded.unshift(run.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(stack.url)
        .get(`/api/runs?connectorId=bulky_runs&limit=500${cursor ? `&cursor=${cursor}` : ''}`)
        .set(stack.adminAuth)
        .expect(200)
        .expect('Content-Type', /application\/json/);
      // 1 MiB of runs at most, plus the JSON around them.
      expect(res.text.length).toBeLessThanOrEqual(1024 * 1024 + 4096);
      seen.push(...res.body.runs.map((run: { id: string }) => run.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(recorded);
  });
});

describe('config reload', () => {
  it('serves a valid edit, and keeps the last good config when an edit is broken', async () => {
    const original = readFileSync(stack.configPath, 'utf8');
    const config = JSON.parse(original);
    config.connectors[0].name = 'Order lookup (renamed)';
    writeFileSync(stack.configPath, JSON.stringify(config));
    await request(stack.url).post('/api/admin/config/reload').set(stack.adminAuth).expect(200);
    let list = await request(stack.url).get('/api/connectors?ticketId=1').set(stack.adminAuth);
    expect(list.body.connectors[0].name).toBe('Order lookup (renamed)');

    writeFileSync(stack.configPath, original.slice(0, original.length / 2));
    const reload = await request(stack.url).post('/api/admin/config/reload').set(stack.adminAuth);
    expect(reload.status).toBe(422);
    const health = await request(stack.url).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', config: { ok: false, serving: true } });
    expect(health.body.config.errors[0]).toMatchObject({ file: stack.configPath });
    list = await request(stack.url).get('/api/connectors?ticketId=1').set(stack.adminAuth);
    expect(list.body.connectors[0].name).toBe('Order lookup (renamed)');
    writeFileSync(stack.configPath, original);
    await request(stack.url).post('/api/admin/config/reload').set(stack.adminAuth).expect(200);
  });

  it('lists the served config warnings on /health, each with its place and fix', async () => {
    const lineOf = (text: string, needle: string) =>
      text.slice(0, text.indexOf(needle)).split('\n').length;
    const original = readFileSync(stack.configPath, 'utf8');
    const config = JSON.parse(original);
    config.connections.shopify_demo.headers = { 'X-Extra': '{{secrets.NOT_SET_ANYWHERE}}' };
    writeFileSync(stack.configPath, JSON.stringify(config, null, 2));
    try {
      await request(stack.url).post('/api/admin/config/reload').set(stack.adminAuth).expect(200);
      const health = await request(stack.url).get('/health');
      expect(health.body.config.warnings).toContainEqual({
        file: stack.configPath,
        path: '$.connections.shopify_demo',
        message: expect.stringContaining('secret NOT_SET_ANYWHERE is not set'),
        hint: expect.stringContaining('SECRET_NOT_SET_ANYWHERE'),
        // Where the connection starts in the file (written with two-space indents).
        line: lineOf(JSON.stringify(config, null, 2), '"shopify_demo": {'),
        column: 5,
      });
    } finally {
      writeFileSync(stack.configPath, original);
      await request(stack.url).post('/api/admin/config/reload').set(stack.adminAuth).expect(200);
    }
    expect((await request(stack.url).get('/health')).body.config.warnings).toEqual([]);
  });
});
