import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { signInToConsole } from '../support/console-session';

/**
 * Who reaches the console: an admin who signed in with the admin token (an HttpOnly,
 * SameSite=Strict cookie, CSRF-checked on every change) or a script with the token. A sidebar
 * agent's session, a forged cookie, a signed-out or expired one get nothing from any endpoint.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.close();
});

const CONSOLE_READS = [
  '/api/admin/console/settings',
  '/api/admin/console/connectors',
  '/api/admin/console/connectors/shopify_order_lookup/source',
  '/api/admin/console/runs',
  '/api/admin/console/runs/export?format=ndjson',
  '/api/admin/config/versions',
  '/api/admin/deliveries',
  '/api/admin/backfills',
];

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and answers the CSRF token', async () => {
    const answer = await request(stack.url)
      .post('/admin/login')
      .set('Origin', stack.url)
      .send({ token: TEST_ADMIN_TOKEN });
    expect(answer.status).toBe(200);
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^dc_console=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toMatch(/Max-Age=28\d{3}/);
    expect(answer.body.csrfToken).toMatch(/^[\w-]{40,}$/);
    // The answer never carries the admin token itself.
    expect(JSON.stringify(answer.body)).not.toContain(TEST_ADMIN_TOKEN);
    expect(cookie).not.toContain(TEST_ADMIN_TOKEN);
  });

  it('refuses a wrong token, and a sign-in posted from another site', async () => {
    const wrong = await request(stack.url)
      .post('/admin/login')
      .set('Origin', stack.url)
      .send({ token: 'guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const crossSite = await request(stack.url)
      .post('/admin/login')
      .set('Origin', 'https://evil.example')
      .send({ token: TEST_ADMIN_TOKEN });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('CSRF_INVALID');
    expect(crossSite.headers['set-cookie']).toBeUndefined();
  });

  it('slows down guessing: after 10 wrong tokens even the right one waits', async () => {
    // Its own stack: the lockout is per address, and every test here signs in from 127.0.0.1.
    const own = await startTestStack();
    try {
      const attempt = (token: string) =>
        request(own.url).post('/admin/login').set('Origin', own.url).send({ token });
      for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
      // The 10th failure used up the allowance: the 11th try is refused before the token is read.
      const locked = await attempt('guess-11');
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await attempt(TEST_ADMIN_TOKEN)).status).toBe(429);
    } finally {
      await own.close();
    }
  });

  it('serves the page with a CSP that forbids framing and other origins', async () => {
    const page = await request(stack.url).get('/admin');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await request(stack.url).get('/admin/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.text).not.toContain(TEST_ADMIN_TOKEN);
  });
});

describe('a console session', () => {
  it('reads every console endpoint', async () => {
    const session = await signInToConsole(stack);
    for (const path of CONSOLE_READS) {
      const answer = await request(stack.url).get(path).set(session.read);
      expect(answer.status, path).toBe(200);
    }
  });

  it('needs its CSRF token and this origin for a change', async () => {
    const session = await signInToConsole(stack);
    const body = { connector: { id: 'csrf_probe' } };
    const noToken = await request(stack.url)
      .post('/api/admin/console/connectors')
      .set(session.read)
      .set('Origin', session.origin)
      .send(body);
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('CSRF_INVALID');
    const otherOrigin = await request(stack.url)
      .post('/api/admin/console/connectors')
      .set(session.read)
      .set('X-CSRF-Token', session.csrfToken)
      .set('Origin', 'https://evil.example')
      .send(body);
    expect(otherOrigin.status).toBe(403);
    // Another session's token does not fit this one.
    const other = await signInToConsole(stack);
    const swapped = await request(stack.url)
      .post('/api/admin/console/connectors')
      .set(session.read)
      .set('Origin', session.origin)
      .set('X-CSRF-Token', other.csrfToken)
      .send(body);
    expect(swapped.status).toBe(403);
  });

  it('ends at sign-out: the same cookie gets nothing afterwards', async () => {
    const session = await signInToConsole(stack);
    const out = await request(stack.url).post('/admin/logout').set(session.write);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    const after = await request(stack.url).get('/api/admin/console/connectors').set(session.read);
    expect(after.status).toBe(401);
    const page = await request(stack.url).get('/admin/session').set(session.read);
    expect(page.status).toBe(401);
  });
});

describe('anyone else', () => {
  it('a sidebar agent session gets 403 from every console endpoint', async () => {
    const agent = await stack.signInAgent();
    for (const path of CONSOLE_READS) {
      const answer = await request(stack.url).get(path).set(agent.auth);
      expect(answer.status, path).toBe(403);
    }
    const save = await request(stack.url)
      .put('/api/admin/console/connectors/shopify_order_lookup')
      .set(agent.auth)
      .send({ connector: { id: 'shopify_order_lookup' } });
    expect(save.status).toBe(403);
  });

  it('an AI agent key gets nothing from any console endpoint', async () => {
    const created = await request(stack.url)
      .post('/api/admin/agent-keys')
      .set(stack.adminAuth)
      .send({ name: 'Console probe', connectorIds: ['*'] });
    expect(created.status).toBe(201);
    const auth = { Authorization: `Bearer ${created.body.key}` };
    for (const path of CONSOLE_READS) {
      const answer = await request(stack.url).get(path).set(auth);
      expect(answer.status, path).toBe(401);
    }
  });

  it('a forged or tampered cookie gets 401, and so does no credential at all', async () => {
    const session = await signInToConsole(stack);
    const [header, payload, signature] = session.cookie.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...claims, exp: claims.exp + 86_400 }),
    ).toString('base64url');
    for (const cookie of [
      `${header}.${forgedPayload}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -2)}xx`,
      'eyJhbGciOiJub25lIn0.e30.',
    ]) {
      const answer = await request(stack.url)
        .get('/api/admin/console/connectors')
        .set('Cookie', `dc_console=${cookie}`);
      expect(answer.status).toBe(401);
    }
    for (const path of CONSOLE_READS) {
      expect((await request(stack.url).get(path)).status, path).toBe(401);
    }
  });
});
