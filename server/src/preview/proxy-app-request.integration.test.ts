import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import { startFakeZendesk } from '../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../sandbox/fake-zendesk/fake-zendesk';
import { proxyAppRequest } from './proxy-app-request';
import type { ProxyDeps } from './proxy-app-request';
import { createSandboxZendeskClient } from '../test-support/sandbox-zendesk-client';

/**
 * The preview's stand-in for Zendesk's request proxy: it answers the Zendesk API calls the
 * sidebar makes with the agent's Zendesk session, and nothing else (the sidebar reaches its
 * own server directly, with its session).
 */
let zendesk: RunningFakeZendesk;
let elsewhere: Server;
let elsewhereUrl: string;
let elsewhereHits = 0;

beforeAll(async () => {
  zendesk = await startFakeZendesk();
  elsewhere = createServer((_req, res) => {
    elsewhereHits += 1;
    res.end('{}');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await zendesk.close();
  await new Promise((resolve) => elsewhere.close(resolve));
});

function deps(): ProxyDeps {
  return {
    zendesk: createSandboxZendeskClient(zendesk.baseUrl),
    logger: createLogger({ level: 'silent', redactor: createRedactor(() => []) }),
  };
}

describe('the preview proxy', () => {
  it("answers the ticket's comments in Zendesk's shape, with the authors side-loaded", async () => {
    const reply = await proxyAppRequest(
      { url: '/api/v2/tickets/1/comments.json?sort_order=desc&include=users' },
      deps(),
    );
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.responseText) as {
      comments: { id: number; author_id: number }[];
      users: { id: number; name: string }[];
    };
    expect(body.comments.map((comment) => comment.id)).toContain(10000000001);
    expect(body.users.map((user) => user.name)).toContain('Maria Lopez');
  });

  it('answers 404 in Zendesk words for a ticket that does not exist', async () => {
    const reply = await proxyAppRequest({ url: '/api/v2/tickets/999/comments.json' }, deps());
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.responseText)).toMatchObject({ error: 'RecordNotFound' });
  });

  it('refuses to write to Zendesk', async () => {
    const reply = await proxyAppRequest(
      { url: '/api/v2/tickets/1.json', type: 'PUT', data: '{}' },
      deps(),
    );
    expect(reply.status).toBe(403);
  });

  it('is no relay: any other URL is refused and never called, whatever the options', async () => {
    for (const options of [
      { url: `${elsewhereUrl}/api/connectors` },
      { url: `${elsewhereUrl}/x`, secure: true, headers: { Authorization: 'Bearer t' } },
      { url: '//evil.example/api' },
    ]) {
      const reply = await proxyAppRequest(options, deps());
      expect(reply.status).toBe(403);
      expect(JSON.parse(reply.responseText)).toMatchObject({ error: 'PreviewProxyRefused' });
    }
    expect(elsewhereHits).toBe(0);
  });

  it('refuses options the SDK would never send, naming them', async () => {
    const reply = await proxyAppRequest({ url: '/api/v2/users/me', typo: true }, deps());
    expect(reply.status).toBe(400);
    expect(reply.responseText).toContain('typo');
  });
});
