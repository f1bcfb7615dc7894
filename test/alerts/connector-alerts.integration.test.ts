import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  listAlertsAnswerSchema,
  resumeConnectorAnswerSchema,
} from '../../shared/src/api/alert-contracts';
import { SANDBOX_SECRETS, startTestStack, TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Connector alerts end to end, on the whole service: the Shopify stand-in goes down, the order
 * lookup fails three times in a row, one email reaches the mail catcher (and one Slack-style
 * post the webhook), the connector is paused for agents until the admin resumes it, and the
 * first healthy run sends one "recovered".
 */

const CONNECTOR = 'shopify_order_lookup';
const NAME = 'Look up Shopify order';
const WEBHOOK_TOKEN = 'T0000/B0000/w3bh00kS3cr3tT0k3n';

let stack: TestStack;
let hook: Server;
const posts: { path: string; body: { text: string; blocks: unknown[] } }[] = [];

/** The mails the alerts sent (the catcher also receives verification codes). */
const alertMails = () =>
  stack.mail.messages().filter((mail) => mail.subject.startsWith('[Data Connectors]'));

async function runLookup(auth: { Authorization: string }) {
  const response = await request(stack.server.app)
    .post(`/api/connectors/${CONNECTOR}/run`)
    .set(auth)
    .send({ ticketId: 1, inputs: { order_number: '#1001' } });
  await stack.server.alerts.idle();
  return response;
}

beforeAll(async () => {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const { port } = hook.address() as AddressInfo;
  stack = await startTestStack({
    secrets: {
      ...SANDBOX_SECRETS,
      SLACK_ALERTS_WEBHOOK: `http://127.0.0.1:${port}/services/${WEBHOOK_TOKEN}`,
    },
    editConfig: (config) => {
      const connectors = config.connectors as { id: string; alerts?: unknown }[];
      const lookup = connectors.find((connector) => connector.id === CONNECTOR);
      if (!lookup) throw new Error(`the example config has no ${CONNECTOR}`);
      lookup.alerts = {
        failuresInARow: 3,
        email: ['ops@example.com'],
        webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
        pause: true,
      };
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
});

describe('a connector whose upstream keeps failing', () => {
  it('alerts once, by email and webhook, when the third run in a row fails', async () => {
    const agent = await stack.signInAgent();
    stack.upstream.setOutage(true, { service: 'shopify', retryAfterSeconds: 1 });
    for (let run = 1; run <= 2; run++) {
      const failed = await runLookup(agent.auth);
      expect(failed.status).toBe(200);
      expect(failed.body.outcome).toBe('failed');
    }
    expect(alertMails()).toEqual([]);

    expect((await runLookup(agent.auth)).body.outcome).toBe('failed');
    const mails = alertMails();
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toBe(`[Data Connectors] "${NAME}" is failing: 3 failures in a row`);
    expect(mail?.to).toEqual(['ops@example.com']);
    expect(mail?.text).toContain(`(${CONNECTOR}) is failing`);
    expect(mail?.text).toContain('Last error: UPSTREAM_RETRIES_EXHAUSTED');
    expect(mail?.text).toContain('The connector is paused');
    expect(mail?.text).toContain(`${stack.url}/admin#/logs?connectorId=${CONNECTOR}`);

    expect(posts).toHaveLength(1);
    expect(posts[0]?.path).toBe(`/services/${WEBHOOK_TOKEN}`);
    expect(posts[0]?.body.text).toBe(`[Data Connectors] "${NAME}" is failing: 3 failures in a row`);
  });

  it('says nothing of secrets, requests or answers in the alert, nor of the webhook URL in the log', () => {
    const [mail] = alertMails();
    const sent = `${mail?.raw ?? ''}\n${JSON.stringify(posts)}`;
    for (const secret of [...Object.values(SANDBOX_SECRETS), TEST_ADMIN_TOKEN]) {
      expect(sent).not.toContain(secret);
    }
    // The Shopify stand-in's 503 body, and the request's query.
    expect(sent).not.toContain('Service Unavailable');
    expect(sent).not.toContain('1001');
    expect(stack.logLines.join('\n')).not.toContain(WEBHOOK_TOKEN);
  });

  it('refuses further runs with CONNECTOR_PAUSED, "paused by the admin", without calling Shopify', async () => {
    const agent = await stack.signInAgent();
    const before = stack.upstream.journal.length;
    const refused = await runLookup(agent.auth);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({
      code: 'CONNECTOR_PAUSED',
      message: `"${NAME}" is paused by the admin.`,
    });
    expect(stack.upstream.journal.length).toBe(before);
    // Refused runs are not runs: no second alert.
    expect(alertMails()).toHaveLength(1);
  });

  it('shows it to agents as paused by the admin instead of hiding it', async () => {
    const agent = await stack.signInAgent();
    const listed = await request(stack.server.app)
      .get('/api/connectors?ticketId=1')
      .set(agent.auth);
    expect(listed.status).toBe(200);
    const lookup = (listed.body.connectors as { id: string; unavailable: unknown }[]).find(
      (connector) => connector.id === CONNECTOR,
    );
    expect(lookup?.unavailable).toEqual({
      code: 'CONNECTOR_PAUSED',
      message: `"${NAME}" is paused by the admin.`,
    });
  });

  it('lists the incident and the pause for the admin, and not for an agent', async () => {
    const agent = await stack.signInAgent();
    expect((await request(stack.server.app).get('/api/admin/alerts').set(agent.auth)).status).toBe(
      403,
    );
    const answer = await request(stack.server.app).get('/api/admin/alerts').set(stack.adminAuth);
    expect(answer.status).toBe(200);
    // Read back whole: every field the server sends is in the contract.
    expect(z.parse(listAlertsAnswerSchema, answer.body)).toStrictEqual(answer.body);
    expect(answer.body.alerts).toEqual([
      {
        connectorId: CONNECTOR,
        name: NAME,
        rule: {
          failuresInARow: 3,
          failureRate: null,
          email: ['ops@example.com'],
          webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
          pause: true,
        },
        state: 'incident',
        incident: { since: expect.any(String), reason: '3 failures in a row' },
        paused: { since: expect.any(String) },
        failuresInARow: 3,
        lastFailure: {
          runId: expect.stringMatching(/^run_/),
          errorCode: 'UPSTREAM_RETRIES_EXHAUSTED',
          message: expect.any(String),
          at: expect.any(String),
        },
      },
    ]);
  });

  it('lets only the admin resume it; an unknown connector is not found', async () => {
    const agent = await stack.signInAgent();
    const path = `/api/admin/connectors/${CONNECTOR}/resume`;
    expect((await request(stack.server.app).post(path).set(agent.auth)).status).toBe(403);
    expect(
      (
        await request(stack.server.app)
          .post('/api/admin/connectors/nope/resume')
          .set(stack.adminAuth)
      ).body.error.code,
    ).toBe('CONNECTOR_NOT_FOUND');
    const resumed = await request(stack.server.app).post(path).set(stack.adminAuth);
    expect(resumed.status).toBe(200);
    expect(z.parse(resumeConnectorAnswerSchema, resumed.body)).toStrictEqual(resumed.body);
    expect(resumed.body).toMatchObject({
      resumed: true,
      alert: { state: 'incident', paused: null },
    });
  });

  it('sends one "recovered" on the first healthy run after the resume', async () => {
    const agent = await stack.signInAgent();
    stack.upstream.setOutage(false);
    const healthy = await runLookup(agent.auth);
    expect(healthy.status).toBe(200);
    expect(healthy.body.outcome).toBe('success');
    expect(await runLookup(agent.auth)).toMatchObject({ status: 200 });

    expect(alertMails().map((mail) => mail.subject)).toEqual([
      `[Data Connectors] "${NAME}" is failing: 3 failures in a row`,
      `[Data Connectors] "${NAME}" has recovered`,
    ]);
    expect(posts.map((post) => post.body.text)).toEqual([
      `[Data Connectors] "${NAME}" is failing: 3 failures in a row`,
      `[Data Connectors] "${NAME}" has recovered`,
    ]);
    const answer = await request(stack.server.app).get('/api/admin/alerts').set(stack.adminAuth);
    expect(answer.body.alerts[0]).toMatchObject({ state: 'ok', paused: null, failuresInARow: 0 });
  });
});
