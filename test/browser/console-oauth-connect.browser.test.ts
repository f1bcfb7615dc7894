import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_CLIENT,
  FAKE_USER,
  startFakeAuthorizationServer,
} from '../support/fake-authorization-server';
import type { FakeAuthorizationServer } from '../support/fake-authorization-server';
import { SANDBOX_SECRETS, TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import { BROWSER_TIMEOUT_MS, POLL, startBrowserSuite } from './browser-support';

/**
 * An admin connects an OAuth connection in Chromium: Connect on the connectors screen, through
 * the (fake) consent page and its redirect back, to "Connected as …"; then, once the refresh
 * token is revoked, the same row says "Needs reconnect" and Reconnect brings it back.
 */

let auth: FakeAuthorizationServer;
beforeAll(async () => {
  auth = await startFakeAuthorizationServer();
});
afterAll(async () => {
  await auth?.close();
});

const suite = startBrowserSuite({
  secrets: {
    ...SANDBOX_SECRETS,
    CALENDAR_CLIENT_ID: FAKE_CLIENT.id,
    CALENDAR_CLIENT_SECRET: FAKE_CLIENT.secret,
  },
  env: { tokenEncryption: { key: randomBytes(32), previous: [], sandboxDefault: false } },
  editConfig: (config) => {
    (config.connections as Record<string, unknown>).calendar = {
      baseUrl: auth.url,
      allowPrivateNetwork: true,
      auth: {
        type: 'oauth2AuthorizationCode',
        authorizeUrl: `${auth.url}/authorize`,
        tokenUrl: `${auth.url}/token`,
        clientId: '{{secrets.CALENDAR_CLIENT_ID}}',
        clientSecret: '{{secrets.CALENDAR_CLIENT_SECRET}}',
        scopes: ['openid', 'email'],
      },
    };
    (config.connectors as unknown[]).push({
      id: 'calendar_account',
      name: 'Calendar account',
      connection: 'calendar',
      surfaces: ['zendesk'],
      request: { method: 'GET', path: '/api/me' },
      response: { outputs: [{ name: 'email', label: 'Email', path: 'email' }] },
    });
  },
});

describe('connecting an OAuth connection from the console', () => {
  it(
    'goes through consent to "Connected as …", and back after a revoked refresh token',
    async () => {
      const { stack } = suite;
      const page = await suite.chromium.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      const row = page.locator('tr[data-connection=calendar]');

      await page.goto(`${stack.url}/admin`);
      await page.locator('#token').fill(TEST_ADMIN_TOKEN);
      await page.keyboard.press('Enter');
      await row.waitFor();
      expect(await row.textContent()).toContain('Not connected');
      expect(await row.textContent()).toContain(`${stack.url}/oauth/callback`);

      await row.getByRole('button', { name: 'Connect' }).click();
      await page.getByText('calendar is connected.').waitFor(POLL);
      await expect.poll(() => row.textContent(), POLL).toContain(`Connected as ${FAKE_USER.email}`);

      auth.revokeRefreshTokens();
      auth.expireAccessTokens();
      const ran = await request(stack.url)
        .post('/api/connectors/calendar_account/run')
        .set(stack.adminAuth)
        .send({ ticketId: 1 });
      expect(ran.body.error.code).toBe('CONNECTION_NEEDS_RECONNECT');

      await page.reload();
      await expect.poll(() => row.textContent(), POLL).toContain('Needs reconnect');
      await row.getByRole('button', { name: 'Reconnect' }).click();
      await page.getByText('calendar is connected.').waitFor(POLL);
      await expect.poll(() => row.textContent(), POLL).toContain('Connected as');
      expect(problems).toEqual([]);
    },
    BROWSER_TIMEOUT_MS,
  );
});
