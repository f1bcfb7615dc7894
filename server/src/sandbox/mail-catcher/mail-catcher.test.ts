import { connect } from 'node:net';
import express from 'express';
import { createTransport } from 'nodemailer';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startMailCatcher } from './mail-catcher';
import type { MailCatcher, MailCatcherOptions } from './mail-catcher';
import { caughtMailListSchema, createMailCatcherRouter } from './mail-catcher-routes';

let catcher: MailCatcher | undefined;
let closed = false;
const transports: { close(): void }[] = [];

afterEach(async () => {
  // The pool's connections first: the catcher waits for open connections when it closes.
  for (const transport of transports.splice(0)) transport.close();
  if (!closed) await catcher?.close();
  catcher = undefined;
  closed = false;
});

async function startCatcher(options: MailCatcherOptions = {}) {
  catcher = await startMailCatcher(options);
  const transport = createTransport({ ...catcher.smtp, secure: false, pool: true });
  transports.push(transport);
  const app = express();
  app.use('/sandbox/mail', createMailCatcherRouter(catcher));
  return {
    catcher,
    app,
    send: (mail: { to: string; subject: string; text?: string; html?: string }) =>
      transport.sendMail({ from: 'server@sandbox.test', ...mail }),
  };
}

describe('the sandbox mail catcher', () => {
  it('listens on a random loopback port and accepts mail without a login', async () => {
    const { catcher: running, send } = await startCatcher();
    expect(running.smtp.host).toBe('127.0.0.1');
    expect(running.smtp.port).toBeGreaterThan(0);
    await send({
      to: 'Ann <ann@example.com>, bob@example.com',
      subject: 'Hi',
      text: 'Hello there',
    });
    expect(running.messages()).toEqual([
      {
        id: 'mail-1',
        from: 'server@sandbox.test',
        to: ['ann@example.com', 'bob@example.com'],
        subject: 'Hi',
        text: 'Hello there',
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        raw: expect.stringMatching(/^Content-Type: text\/plain|\r\nSubject: Hi\r\n/),
      },
    ]);
  });

  it('decodes MIME: the plain part of a text and HTML mail, encoded words in the subject', async () => {
    const { catcher: running, send } = await startCatcher();
    await send({
      to: 'ann@example.com',
      subject: 'Bestätigung ✓',
      text: 'Ihr Code lautet 123456 – gültig 10 Minuten.',
      html: '<p>Ihr Code lautet <b>123456</b></p>',
    });
    const [mail] = running.messages();
    expect(mail?.subject).toBe('Bestätigung ✓');
    expect(mail?.text).toBe('Ihr Code lautet 123456 – gültig 10 Minuten.');
    expect(mail?.raw).toContain('multipart/alternative');
  });

  it('keeps the last 100 messages', async () => {
    const { catcher: running, send } = await startCatcher();
    for (let index = 1; index <= 101; index += 1) {
      await send({ to: 'ann@example.com', subject: `Mail ${index}`, text: 'x' });
    }
    const kept = running.messages();
    expect(kept).toHaveLength(100);
    expect(kept[0]).toMatchObject({ id: 'mail-2', subject: 'Mail 2' });
    expect(kept.at(-1)).toMatchObject({ id: 'mail-101', subject: 'Mail 101' });
  });

  it('refuses a message over its size limit and keeps nothing of it', async () => {
    const { catcher: running, send } = await startCatcher({ maxMessageBytes: 2048 });
    await expect(
      send({ to: 'ann@example.com', subject: 'Big', text: 'x'.repeat(10_000) }),
    ).rejects.toThrow(/552/);
    await send({ to: 'ann@example.com', subject: 'Small', text: 'ok' });
    expect(running.messages().map((mail) => mail.subject)).toEqual(['Small']);
  });

  it('answers messages.json in the documented shape, oldest first', async () => {
    const { app, send } = await startCatcher();
    await send({ to: 'ann@example.com', subject: 'First', text: 'one' });
    await send({ to: 'bob@example.com', subject: 'Second', text: 'two' });
    const answer = await request(app).get('/sandbox/mail/messages.json').expect(200);
    const list = caughtMailListSchema.parse(answer.body);
    expect(list.messages.map((mail) => [mail.id, mail.to, mail.subject, mail.text])).toEqual([
      ['mail-1', ['ann@example.com'], 'First', 'one'],
      ['mail-2', ['bob@example.com'], 'Second', 'two'],
    ]);
  });

  it('lists caught mail on a page, newest first, with everything in it escaped', async () => {
    const { app, send } = await startCatcher();
    await send({ to: 'ann@example.com', subject: 'Older', text: 'first' });
    await send({
      to: 'ann@example.com',
      subject: '<script>alert(1)</script>',
      text: 'Your code is 123456 <img src=x onerror=alert(2)>',
    });
    await request(app).get('/sandbox/mail').expect(301).expect('Location', '/sandbox/mail/');
    const page = await request(app).get('/sandbox/mail/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).not.toContain('<script>');
    expect(page.text).not.toContain('<img');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('Your code is 123456 &lt;img src=x onerror=alert(2)&gt;');
    expect(page.text.indexOf('alert(1)')).toBeLessThan(page.text.indexOf('Older'));
  });

  it('serves a message as it was received, and 404 for one it no longer has', async () => {
    const { catcher: running, app, send } = await startCatcher();
    await send({ to: 'ann@example.com', subject: 'Raw', text: 'body' });
    const raw = await request(app).get('/sandbox/mail/messages/mail-1/raw').expect(200);
    expect(raw.text).toBe(running.messages()[0]?.raw);
    expect(raw.text).toMatch(/^Subject: Raw\r$/m);
    await request(app).get('/sandbox/mail/messages/mail-9/raw').expect(404);
  });

  it('stops listening when closed', async () => {
    const { catcher: running } = await startCatcher();
    const { port } = running.smtp;
    await running.close();
    closed = true;
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
