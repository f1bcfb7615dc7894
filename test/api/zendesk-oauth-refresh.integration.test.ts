import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEnv } from '../../server/src/env/parse-env';
import { ZENDESK_TOKEN_FILE } from '../../server/src/helpdesks/zendesk/zendesk-token-store';
import { SANDBOX_ZENDESK_OAUTH_CLIENT } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import { startServer, type RunningServer } from '../../server/src/start-server';
import { createSecretSource } from '../../server/src/secrets/secret-source';
import { SANDBOX_SECRETS, startTestStack, type TestStack } from '../support/start-test-stack';

/**
 * The server's own Zendesk connection with expiring OAuth tokens, against the fake Zendesk, which
 * issues them and rotates refresh tokens as Zendesk documents: access tokens expire, a refresh
 * deletes the old pair, a revoked grant answers invalid_grant.
 */
const KEY = Buffer.alloc(32, 9);

let stack: TestStack | undefined;
let restarted: RunningServer | undefined;
let env: ServerEnv;
let firstRefreshToken: string;

afterEach(async () => {
  await restarted?.close();
  restarted = undefined;
  await stack?.close().catch(() => undefined);
  stack = undefined;
});

async function startWithRefreshGrant(): Promise<TestStack> {
  return startTestStack({
    env: (built, { zendesk }) => {
      firstRefreshToken = zendesk.oauth.issueTokens().refreshToken;
      const overrides: Partial<ServerEnv> = {
        zendeskAuth: {
          kind: 'oauthRefresh',
          clientId: SANDBOX_ZENDESK_OAUTH_CLIENT.id,
          clientSecret: SANDBOX_ZENDESK_OAUTH_CLIENT.secret,
          refreshToken: firstRefreshToken,
        },
        tokenEncryption: { key: KEY, previous: [], sandboxDefault: false },
      };
      env = { ...built, ...overrides };
      return overrides;
    },
  });
}

async function runOrderLookup(url: string, adminAuth: object, ticketId: number) {
  return request(url)
    .post('/api/connectors/shopify_order_lookup/run')
    .set(adminAuth as Record<string, string>)
    .send({ ticketId });
}

function tokenRequests(s: TestStack): number {
  return s.zendesk.journal.filter((entry) => entry.path === '/oauth/tokens').length;
}

describe("the server's Zendesk connection with expiring OAuth tokens", () => {
  it('keeps writing tickets when the access token expires, refreshing once', async () => {
    stack = await startWithRefreshGrant();

    const first = await runOrderLookup(stack.url, stack.adminAuth, 1);
    expect(first.body.writes?.status, first.text).toBe('written');
    expect(stack.zendesk.oauth.refreshCount).toBe(1);

    stack.zendesk.oauth.expireAccessTokens();
    const second = await runOrderLookup(stack.url, stack.adminAuth, 1);

    expect(second.body.writes?.status, second.text).toBe('written');
    expect(stack.zendesk.oauth.refreshCount).toBe(2);
    expect(stack.ticket(1).customFields['360001000002']).toBe('paid');
    const health = await request(stack.url).get('/health');
    expect(
      health.body.helpdesks.find((entry: { system: string }) => entry.system === 'zendesk'),
    ).toMatchObject({ system: 'zendesk', ok: true });
    expect(stack.logLines.join('\n')).not.toContain(firstRefreshToken);
  });

  it('stores the rotated refresh token encrypted and uses it after a restart', async () => {
    stack = await startWithRefreshGrant();
    expect((await runOrderLookup(stack.url, stack.adminAuth, 1)).body.writes?.status).toBe(
      'written',
    );
    const sealed = readFileSync(join(stack.dataDir, ZENDESK_TOKEN_FILE), 'utf8');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(firstRefreshToken);

    await stack.server.close();
    // The environment still names the first refresh token, which Zendesk deleted at the refresh.
    stack.zendesk.oauth.expireAccessTokens();
    const again = await startServer(env, {
      writeLog: () => undefined,
      secrets: createSecretSource(SANDBOX_SECRETS),
    });
    if (!again.ok) throw new Error(again.error.message);
    restarted = again.value;

    const after = await runOrderLookup(restarted.url, stack.adminAuth, 2);

    expect(after.body.writes?.status, after.text).toBe('written');
    expect(stack.zendesk.oauth.refreshCount).toBe(2);
  });

  it('puts the connection in a visible failed state when the grant is revoked, without retrying', async () => {
    stack = await startWithRefreshGrant();
    await runOrderLookup(stack.url, stack.adminAuth, 1);
    stack.zendesk.oauth.revokeAll();
    stack.zendesk.oauth.expireAccessTokens();

    const failed = await runOrderLookup(stack.url, stack.adminAuth, 1);
    const requestsAfterFailure = tokenRequests(stack);
    const again = await runOrderLookup(stack.url, stack.adminAuth, 2);

    expect(failed.text).toMatch(/ZENDESK_OAUTH_REFRESH_TOKEN/);
    expect(again.text).toMatch(/ZENDESK_OAUTH_REFRESH_TOKEN/);
    expect(tokenRequests(stack)).toBe(requestsAfterFailure);
    const health = await request(stack.url).get('/health');
    expect(health.body.status).toBe('degraded');
    expect(
      health.body.helpdesks.find((entry: { system: string }) => entry.system === 'zendesk'),
    ).toEqual({
      system: 'zendesk',
      ok: false,
      code: 'ZENDESK_OAUTH_REVOKED',
      message: expect.stringMatching(/invalid_grant/),
      since: expect.any(String),
      apiLimits: expect.any(Object),
    });
    const errors = stack.logLines.filter((line) => line.includes('ZENDESK_OAUTH_REVOKED'));
    expect(errors).toHaveLength(1);
  });
});
