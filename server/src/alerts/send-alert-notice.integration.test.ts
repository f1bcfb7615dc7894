import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import type { AlertNotice } from './alert-notice';
import { createAlertNotifier, decideWebhookRetry } from './send-alert-notice';
import type { AlertMail } from './send-alert-notice';

const NOTICE: AlertNotice = {
  kind: 'failing',
  connectorId: 'order_lookup',
  connectorName: 'Order lookup',
  reason: '3 failures in a row',
  at: '2026-01-07T09:30:00.000Z',
  lastFailure: undefined,
  paused: false,
  logsUrl: 'http://127.0.0.1:3000/admin#/logs?connectorId=order_lookup',
};

interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A Slack-like incoming webhook on 127.0.0.1 answering each POST with the next status. */
async function startWebhook(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      const status = statuses[received.length - 1] ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : status === 404 ? 'no_service' : 'internal_error');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/services/T000/B000/s3cr3tW3bh00kT0k3n`, received };
}

function notifierWith(secrets: Record<string, string>, mails: AlertMail[] = []) {
  const logLines: string[] = [];
  const sleeps: number[] = [];
  // Nothing masked: the notifier itself must keep the URL out (the server's logger would also
  // mask it, as it masks every secret).
  const redactor = createRedactor(() => []);
  const send = createAlertNotifier({
    mailer: {
      sendMail: async (mail) => {
        mails.push(mail);
        return { ok: true, value: null };
      },
    },
    secret: (name) => secrets[name],
    logger: createLogger({ level: 'debug', redactor, write: (line) => logLines.push(line) }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { send, logLines, sleeps };
}

describe('the alert webhook', () => {
  it('POSTs Slack-compatible JSON to the URL in the secret', async () => {
    const hook = await startWebhook([200]);
    const { send, logLines } = notifierWith({ SLACK_ALERTS_WEBHOOK: hook.url });
    await send(NOTICE, {
      failuresInARow: 3,
      webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
      pause: false,
    });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({
      path: '/services/T000/B000/s3cr3tW3bh00kT0k3n',
      contentType: 'application/json; charset=utf-8',
      body: {
        text: '[Data Connectors] "Order lookup" is failing: 3 failures in a row',
        blocks: expect.arrayContaining([
          expect.objectContaining({ type: 'header' }),
          expect.objectContaining({ type: 'section' }),
        ]),
      },
    });
    expect(logLines.join('\n')).toContain('"msg":"alert sent"');
  });

  it('tries again after a 5xx, with a wait, and never logs the URL', async () => {
    const hook = await startWebhook([500, 503, 200]);
    const { send, logLines, sleeps } = notifierWith({ SLACK_ALERTS_WEBHOOK: hook.url });
    await send(NOTICE, {
      failuresInARow: 3,
      webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
      pause: false,
    });
    expect(hook.received).toHaveLength(3);
    expect(sleeps).toEqual([1_000, 5_000]);
    const log = logLines.join('\n');
    expect(log).toContain('alert webhook failed; trying again');
    expect(log).toContain('"attempts":3');
    expect(log).not.toContain('s3cr3tW3bh00kT0k3n');
    expect(log).not.toContain(hook.url);
  });

  it('gives up after three attempts and logs it', async () => {
    const hook = await startWebhook([500, 500, 500, 500]);
    const { send, logLines } = notifierWith({ SLACK_ALERTS_WEBHOOK: hook.url });
    await send(NOTICE, {
      failuresInARow: 3,
      webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
      pause: false,
    });
    expect(hook.received).toHaveLength(3);
    expect(logLines.join('\n')).toContain('"msg":"alert webhook not sent"');
  });

  it('does not try again when the receiver refuses the URL (404 no_service)', async () => {
    const hook = await startWebhook([404]);
    const { send, logLines, sleeps } = notifierWith({ SLACK_ALERTS_WEBHOOK: hook.url });
    await send(NOTICE, {
      failuresInARow: 3,
      webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
      pause: false,
    });
    expect(hook.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(logLines.join('\n')).toContain('answered 404: no_service');
  });

  it('logs, and still sends the email, when the secret is not set', async () => {
    const mails: AlertMail[] = [];
    const { send, logLines } = notifierWith({}, mails);
    await send(NOTICE, {
      failuresInARow: 3,
      email: ['ops@acme.test'],
      webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
      pause: false,
    });
    expect(mails).toEqual([
      expect.objectContaining({
        to: ['ops@acme.test'],
        subject: '[Data Connectors] "Order lookup" is failing: 3 failures in a row',
      }),
    ]);
    expect(logLines.join('\n')).toContain(
      'alert webhook not sent: secret SLACK_ALERTS_WEBHOOK is not set',
    );
  });

  it('reports an unreachable receiver by its error code, without the URL', async () => {
    const hook = await startWebhook([]);
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const { send, logLines } = notifierWith({ SLACK_ALERTS_WEBHOOK: hook.url });
    await send(NOTICE, {
      failuresInARow: 3,
      webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
      pause: false,
    });
    const log = logLines.join('\n');
    expect(log).toContain('ECONNREFUSED');
    expect(log).not.toContain('s3cr3tW3bh00kT0k3n');
  });
});

describe('decideWebhookRetry', () => {
  const answered = (status: number, retryAfterSeconds?: number) => ({
    kind: 'answered' as const,
    status,
    retryAfterSeconds,
    body: '',
  });

  it('waits at least what Retry-After asks, up to 30 s', () => {
    expect(decideWebhookRetry(1, answered(429, 3))).toMatchObject({ retry: true, waitMs: 3_000 });
    expect(decideWebhookRetry(1, answered(429, 3600))).toMatchObject({
      retry: true,
      waitMs: 30_000,
    });
  });

  it('does not follow a redirect', () => {
    expect(decideWebhookRetry(1, answered(302))).toMatchObject({ retry: false, sent: false });
  });
});
