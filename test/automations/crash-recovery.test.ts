import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { startServerProcess } from '../support/start-server-process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The real server as a child process, killed with SIGKILL while workflow deliveries are in the
 * middle of a connector call, then started again on the same data folder: every delivery must
 * complete, and every side effect must happen exactly once.
 *
 * The workflow has two run steps against an upstream this test controls: "create" (a POST that
 * answers at once) and "confirm" (a POST the upstream records, then holds unanswered, as a slow
 * API would). The kill comes once two deliveries are held inside "confirm"; two more are still
 * queued. "confirm" declares an idempotency key, which the upstream deduplicates on.
 */

const TEST_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const ADMIN = { Authorization: 'Bearer sandbox-admin-token' };
const TICKETS = [1, 2, 3, 4];
const CONCURRENCY = 2;

interface SlowUpstream {
  server: Server;
  url: string;
  /** Raw calls per ticket. */
  createCalls: Map<string, number>;
  confirmCalls: Map<string, number>;
  /** Distinct idempotency keys per ticket: the confirmations that took effect. */
  confirmations: Map<string, Set<string>>;
  hold: boolean;
  held: ServerResponse[];
  heldCount: (n: number) => Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

async function startSlowUpstream(): Promise<SlowUpstream> {
  const waiters: { n: number; resolve: () => void }[] = [];
  const upstream = {
    createCalls: new Map<string, number>(),
    confirmCalls: new Map<string, number>(),
    confirmations: new Map<string, Set<string>>(),
    hold: true,
    held: [] as ServerResponse[],
    heldCount: (n: number) =>
      new Promise<void>((resolve) => {
        if (upstream.held.length >= n) resolve();
        else waiters.push({ n, resolve });
      }),
  };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const server = createServer((req, res) => {
    void readJson(req).then((body) => {
      const ticket = String(body.ticket);
      const reply = (json: unknown) => {
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      };
      if (req.url === '/create') {
        bump(upstream.createCalls, ticket);
        reply({ id: `C-${ticket}` });
        return;
      }
      bump(upstream.confirmCalls, ticket);
      const key = String(req.headers['idempotency-key'] ?? '');
      const keys = upstream.confirmations.get(ticket) ?? new Set<string>();
      keys.add(key);
      upstream.confirmations.set(ticket, keys);
      if (!upstream.hold) {
        reply({ ref: `R-${ticket}` });
        return;
      }
      upstream.held.push(res);
      for (const waiter of waiters.filter((w) => upstream.held.length >= w.n)) waiter.resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(upstream, { server, url: `http://127.0.0.1:${port}` });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function writeConfig(path: string, upstreamUrl: string): void {
  const inputs = [{ name: 'ticket_id', type: 'integer', source: 'ticket.id' }];
  const connector = (
    id: string,
    path: string,
    extra: { inputs?: unknown[]; headers?: Record<string, string>; response: unknown },
  ) => ({
    id,
    name: id,
    connection: 'slow',
    surfaces: ['automation'],
    inputs: [...inputs, ...(extra.inputs ?? [])],
    request: {
      method: 'POST',
      path,
      headers: extra.headers ?? {},
      body: { type: 'json', value: { ticket: '{{inputs.ticket_id}}' } },
    },
    response: extra.response,
  });
  const config = {
    connections: {
      slow: {
        baseUrl: upstreamUrl,
        allowedHosts: ['127.0.0.1'],
        allowPrivateNetwork: true,
        timeoutMs: 30_000,
      },
    },
    connectors: [
      connector('crash_create', '/create', {
        response: { successStatus: [201], outputs: [{ name: 'created_id', path: 'id' }] },
      }),
      connector('crash_confirm', '/confirm', {
        inputs: [{ name: 'idempotency_key', required: false, default: '' }],
        headers: { 'Idempotency-Key': '{{inputs.idempotency_key}}' },
        response: { successStatus: [201], outputs: [{ name: 'ref', path: 'ref' }] },
      }),
    ],
    workflows: [
      {
        id: 'crash_flow',
        name: 'Crash flow',
        trigger: { zendesk: {} },
        steps: [
          { type: 'run', id: 'create', connector: 'crash_create' },
          { type: 'run', id: 'confirm', connector: 'crash_confirm', idempotencyKey: true },
          {
            type: 'write',
            id: 'note',
            internalNote: 'Done {{steps.create.outputs.created_id}} {{steps.confirm.outputs.ref}}',
          },
        ],
      },
    ],
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
}

function signedDelivery(url: string, ticketId: number) {
  const body = JSON.stringify({ ticket_id: String(ticketId) });
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return request(url)
    .post('/webhooks/zendesk/crash_flow')
    .set('Content-Type', 'application/json')
    .set('X-Zendesk-Webhook-Signature-Timestamp', timestamp)
    .set(
      'X-Zendesk-Webhook-Signature',
      createHmac('sha256', TEST_SECRET)
        .update(timestamp + body)
        .digest('base64'),
    )
    .send(body);
}

async function waitUntilFinished(url: string, ids: string[]) {
  for (;;) {
    const deliveries = await Promise.all(
      ids.map(
        async (id) => (await request(url).get(`/api/admin/deliveries/${id}`).set(ADMIN)).body,
      ),
    );
    if (
      deliveries.every((d) => d.delivery?.state === 'completed' || d.delivery?.state === 'dead')
    ) {
      return deliveries;
    }
    // Another process: there is no event to await, so poll; gently, as the admin API's read
    // limit (300 a minute) counts these too.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

describe('a server killed with SIGKILL in the middle of its deliveries', () => {
  it('resumes them on restart and completes each exactly once', { timeout: 60_000 }, async () => {
    const upstream = await startSlowUpstream();
    cleanups.push(() => {
      upstream.server.closeAllConnections();
      upstream.server.close();
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const configPath = join(dataDir, 'connectors.json');
    writeConfig(configPath, upstream.url);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: String(port),
      DATA_DIR: dataDir,
      CONNECTORS_CONFIG: configPath,
      LOG_LEVEL: 'warn',
      WORKFLOW_CONCURRENCY: String(CONCURRENCY),
    };
    const url = `http://127.0.0.1:${port}`;

    const first = (await startServerProcess(env)).child;
    children.push(first);
    const ids: string[] = [];
    for (const ticketId of TICKETS) {
      const res = await signedDelivery(url, ticketId);
      expect(res.status).toBe(202);
      ids.push(res.body.deliveryId);
    }
    await upstream.heldCount(CONCURRENCY);
    first.kill('SIGKILL');
    await once(first, 'exit');
    upstream.hold = false;
    for (const res of upstream.held) res.destroy();

    const second = (await startServerProcess(env)).child;
    children.push(second);
    const deliveries = await waitUntilFinished(url, ids);
    expect(deliveries.map((d) => [d.delivery.state, d.delivery.outcome])).toEqual(
      TICKETS.map(() => ['completed', 'success']),
    );

    for (const ticketId of TICKETS) {
      const ticket = String(ticketId);
      // "create" finished before the kill in the interrupted deliveries: it was not sent again.
      expect(upstream.createCalls.get(ticket)).toBe(1);
      // "confirm" took effect once per ticket, however often it was sent.
      expect(upstream.confirmations.get(ticket)?.size).toBe(1);
      const comments = await request(url)
        .get(`/sandbox/zendesk/api/v2/tickets/${ticketId}/comments.json`)
        .auth('admin@sandbox.local/token', 'sandbox-zendesk-token')
        .expect(200);
      const notes = (comments.body.comments as { body: string }[]).filter((c) =>
        c.body.startsWith('Done '),
      );
      expect(notes.map((note) => note.body)).toEqual([`Done C-${ticket} R-${ticket}`]);
    }
    // The two held calls were sent again after the restart, with the same key.
    const resent = [...upstream.confirmCalls.values()].filter((calls) => calls === 2);
    expect(resent).toHaveLength(CONCURRENCY);
    second.kill('SIGTERM');
    await once(second, 'exit');
  });
});
