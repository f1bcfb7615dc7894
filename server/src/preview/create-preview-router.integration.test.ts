import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreviewStack, type PreviewStack } from '../../../test/support/start-preview-stack';
import { TEST_ADMIN_TOKEN, readPageSession } from '../../../test/support/start-test-stack';
import {
  SANDBOX_FIELD_IDS,
  SANDBOX_USER_IDS,
  SANDBOX_ZENDESK_CREDENTIALS,
} from '../sandbox/seed/zendesk-seed';
import type { ProxyReply } from './preview-contracts';

let stack: PreviewStack;
/** Every body the preview sent in this file; none may hold a server secret. */
const bodies: string[] = [];

const assetsDir = mkdtempSync(join(tmpdir(), 'dc-preview-assets-'));
const STUB_APP = '<!doctype html><html><head><title>stub app</title></head><body></body></html>';

beforeAll(async () => {
  writeFileSync(join(assetsDir, 'iframe.html'), STUB_APP);
  stack = await startPreviewStack({ appAssetsDir: assetsDir });
});
afterAll(async () => {
  await stack.close();
  rmSync(assetsDir, { recursive: true, force: true });
});

async function get(path: string) {
  const res = await request(stack.server.app).get(`/preview${path}`);
  bodies.push(res.text);
  return res;
}

async function proxy(options: unknown, extra: { origin?: string } = {}) {
  const res = await request(stack.server.app)
    .post('/preview/proxy')
    .set(extra.origin ? { Origin: extra.origin } : {})
    .send({ ticketId: 1, options });
  bodies.push(res.text);
  return res;
}

