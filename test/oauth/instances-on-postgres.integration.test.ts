import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleConnectionsAnswer } from '../../shared/src/console/console-contracts';
import { createTestSchema } from '../../server/src/test-support/postgres-test-schema';
import type { TestSchema } from '../../server/src/test-support/postgres-test-schema';
import { signInToConsole } from '../support/console-session';
import type { ConsoleSignIn } from '../support/console-session';
import { FAKE_CLIENT, startFakeAuthorizationServer } from '../support/fake-authorization-server';
import type { FakeAuthorizationServer } from '../support/fake-authorization-server';
import { SANDBOX_SECRETS, startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Two instances on one PostgreSQL schema behind a load balancer that does not stick: an OAuth
 * connect started on one finishes on the other, and a console sign-out on one holds on both.
 */

const CONNECTION = 'calendar';
const tokenKey = randomBytes(32);
let auth: FakeAuthorizationServer;
let database: TestSchema;
let one: TestStack;
let other: TestStack;

function startInstance(): Promise<TestStack> {
  return startTestStack({
    secrets: {
      ...SANDBOX_SECRETS,
      CALENDAR_CLIENT_ID: FAKE_CLIENT.id,
      CALENDAR_CLIENT_SECRET: FAKE_CLIENT.secret,
    },
    env: {
      tokenEncryption: { key: tokenKey, previous: [], sandboxDefault: false },
      database: { url: database.url, schema: database.schema },
    },
    editConfig: (config) => {
      (config.connections as Record<string, unknown>)[CONNECTION] = {
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
    },
  });
}

async function connectionsOn(stack: TestStack, signIn: ConsoleSignIn) {
  const answer = await request(stack.url).get('/api/admin/console/connections').set(signIn.read);
  return { status: answer.status, body: answer.body as ConsoleConnectionsAnswer };
}

beforeAll(async () => {
  auth = await startFakeAuthorizationServer();
  database = await createTestSchema('instances');
  one = await startInstance();
  other = await startInstance();
});
afterAll(async () => {
  await one?.close();
  await other?.close();
  await database?.drop();
  await auth?.close();
});

describe('two instances on one database', () => {
  it('finish on one instance the OAuth connect started on the other', async () => {
    const admin = await signInToConsole(one);
    const started = await request(one.url)
      .post(`/api/admin/console/connections/${CONNECTION}/oauth/start`)
      .set(admin.write);
    expect(started.status).toBe(200);
    const binding = /dc_oauth_binding=([^;]+)/.exec(String(started.headers['set-cookie']))?.[1];
    const callback = new URL(auth.consent(String(started.body.authorizeUrl)));

    const back = await request(other.url)
      .get(callback.pathname + callback.search)
      .set('Cookie', `dc_oauth_binding=${binding ?? ''}`);

    expect(back.status).toBe(303);
    expect(String(back.headers.location)).toContain('oauth=connected');
    const seen = await connectionsOn(one, admin);
    expect(seen.body.connections[0]?.state).toBe('connected');
  });

  it('refuse on every instance a console session signed out on one', async () => {
    const admin = await signInToConsole(one);
    expect((await connectionsOn(other, admin)).status).toBe(200);
    const out = await request(one.url).post('/admin/logout').set(admin.write);
    expect(out.status).toBe(204);
    expect((await connectionsOn(other, admin)).status).toBe(401);
  });
});
