import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USER_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { readPageSession, startTestStack } from '../support/start-test-stack';
import type { AgentSignIn, TestStack } from '../support/start-test-stack';

/**
 * Who the agent is, and what they may see, come from Zendesk: the sidebar's load is signed by
 * Zendesk (RS256, the app's key), the server turns it into a session, and every read and run is
 * checked against what Zendesk would show that agent.
 */
let stack: TestStack;
const signIns = new Map<number, AgentSignIn>();

beforeAll(async () => {
  stack = await startTestStack({ agentAccessCacheSeconds: 0 });
});
afterAll(async () => {
  await stack.close();
});

async function as(userId: number): Promise<{ Authorization: string }> {
  let signIn = signIns.get(userId);
  if (!signIn) {
    signIn = await stack.signInAgent(userId);
    signIns.set(userId, signIn);
  }
  return signIn.auth;
}

function loadSidebar(body: Record<string, string>) {
  return request(stack.url)
    .post('/zendesk/sidebar?origin=https%3A%2F%2Fsandbox.zendesk.com&app_guid=g1')
    .type('form')
    .send(body);
}

const { agent, admin, rileyRestricted, oliveOrg, ashaAssigned, leeLight, mariaLopez } =
  SANDBOX_USER_IDS;

describe("the sidebar's signed load", () => {
  it('answers the app page with a session for the signed agent, framed by Zendesk only', async () => {
    const res = await loadSidebar({ token: await stack.signAppToken({ userId: agent }) });
    expect(res.status).toBe(200);
    expect(readPageSession(res.text)).toMatchObject({
      token: expect.any(String),
      user: { id: agent, name: 'Alex Agent', role: 'agent' },
    });
    expect(res.headers['content-security-policy']).toContain(
      'frame-ancestors https://sandbox.zendesk.com',
    );
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<script src="app.js">');
  });

  it.each([
    ['no token', {}],
    ['a token that is not a JWT', { token: 'abc' }],
  ])('refuses a load with %s', async (_name, body) => {
    const res = await loadSidebar(body);
    expect(res.status).toBe(401);
    expect(readPageSession(res.text)).toBeUndefined();
  });

  it('refuses a token for another installation, another account, or expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      await stack.signAppToken({ userId: agent, installationId: 31337 }),
      await stack.signAppToken({ userId: agent, issuer: 'evil.zendesk.com' }),
      await stack.signAppToken({ userId: agent, issuedAt: now - 1200, expiresInSeconds: 300 }),
    ]) {
      const res = await loadSidebar({ token });
      expect(res.status).toBe(401);
      expect(res.text).toContain('Could not verify Zendesk');
    }
    expect(stack.logLines.some((line) => line.includes('sidebar load refused'))).toBe(true);
  });

  it('refuses a token the browser signed itself with the public key (algorithm confusion)', async () => {
    const pem = await (
      await fetch(`${stack.zendesk.baseUrl}/api/v2/apps/1001/public_key.pem`, {
        headers: {
          Authorization: `Basic ${Buffer.from('admin@sandbox.local/token:sandbox-zendesk-token').toString('base64')}`,
        },
      })
    ).text();
    const genuine = await stack.signAppToken({ userId: agent });
    const payload = JSON.parse(Buffer.from(genuine.split('.')[1] ?? '', 'base64url').toString());
    const forged = await new SignJWT({ ...payload, sub: String(admin) })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(pem));
    expect((await loadSidebar({ token: forged })).status).toBe(401);
  });

  it('refuses users who are not agents', async () => {
    const res = await loadSidebar({ token: await stack.signAppToken({ userId: mariaLopez }) });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Only active Zendesk agents and admins');
  });

  it('says the page cannot be opened on its own', async () => {
    const res = await request(stack.url).get('/zendesk/sidebar');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Open this app from Zendesk');
  });
});