/** The signed token the page posts into the sidebar frame. */
function signedToken(html: string): string {
  return /<form id="signed-load"[\s\S]*?name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

/** What the sidebar frame receives when the page posts the token, as Zendesk's would. */
async function loadSidebar(token: string) {
  const res = await request(stack.server.app)
    .post('/zendesk/sidebar?origin=http%3A%2F%2F127.0.0.1&app_guid=preview')
    .type('form')
    .send({ token });
  bodies.push(res.text);
  return res;
}

function readReply(res: request.Response): ProxyReply & { json: unknown } {
  const reply = res.body as ProxyReply;
  return { ...reply, json: reply.responseText ? JSON.parse(reply.responseText) : undefined };
}

describe('the preview page', () => {
  it('shows the ticket, its conversation and its custom fields with their current values', async () => {
    const res = await get('?ticket=1');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('Where is my order #1001?');
    expect(res.text).toContain('Maria Lopez');
    expect(res.text).toContain('Any update? I need it before the weekend.');
    expect(res.text).toMatch(/class="comment internal"[^>]*>[\s\S]*checking with the warehouse/);
    expect(res.text).toContain('<label for="custom_field_360001000001">Order number');
    expect(res.text).toMatch(
      /id="custom_field_360001000001" name="custom_field_360001000001" value="#1001"/,
    );
    expect(res.text).toContain('Payment status');
    // System fields are not part of the custom field form.
    expect(res.text).not.toContain('for="custom_field_360000000001"');
  });

  it('loads the sidebar as Zendesk loads a signed location: a form POST into a 320 px frame', async () => {
    const res = await get('?ticket=2');
    expect(res.text).toMatch(/<iframe id="app-frame" name="app-frame"[^>]*width="320"/);
    expect(res.text).toMatch(
      /<form id="signed-load" method="post" action="\/zendesk\/sidebar" target="app-frame"/,
    );
    expect(res.text).toContain('href="/preview?ticket=4&amp;agent=90000000002"');
    const sidebar = await loadSidebar(signedToken(res.text));
    expect(sidebar.status).toBe(200);
    expect(sidebar.text).toContain('stub app');
    expect(readPageSession(sidebar.text)).toMatchObject({ user: { id: SANDBOX_USER_IDS.agent } });
    expect(sidebar.headers['content-security-policy']).toContain(
      "frame-ancestors https://sandbox.zendesk.com 'self'",
    );
  });

  it('signs the load for the agent the picker names, through the real verification', async () => {
    const res = await get(`?ticket=5&agent=${SANDBOX_USER_IDS.rileyRestricted}`);
    expect(res.text).toContain('<option value="90000000003" selected>Riley Escalations</option>');
    const sidebar = await loadSidebar(signedToken(res.text));
    expect(readPageSession(sidebar.text)).toMatchObject({
      user: { id: SANDBOX_USER_IDS.rileyRestricted, name: 'Riley Escalations' },
    });
  });

  it('signs with a key Zendesk never published on a signature=forged page, and the server refuses it', async () => {
    const res = await get('?ticket=1&signature=forged');
    expect(res.text).toContain('a key Zendesk never published');
    const sidebar = await loadSidebar(signedToken(res.text));
    expect(sidebar.status).toBe(401);
    expect(readPageSession(sidebar.text)).toBeUndefined();
    expect(sidebar.text).toContain('Could not verify Zendesk');
  });

  it('tells how to build the app when its assets are missing', async () => {
    rmSync(join(assetsDir, 'iframe.html'));
    try {
      const res = await get('?ticket=1');
      expect(res.text).not.toContain('<iframe');
      expect(res.text).toContain('npm run zendesk:build');
    } finally {
      writeFileSync(join(assetsDir, 'iframe.html'), STUB_APP);
    }
  });

  it('embeds the app settings and no secret', async () => {
    const res = await get('?ticket=1&signature=forged');
    const state = JSON.parse(
      /<script type="application\/json" id="preview-state">(.*?)<\/script>/s.exec(res.text)?.[1] ??
        '{}',
    );
    expect(state.settings).toEqual({ server_url: stack.url, title: 'Data Connectors' });
    expect(state.forgedSignature).toBe(true);
  });

  it('answers 404 for a ticket Zendesk does not have, and 400 for a malformed address', async () => {
    expect((await get('?ticket=999')).status).toBe(404);
    expect((await get('?ticket=abc')).status).toBe(400);
  });

  it('serves the host script bundled for the browser', async () => {
    const res = await get('/host.js');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/javascript');
    expect(res.text).toContain('iframe.handshake');
    expect(res.text).not.toMatch(/^import /m);
  });

  it('re-reads the ticket from Zendesk for the Reload button', async () => {
    const res = await get('/ticket.json?ticket=1');
    expect(res.status).toBe(200);
    expect(res.body.ticket.customFields[String(SANDBOX_FIELD_IDS.orderNumber)]).toBe('#1001');
    expect(res.body.html.conversation).toContain('data-comment-id="10000000003"');
  });
});

describe('the preview proxy', () => {
  it('answers only its own page (no cross-site posts)', async () => {
    const res = await proxy({ url: '/api/v2/users/me.json' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it('relays nothing to the server or anywhere else: the sidebar calls its server itself', async () => {
    const before = stack.upstream.journal.length;
    for (const url of [`${stack.url}/api/connectors?ticketId=1`, stack.upstream.baseUrl]) {
      expect(readReply(await proxy({ url })).status, url).toBe(403);
    }
    expect(stack.upstream.journal.length).toBe(before);
  });
});

describe('the preview proxy, calling Zendesk with a relative URL', () => {
  it('reads the ticket comments the app lists for "run on a comment"', async () => {
    const reply = readReply(await proxy({ url: '/api/v2/tickets/1/comments.json' }));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      comments: expect.arrayContaining([
        expect.objectContaining({ id: 10000000002, public: false, author_id: 90000000002 }),
      ]),
    });
  });

  it('reads tickets, users and ticket fields', async () => {
    expect(readReply(await proxy({ url: '/api/v2/tickets/1.json' })).json).toMatchObject({
      ticket: { id: 1 },
    });
    expect(readReply(await proxy({ url: '/api/v2/users/90000000101.json' })).json).toMatchObject({
      user: { name: 'Maria Lopez' },
    });
    expect(readReply(await proxy({ url: '/api/v2/ticket_fields.json' })).json).toMatchObject({
      ticket_fields: expect.arrayContaining([expect.objectContaining({ title: 'Order number' })]),
    });
    expect(readReply(await proxy({ url: '/api/v2/tickets/999.json' })).status).toBe(404);
  });

  it('refuses writes and endpoints the app does not need', async () => {
    const before = stack.zendesk.journal.length;
    const write = readReply(
      await proxy({
        url: '/api/v2/tickets/1.json',
        type: 'PUT',
        data: '{"ticket":{"status":"solved"}}',
      }),
    );
    expect(write.status).toBe(403);
    expect(readReply(await proxy({ url: '/api/v2/users.json' })).status).toBe(403);
    expect(stack.zendesk.journal.slice(before).filter((entry) => entry.method !== 'GET')).toEqual(
      [],
    );
  });
});

describe("the server's secrets", () => {
  it('appear in no response the preview or the sidebar sent', () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) {
      expect(body).not.toContain(TEST_ADMIN_TOKEN);
      expect(body).not.toContain(SANDBOX_ZENDESK_CREDENTIALS.apiToken);
    }
  });
});
