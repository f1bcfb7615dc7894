import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../env/parse-env';
import { caughtMailListSchema } from '../sandbox/mail-catcher/mail-catcher-routes';
import { startServer } from '../start-server';
import type { RunningServer } from '../start-server';
import { selectVerificationMailer } from './select-verification-mailer';

/**
 * `npm start` with no SMTP_HOST: the server mails verification codes over SMTP to the sandbox's
 * mail catcher, and /sandbox/mail shows them.
 */
let server: RunningServer;
let dataDir: string;
const logLines: string[] = [];
let closed = false;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dc-verification-'));
  const parsed = parseEnv({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  if (!parsed.ok) throw new Error(parsed.error.problems.join('; '));
  const started = await startServer(parsed.value, { writeLog: (line) => logLines.push(line) });
  if (!started.ok) throw new Error(started.error.message);
  server = started.value;
});
afterAll(async () => {
  if (!closed) await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('customer verification in sandbox mode', () => {
  it('mails the code to the sandbox catcher, where /sandbox/mail shows it, and the code verifies', async () => {
    const verification = server.verification;
    if (!verification) throw new Error('sandbox mode has no verification');
    const ticket = { ticketKey: 'zendesk:1', requesterEmail: 'ann@example.com' };
    expect(
      await verification.sendCode({ ...ticket, requesterName: 'Ann', purpose: 'Order lookup' }),
    ).toMatchObject({ ok: true });

    const answer = await request(server.url).get('/sandbox/mail/messages.json').expect(200);
    const { messages } = caughtMailListSchema.parse(answer.body);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      from: 'verification@sandbox.invalid',
      to: ['ann@example.com'],
      subject: 'Your verification code',
    });
    const code = /Your verification code is ([0-9]{6})\./.exec(messages[0]?.text ?? '')?.[1];
    expect(code).toMatch(/^[0-9]{6}$/);
    const page = await request(server.url).get('/sandbox/mail/').expect(200);
    expect(page.text).toContain(`Your verification code is ${code}.`);

    expect(await verification.checkCode({ ...ticket, code: code ?? '' })).toMatchObject({
      ok: true,
    });
    expect(await verification.isVerified(ticket)).toMatchObject({ verified: true });
  });

  it('logs each outcome by ticket, without the address or the code', () => {
    const lines = logLines.filter((line) => line.includes('customer verification'));
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ outcome: 'sent', ticketKey: 'zendesk:1' }),
      expect.objectContaining({ outcome: 'verified', ticketKey: 'zendesk:1' }),
    ]);
    expect(lines.join('\n')).not.toContain('ann@example.com');
  });

  it('stops the catcher when the server closes', async () => {
    const port = server.sandbox?.mail.smtp.port ?? 0;
    expect(port).toBeGreaterThan(0);
    await server.close();
    closed = true;
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(outcome).toBe('ECONNREFUSED');
  });
});

describe('choosing the mailer', () => {
  it('has none on a live server without SMTP_HOST, nor in a sandbox without its catcher', () => {
    expect(selectVerificationMailer(undefined, { host: '127.0.0.1', port: 2525 })).toBeUndefined();
    expect(selectVerificationMailer({ kind: 'sandbox', from: 'a@b.test' }, undefined)).toBe(
      undefined,
    );
  });
});
