import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreviewStack, type PreviewStack } from '../../../test/support/start-preview-stack';
import { TEST_SHARED_SECRET } from '../../../test/support/start-test-stack';
import { SANDBOX_FIELD_IDS } from '../sandbox/seed/zendesk-seed';
import type { ProxyReply } from './preview-contracts';

let stack: PreviewStack;
/** Every body the preview sent in this file; none may hold the shared secret. */
const bodies: string[] = [];

const assetsDir = mkdtempSync(join(tmpdir(), 'dc-preview-assets-'));

beforeAll(async () => {
  writeFileSync(join(assetsDir, 'iframe.html'), '<!doctype html><title>stub app</title>');
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

async function proxy(options: unknown, extra: { wrongSecret?: boolean; origin?: string } = {}) {
  const res = await request(stack.server.app)
    .post('/preview/proxy')
    .set(extra.origin ? { Origin: extra.origin } : {})
    .send({ ticketId: 1, wrongSecret: extra.wrongSecret ?? false, options });
  bodies.push(res.text);
  return res;
}

/** The options the sidebar app sends for every call to the server. */
function serverCall(path: string, extra: Record<string, unknown> = {}) {
  return {
    url: `${stack.url}${path}`,
    type: 'GET',
    secure: true,
    cors: false,
    contentType: 'application/json',
    dataType: 'json',
    httpCompleteResponse: true,
    headers: { Authorization: 'Bearer {{jwt.token}}' },
    jwt: { algorithm: 'HS256', secret_key: '{{setting.shared_secret}}', expiry: 60 },
    ...extra,
  };
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

  it('hosts the app in a 320 px sidebar frame served from the app assets', async () => {
    const res = await get('?ticket=2');
    expect(res.text).toMatch(
      /<iframe id="app-frame"[^>]*data-src="\/preview\/app\/assets\/iframe.html"[^>]*width="320"/,
    );
    expect(res.text).toContain('href="/preview?ticket=4"');
    const asset = await get('/app/assets/iframe.html');
    expect(asset.status).toBe(200);
    expect(asset.text).toContain('stub app');
    expect((await get('/app/assets/missing.js')).status).toBe(404);
  });

  it('tells how to build the app when its assets are missing', async () => {
    rmSync(join(assetsDir, 'iframe.html'));
    try {
      const res = await get('?ticket=1');
      expect(res.text).not.toContain('<iframe');
      expect(res.text).toContain('npm run zendesk:build');
    } finally {
      writeFileSync(join(assetsDir, 'iframe.html'), '<!doctype html><title>stub app</title>');
    }
  });

  it('embeds the app settings without the shared secret', async () => {
    const res = await get('?ticket=1&secret=wrong');
    const state = JSON.parse(
      /<script type="application\/json" id="preview-state">(.*?)<\/script>/s.exec(res.text)?.[1] ??
        '{}',
    );
    expect(state.settings).toEqual({ server_url: stack.url, title: 'Data Connectors' });
    expect(state.wrongSecret).toBe(true);
    expect(res.text).toContain('wrong <strong>Shared secret</strong>');
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

describe('the preview proxy, calling the server', () => {
  it('signs the call with the shared secret so the server accepts it', async () => {
    const reply = readReply(await proxy(serverCall('/api/connectors?ticketId=1')));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      connectors: expect.arrayContaining([expect.objectContaining({ id: 'shopify_order_lookup' })]),
    });
  });

  it('posts the JSON body the app sends', async () => {
    const reply = readReply(
      await proxy(
        serverCall('/api/connectors/shopify_order_lookup/run', {
          type: 'POST',
          data: JSON.stringify({ ticketId: 2, inputs: {}, confirmed: false }),
        }),
      ),
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ outcome: 'success' });
    expect(stack.ticket(2).customFields[String(SANDBOX_FIELD_IDS.paymentStatus)]).toBe('paid');
  });

  it('signs with another secret on a secret=wrong page, and the server answers 401', async () => {
    const reply = readReply(
      await proxy(serverCall('/api/connectors?ticketId=1'), { wrongSecret: true }),
    );
    expect(reply.status).toBe(401);
    expect(reply.json).toMatchObject({ error: { code: 'AUTH_INVALID' } });
  });

  it('refuses URLs outside the server URL, even on the same host', async () => {
    const before = stack.upstream.journal.length;
    for (const url of [
      `${stack.upstream.baseUrl}/admin/api/2024-10/orders.json`,
      'https://example.com/api/connectors',
      `${stack.url.replace('127.0.0.1', 'user:pw@127.0.0.1')}/api/connectors`,
    ]) {
      const reply = readReply(await proxy({ ...serverCall('/x'), url }));
      expect(reply.status, url).toBe(403);
    }
    expect(stack.upstream.journal.length).toBe(before);
  });

  it('substitutes the secure setting only as the JWT key', async () => {
    const reply = readReply(
      await proxy(
        serverCall('/api/connectors', { headers: { 'X-Key': '{{setting.shared_secret}}' } }),
      ),
    );
    expect(reply.status).toBe(403);
    expect(reply.responseText).toContain('may only be used as jwt.secret_key');
  });

  it('answers only its own page (no cross-site posts)', async () => {
    const res = await proxy(serverCall('/api/connectors'), { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it('rejects options the SDK would not send', async () => {
    const reply = readReply(await proxy({ ...serverCall('/api/connectors'), bogus: true }));
    expect(reply.status).toBe(400);
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

describe('the shared secret', () => {
  it('appears in no response the preview sent', () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) expect(body).not.toContain(TEST_SHARED_SECRET);
  });
});
