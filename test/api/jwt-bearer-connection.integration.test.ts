import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFakeGoogleTokenEndpoint,
  type FakeGoogleTokenEndpoint,
} from '../../server/src/request/test-support/fake-google-token-endpoint';
import {
  startTestServer,
  type TestServer,
} from '../../server/src/request/test-support/start-test-server';
import { SANDBOX_SECRETS, startTestStack, type TestStack } from '../support/start-test-stack';

/**
 * A connection that authenticates as a Google service account, run through the whole server: config
 * with `{{secrets.*}}`, the run pipeline, the token cache per connection, the run log and the logger.
 * The upstream echoes the Authorization header back, so a leak of the access token would show.
 */
let google: FakeGoogleTokenEndpoint;
let upstream: TestServer;
let stack: TestStack;

beforeAll(async () => {
  google = await startFakeGoogleTokenEndpoint();
  upstream = await startTestServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sheet: 'Orders', authorization: req.headers.authorization }));
  });
  const connection = (privateKey: string) => ({
    baseUrl: upstream.origin,
    allowPrivateNetwork: true,
    auth: {
      type: 'jwtBearer',
      tokenUrl: google.tokenUrl,
      issuer: '{{secrets.GOOGLE_SA_EMAIL}}',
      scopes: ['https://www.googleapis.com/auth/spreadsheets.readonly'],
      privateKey,
    },
  });
  const connector = (id: string) => ({
    id,
    name: id,
    connection: id,
    surfaces: ['zendesk'],
    request: { method: 'GET', path: '/sheet' },
    response: {
      outputs: [
        { name: 'sheet', path: 'sheet' },
        { name: 'auth', path: 'authorization' },
      ],
    },
    messages: { success: 'Sheet {{outputs.sheet}} with {{outputs.auth}}' },
  });
  stack = await startTestStack({
    secrets: {
      ...SANDBOX_SECRETS,
      GOOGLE_SA_EMAIL: google.serviceAccount.clientEmail,
      GOOGLE_SA_KEY: google.serviceAccount.privateKeyPem,
      BROKEN_KEY: '-----BEGIN PRIVATE KEY-----\nnot-really-a-key\n-----END PRIVATE KEY-----\n',
    },
    editConfig: (config) => {
      Object.assign(config.connections as Record<string, unknown>, {
        google_sheets: connection('{{secrets.GOOGLE_SA_KEY}}'),
        google_broken: connection('{{secrets.BROKEN_KEY}}'),
      });
      (config.connectors as unknown[]).push(connector('google_sheets'), connector('google_broken'));
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await upstream?.close();
  await google?.close();
});

async function run(connectorId: string) {
  const res = await request(stack.url)
    .post(`/api/connectors/${connectorId}/run`)
    .set(stack.adminAuth)
    .send({ ticketId: 1 });
  expect(res.status).toBe(200);
  const record = await request(stack.url).get(`/api/runs/${res.body.runId}`).set(stack.adminAuth);
  return { res, record };
}

function expectNoKeyOrToken(text: string): void {
  const keyLines = google.serviceAccount.privateKeyPem.split('\n').slice(1, -2);
  for (const line of keyLines) expect(text).not.toContain(line);
  for (const token of google.issued) expect(text).not.toContain(token);
}

describe('a connection authenticated as a Google service account', () => {
  it('runs with the access token it got for a signed assertion, and reuses that token', async () => {
    const first = await run('google_sheets');
    const second = await run('google_sheets');

    expect(first.res.body.outcome).toBe('success');
    expect(first.res.body.message).toBe('Sheet Orders with [secret]');
    expect(second.res.body.outcome).toBe('success');
    expect(google.issued).toHaveLength(1);
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${google.issued[0]}`,
      `Bearer ${google.issued[0]}`,
    ]);
    for (const text of [first.res.text, first.record.text, stack.logLines.join('\n')]) {
      expectNoKeyOrToken(text);
    }
  });

  it('fails with UPSTREAM_AUTH_FAILED, not the key, when the key cannot be read', async () => {
    const { res, record } = await run('google_broken');

    expect(res.body.outcome).toBe('failed');
    expect(record.body.run.errorCode).toBe('UPSTREAM_AUTH_FAILED');
    for (const text of [res.text, record.text, stack.logLines.join('\n')]) {
      expect(text).not.toContain('not-really-a-key');
    }
  });
});