describe('what an agent sees is what Zendesk shows them', () => {
  it("gives an agent restricted to a group 404 for another group's ticket, its runs and runs", async () => {
    const riley = await as(rileyRestricted);
    // Ticket 5 is in Escalations (Riley's group), ticket 1 in Support.
    expect((await request(stack.url).get('/api/connectors?ticketId=5').set(riley)).status).toBe(
      200,
    );
    const list = await request(stack.url).get('/api/connectors?ticketId=1').set(riley);
    expect(list.status).toBe(404);
    expect(list.body.error.code).toBe('TICKET_NOT_FOUND');
    // Said exactly as for a ticket that does not exist.
    const missing = await request(stack.url).get('/api/connectors?ticketId=999').set(riley);
    expect(missing.body.error.message).toBe(list.body.error.message.replace('1', '999'));

    const upstreamCalls = stack.upstream.journal.length;
    const run = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(riley)
      .send({ ticketId: 1 });
    expect(run.status).toBe(404);
    expect(run.body.error.code).toBe('TICKET_NOT_FOUND');
    expect(stack.upstream.journal.length).toBe(upstreamCalls);

    const adminRun = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth)
      .send({ ticketId: 1 });
    expect(adminRun.body.outcome).toBe('success');
    const runs = await request(stack.url).get('/api/runs?ticketId=1').set(riley);
    expect(runs.status).toBe(404);
    expect(runs.body.error.code).toBe('TICKET_NOT_FOUND');
    const one = await request(stack.url).get(`/api/runs/${adminRun.body.runId}`).set(riley);
    expect(one.status).toBe(404);
    expect(one.body.error.code).toBe('RUN_NOT_FOUND');
    expect(
      (
        await request(stack.url)
          .get(`/api/runs/${adminRun.body.runId}`)
          .set(await as(agent))
      ).status,
    ).toBe(200);
    const macros = await request(stack.url).get('/api/macros?ticketId=4').set(riley);
    expect(macros.status).toBe(404);
  });

  it("lets an agent restricted to an organization open that organization's tickets only", async () => {
    const olive = await as(oliveOrg);
    // Ticket 4 is Globex Trading's (Olive's organization), ticket 1 Acme Retail's.
    expect((await request(stack.url).get('/api/connectors?ticketId=4').set(olive)).status).toBe(
      200,
    );
    expect((await request(stack.url).get('/api/connectors?ticketId=1').set(olive)).status).toBe(
      404,
    );
  });

  it('lets an agent restricted to assigned tickets open none of the seeded ones', async () => {
    const asha = await as(ashaAssigned);
    for (const ticketId of [1, 2, 3, 4, 5]) {
      const res = await request(stack.url).get(`/api/connectors?ticketId=${ticketId}`).set(asha);
      expect(res.status, `ticket ${ticketId}`).toBe(404);
    }
  });

  it("keeps a private group's ticket from agents outside it", async () => {
    expect(
      (
        await request(stack.url)
          .get('/api/connectors?ticketId=6')
          .set(await as(agent))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(stack.url)
          .get('/api/connectors?ticketId=6')
          .set(await as(admin))
      ).status,
    ).toBe(200);
  });

  it('follows a change in Zendesk at the next request (with the cache at 0 s here)', async () => {
    const auth = await as(rileyRestricted);
    const membership = stack.zendesk.store.data.group_memberships.find(
      (entry) => entry.user_id === rileyRestricted,
    );
    if (!membership) throw new Error('seed');
    membership.group_id = 70000000001; // moved from Escalations to Support
    try {
      expect((await request(stack.url).get('/api/connectors?ticketId=1').set(auth)).status).toBe(
        200,
      );
      expect((await request(stack.url).get('/api/connectors?ticketId=5').set(auth)).status).toBe(
        200,
      ); // assigned to Riley
      expect((await request(stack.url).get('/api/connectors?ticketId=2').set(auth)).status).toBe(
        200,
      );
    } finally {
      membership.group_id = 70000000002;
    }
    expect((await request(stack.url).get('/api/connectors?ticketId=2').set(auth)).status).toBe(404);
  });

  it('signs out an agent Zendesk suspends', async () => {
    const auth = await as(agent);
    const user = stack.zendesk.store.findUser(agent);
    if (!user) throw new Error('seed');
    user.suspended = true;
    try {
      const res = await request(stack.url).get('/api/connectors?ticketId=1').set(auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('AGENT_NOT_FOUND');
      const renewed = await request(stack.url).post('/api/session/refresh').set(auth);
      expect(renewed.status).toBe(403);
    } finally {
      user.suspended = false;
    }
  });
});

describe('the actor and what a session may ask for', () => {
  it('records the proven agent as the actor, and refuses another agentId', async () => {
    const auth = await as(agent);
    const forged = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(auth)
      .send({ ticketId: 1, agentId: admin });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('FORBIDDEN');
    const run = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(auth)
      .send({ ticketId: 2, agentId: agent });
    expect(run.status).toBe(200);
    const record = await request(stack.url).get(`/api/runs/${run.body.runId}`).set(stack.adminAuth);
    expect(record.body.run).toMatchObject({
      source: 'zendesk',
      actor: { kind: 'agent', id: String(agent), name: 'Alex Agent', email: 'agent@sandbox.local' },
    });
  });

  it('never uses the automation surface, which skips appliesWhen', async () => {
    const auth = await as(agent);
    const list = await request(stack.url)
      .get('/api/connectors?ticketId=1&surface=automation')
      .set(auth);
    expect(list.status).toBe(403);
    const run = await request(stack.url)
      .post('/api/connectors/jira_create_issue/run')
      .set(auth)
      .send({ ticketId: 1, surface: 'automation', confirmed: true });
    expect(run.status).toBe(403);
    expect(run.body.error.code).toBe('FORBIDDEN');
  });

  it('refuses a light agent a run that would write to the ticket, but not a dry run', async () => {
    const lee = await as(leeLight);
    const issues = stack.upstream.createdIssues.length;
    const run = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(lee)
      .send({ ticketId: 1 });
    expect(run.status).toBe(403);
    expect(run.body.error.code).toBe('TICKET_EDIT_FORBIDDEN');
    const macro = await request(stack.url)
      .post('/api/macros/escalate_to_engineering/run')
      .set(lee)
      .send({ ticketId: 4, confirmed: true });
    expect(macro.status).toBe(403);
    expect(macro.body.error.code).toBe('TICKET_EDIT_FORBIDDEN');
    expect(stack.upstream.createdIssues.length).toBe(issues);
    const dry = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(lee)
      .send({ ticketId: 1, dryRun: true });
    expect(dry.status).toBe(200);
  });

  it('renews a session while it is valid; only a session can be renewed', async () => {
    const renewed = await request(stack.url)
      .post('/api/session/refresh')
      .set(await as(agent));
    expect(renewed.status).toBe(200);
    expect(renewed.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });
    const withNew = await request(stack.url)
      .get('/api/connectors?ticketId=1')
      .set('Authorization', `Bearer ${renewed.body.token}`);
    expect(withNew.status).toBe(200);
    const byAdmin = await request(stack.url).post('/api/session/refresh').set(stack.adminAuth);
    expect(byAdmin.status).toBe(403);
  });

  it('is not accepted by the Salesforce endpoints', async () => {
    const res = await request(stack.url)
      .get('/api/salesforce/connectors?objectApiName=Case&recordId=500SB0000000001AAA')
      .set(await as(admin));
    expect(res.status).toBe(401);
  });
});
