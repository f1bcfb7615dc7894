import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startMailCatcher } from '../sandbox/mail-catcher/mail-catcher';
import type { MailCatcher } from '../sandbox/mail-catcher/mail-catcher';
import {
  caughtMailListSchema,
  createMailCatcherRouter,
} from '../sandbox/mail-catcher/mail-catcher-routes';
import { createSmtpMailer } from './smtp-mailer';

const MAIL = {
  to: 'ann@example.com',
  toName: 'Ann <Admin>',
  code: '482913',
  validMinutes: 10,
  purpose: 'Looking up your order',
};

let catcher: MailCatcher | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await catcher?.close();
  catcher = undefined;
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the SMTP mailer', () => {
  it('delivers the code over SMTP to the sandbox catcher, readable at /sandbox/mail/messages.json', async () => {
    catcher = await startMailCatcher();
    const mailer = createSmtpMailer({
      ...catcher.smtp,
      secure: false,
      from: 'Acme Support <support@acme.test>',
    });
    cleanups.push(() => mailer.close());
    expect(await mailer.sendCode(MAIL)).toEqual({ ok: true, value: null });

    const app = express();
    app.use('/sandbox/mail', createMailCatcherRouter(catcher));
    const answer = await request(app).get('/sandbox/mail/messages.json').expect(200);
    const { messages } = caughtMailListSchema.parse(answer.body);
    expect(messages).toEqual([
      {
        id: 'mail-1',
        from: 'support@acme.test',
        to: ['ann@example.com'],
        subject: 'Your verification code',
        text: expect.stringContaining(
          'Your verification code is 482913. It expires in 10 minutes. If you did not ask for it, ignore this email.',
        ),
        receivedAt: expect.any(String),
      },
    ]);
    const raw = catcher.messages()[0]?.raw ?? '';
    expect(raw).toMatch(/^From: Acme Support <support@acme\.test>$/m);
    // The display name is quoted by nodemailer, not spliced into the header.
    expect(raw).toMatch(/^To: "Ann <Admin>" <ann@example\.com>$/m);
    expect(raw).toContain('Content-Type: multipart/alternative');
    expect(raw).toContain('Hello Ann &lt;Admin&gt;,');
  });

  it('reports a mail server it cannot reach as VERIFICATION_SEND_FAILED', async () => {
    const port = await freePort();
    const mailer = createSmtpMailer({
      host: '127.0.0.1',
      port,
      secure: false,
      from: 'support@acme.test',
      timeoutMs: 2000,
    });
    cleanups.push(() => mailer.close());
    const sent = await mailer.sendCode(MAIL);
    expect(sent).toEqual({
      ok: false,
      error: {
        code: 'VERIFICATION_SEND_FAILED',
        message: expect.stringMatching(
          new RegExp(
            `^The verification email could not be sent through 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`,
          ),
        ),
      },
    });
  });

  it("passes the server's refusal on without the password, even when the server echoes it", async () => {
    const password = 'hunter2-correct-horse-battery';
    // A server that quotes the login back, base64 and all, as a careless one might.
    const server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 500,
      onAuth: (auth, _session, callback) => {
        const echoed = `${auth.username}:${auth.password ?? ''}`;
        callback(new Error(`no such login ${echoed} (${Buffer.from(echoed).toString('base64')})`));
      },
    });
    const port = await new Promise<number>((resolve) => {
      const net = server.listen(0, '127.0.0.1', () => resolve((net.address() as AddressInfo).port));
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const mailer = createSmtpMailer({
      host: '127.0.0.1',
      port,
      secure: false,
      user: 'mailer@acme.test',
      password,
      from: 'support@acme.test',
    });
    cleanups.push(() => mailer.close());
    const sent = await mailer.sendCode(MAIL);
    expect(sent.ok).toBe(false);
    const message = sent.ok ? '' : sent.error.message;
    expect(message).toContain('no such login mailer@acme.test:[secret]');
    expect(message).not.toContain(password);
    expect(message).not.toContain(Buffer.from(`mailer@acme.test:${password}`).toString('base64'));
    expect(message).not.toContain('482913');
  });

  it('refuses to send the code in clear to a remote server that offers no STARTTLS', async () => {
    catcher = await startMailCatcher();
    // The catcher offers no STARTTLS; as a remote server (requireTls) it must be refused.
    const mailer = createSmtpMailer({
      ...catcher.smtp,
      secure: false,
      requireTls: true,
      from: 'support@acme.test',
    });
    cleanups.push(() => mailer.close());
    expect(await mailer.sendCode(MAIL)).toMatchObject({
      ok: false,
      error: { code: 'VERIFICATION_SEND_FAILED', message: expect.stringContaining('STARTTLS') },
    });
    expect(catcher.messages()).toEqual([]);
  });
});

describe('plain mails through the SMTP mailer (connector alerts)', () => {
  it('delivers a plain-text mail to every recipient', async () => {
    catcher = await startMailCatcher();
    const mailer = createSmtpMailer({ ...catcher.smtp, secure: false, from: 'alerts@acme.test' });
    cleanups.push(() => mailer.close());
    expect(
      await mailer.sendMail({
        to: ['ops@acme.test', 'oncall@acme.test'],
        subject: '[Data Connectors] "Order lookup" is failing: 3 failures in a row',
        text: 'Connector "Order lookup" (order_lookup) is failing.',
      }),
    ).toEqual({ ok: true, value: null });
    expect(catcher.messages()).toEqual([
      expect.objectContaining({
        from: 'alerts@acme.test',
        to: ['ops@acme.test', 'oncall@acme.test'],
        subject: '[Data Connectors] "Order lookup" is failing: 3 failures in a row',
        text: 'Connector "Order lookup" (order_lookup) is failing.',
      }),
    ]);
  });

  it('reports a mail server it cannot reach as MAIL_SEND_FAILED', async () => {
    const port = await freePort();
    const mailer = createSmtpMailer({
      host: '127.0.0.1',
      port,
      secure: false,
      from: 'alerts@acme.test',
      timeoutMs: 2000,
    });
    cleanups.push(() => mailer.close());
    expect(await mailer.sendMail({ to: ['ops@acme.test'], subject: 's', text: 't' })).toEqual({
      ok: false,
      error: {
        code: 'MAIL_SEND_FAILED',
        message: expect.stringMatching(/^The email could not be sent through .*ECONNREFUSED/),
      },
    });
  });
});
