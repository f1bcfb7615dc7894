import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USER_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * The console in Zendesk's nav_bar: Zendesk signs the load as for the sidebar; the server opens
 * the console only for a user Zendesk says is an admin of the account, with a session of its
 * own that an agent's sidebar session cannot stand in for.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.close();
});

async function loadConsole(userId: number, token?: string) {
  const signed = token ?? (await stack.signAppToken({ userId, location: 'nav_bar' }));
  const response = await fetch(
    `${stack.url}/zendesk/console?origin=${encodeURIComponent(stack.url)}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: signed }).toString(),
    },
  );
  const html = await response.text();
  const match = /<script type="application\/json" id="dc-console-session">([^<]*)<\/script>/.exec(
    html,
  );
  return {
    status: response.status,
    html,
    csp: response.headers.get('content-security-policy') ?? '',
    session: match
      ? (JSON.parse(match[1] as string) as { token: string; user: string })
      : undefined,
  };
}

describe('the console in the nav_bar', () => {
  it('opens for a Zendesk admin, framed only by the account, with a bearer session named after them', async () => {
    const loaded = await loadConsole(SANDBOX_USER_IDS.admin);
    expect(loaded.status).toBe(200);
    expect(loaded.csp).toMatch(/frame-ancestors [^;]*https:\/\/[\w-]+\.zendesk\.com/);
    expect(loaded.session?.user).toMatch(/\(Zendesk admin\)$/);
    const auth = { Authorization: `Bearer ${loaded.session?.token}` };
    const list = await request(stack.url).get('/api/admin/console/connectors').set(auth);
    expect(list.status).toBe(200);
    // A change made from there is attributed to that admin in the history.
    const source = await request(stack.url)
      .get('/api/admin/console/connectors/jira_create_issue/source')
      .set(auth);
    const saved = await request(stack.url)
      .put('/api/admin/console/connectors/jira_create_issue')
      .set(auth)
      .send({
        connector: { ...source.body.connector, name: 'Jira (nav bar edit)' },
        fileHash: source.body.fileHash,
      });
    expect(saved.status).toBe(200);
    expect(saved.body.version.author).toBe(`${loaded.session?.user} (console)`);
  });

  it('refuses an agent who is not an admin, and gives them no session', async () => {
    const loaded = await loadConsole(SANDBOX_USER_IDS.agent);
    expect(loaded.status).toBe(403);
    expect(loaded.session).toBeUndefined();
    expect(loaded.html).toContain('admins of this Zendesk account only');
  });

  it('refuses an unsigned or forged load', async () => {
    const unsigned = await fetch(`${stack.url}/zendesk/console`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=admin',
    });
    expect(unsigned.status).toBe(401);
    const real = await stack.signAppToken({ userId: SANDBOX_USER_IDS.agent, location: 'nav_bar' });
    const [header, payload, signature] = real.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: SANDBOX_USER_IDS.admin })).toString('base64url')}.${signature}`;
    const loaded = await loadConsole(SANDBOX_USER_IDS.admin, forged);
    expect(loaded.status).toBe(401);
    expect(loaded.session).toBeUndefined();
  });

  it("does not let an admin's sidebar session into the console API", async () => {
    const sidebar = await stack.signInAgent(SANDBOX_USER_IDS.admin);
    const answer = await request(stack.url).get('/api/admin/console/connectors').set(sidebar.auth);
    expect(answer.status).toBe(403);
  });
});
