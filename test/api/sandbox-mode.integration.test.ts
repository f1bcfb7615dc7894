import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/src/env/parse-env';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { startServer } from '../../server/src/start-server';
import type { RunningServer } from '../../server/src/start-server';
import { readPageSession } from '../support/start-test-stack';

/**
 * The service as `npm start` runs it with no environment: sandbox mode, with its Zendesk and
 * Salesforce stand-ins mounted on the server itself under /sandbox.
 */
let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dc-sandbox-'));
  const parsed = parseEnv({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  if (!parsed.ok) throw new Error(parsed.error.problems.join('; '));
  expect(parsed.value.mode).toBe('sandbox');
  const started = await startServer(parsed.value);
  if (!started.ok) throw new Error(started.error.message);
  server = started.value;
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sandbox mode, as npm start runs it', () => {
  it('tells clients it keeps idle connections 65 s, longer than a load balancer keeps its own', async () => {
    const agent = new Agent({ keepAlive: true });
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      get(`${server.url}/health`, { agent }, (res) => {
        res.resume();
        resolve(res.headers);
      }).on('error', reject);
    });
    agent.destroy();
    expect(headers['connection']).toBe('keep-alive');
    expect(headers['keep-alive']).toBe('timeout=65');
  });

  it('lists the connectors of a sandbox ticket with the sandbox admin token', async () => {
    const res = await request(server.url)
      .get('/api/connectors?ticketId=1')
      .set('Authorization', 'Bearer sandbox-admin-token');
    expect(res.status).toBe(200);
    expect(res.body.connectors.map((c: { id: string }) => c.id)).toContain('shopify_order_lookup');
  });

  it('signs in to its own Salesforce stand-in and lists the connectors of a Case', async () => {
    const res = await request(server.url)
      .get(
        `/api/salesforce/connectors?objectApiName=Case&recordId=${SANDBOX_SALESFORCE_IDS.cases.order1001}`,
      )
      .set('X-Connector-Key', 'sandbox-salesforce-connector-key');
    expect(res.status).toBe(200);
    const lookup = res.body.connectors.find((c: { id: string }) => c.id === 'shopify_order_lookup');
    expect(lookup.inputs).toContainEqual(
      expect.objectContaining({ name: 'order_number', value: '#1001' }),
    );
  });

  it('serves the preview page, whose signed sidebar load passes the real verification', async () => {
    const res = await request(server.url).get('/preview?ticket=1');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Where is my order #1001?');
    // The sandbox signs like Zendesk, with its own app key, fetched from its own fake Zendesk.
    const token = /name="token" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
    const sidebar = await request(server.url)
      .post(`/zendesk/sidebar?origin=${encodeURIComponent(server.url)}&app_guid=g`)
      .type('form')
      .send({ token });
    expect(sidebar.status).toBe(200);
    const session = readPageSession(sidebar.text);
    const list = await request(server.url)
      .get('/api/connectors?ticketId=1')
      .set('Authorization', `Bearer ${session?.token}`);
    expect(list.status).toBe(200);
  });

  it('answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    const statusFor = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/health', headers: { host } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await statusFor(host)).status, host).toBe(200);
    }
    for (const host of ['rebind.attacker.example', `evil.test:${port}`]) {
      const refused = await statusFor(host);
      expect(refused.status, host).toBe(421);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
    }
    // A connector run too, though its plain path is served ahead of the app's router.
    const run = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/connectors/shopify_order_lookup/run',
          headers: {
            host: 'rebind.attacker.example',
            authorization: 'Bearer sandbox-admin-token',
            'content-type': 'application/json',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ ticketId: 1 }));
    });
    expect(run.status).toBe(421);
    expect(JSON.parse(run.body)).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
  });

  it('accepts no session it did not sign, whatever the sandbox key', async () => {
    const res = await request(server.url)
      .get('/api/connectors?ticketId=1')
      .set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.x');
    expect(res.status).toBe(401);
  });
});
