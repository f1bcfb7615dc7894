import * as crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEmailCodeVerification } from './email-code-verification';
import type { EmailCodeVerificationOptions, VerificationEvent } from './email-code-verification';
import { openSqliteVerificationStore } from './sqlite-verification-store';
import type { VerificationMail, VerificationMailer } from './verification-mailer';
import type { VerificationStore } from './verification-store';

// Calls through to the real function; lets a test see that codes are compared with it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const MINUTE = 60_000;
const ANN = { ticketKey: 'zendesk:101', requesterEmail: 'ann@example.com' };
const SEND = { ...ANN, requesterName: 'Ann', purpose: 'Looking up your order' };

interface FakeMailer extends VerificationMailer {
  sent: VerificationMail[];
  failWith: string | undefined;
}

function createFakeMailer(): FakeMailer {
  const mailer: FakeMailer = {
    sent: [],
    failWith: undefined,
    sendCode: async (mail) => {
      if (mailer.failWith !== undefined) {
        return {
          ok: false,
          error: { code: 'VERIFICATION_SEND_FAILED', message: mailer.failWith },
        };
      }
      mailer.sent.push(mail);
      return { ok: true, value: null };
    },
  };
  return mailer;
}

let now = 0;
let store: VerificationStore;
let mailer: FakeMailer;
let events: VerificationEvent[];
let nextCodes: number[];

function createVerification(overrides: Partial<EmailCodeVerificationOptions> = {}) {
  return createEmailCodeVerification({
    store,
    mailer,
    clock: () => now,
    random: (max) => {
      const value = nextCodes.shift();
      if (value === undefined) throw new Error('the test ran out of codes');
      expect(value).toBeLessThan(max);
      return value;
    },
    onEvent: (event) => events.push(event),
    ...overrides,
  });
}

function lastCode(): string {
  const mail = mailer.sent.at(-1);
  if (!mail) throw new Error('no mail was sent');
  return mail.code;
}

beforeEach(() => {
  now = Date.UTC(2026, 0, 1, 9, 0, 0);
  store = openSqliteVerificationStore({ path: ':memory:', now: () => now });
  mailer = createFakeMailer();
  events = [];
  nextCodes = [42, 918_273, 555_001, 700_100, 123_123, 808_080];
});

afterEach(async () => {
  await store.close();
  vi.mocked(crypto.timingSafeEqual).mockClear();
});

describe('sending a code', () => {
  it('mails a six-digit code, zero-padded, valid for ten minutes, to the requester on record', async () => {
    const verification = createVerification();
    expect(await verification.sendCode(SEND)).toEqual({
      ok: true,
      value: { expiresAt: new Date(now + 10 * MINUTE).toISOString() },
    });
    expect(mailer.sent).toEqual([
      {
        to: 'ann@example.com',
        toName: 'Ann',
        code: '000042',
        validMinutes: 10,
        purpose: 'Looking up your order',
      },
    ]);
  });

  it('draws codes from crypto.randomInt by default: six digits, different each time', async () => {
    const verification = createEmailCodeVerification({ store, mailer, clock: () => now });
    for (const ticket of ['zendesk:1', 'zendesk:2', 'zendesk:3']) {
      now += 11 * MINUTE;
      expect((await verification.sendCode({ ...SEND, ticketKey: ticket })).ok).toBe(true);
    }
    const codes = mailer.sent.map((mail) => mail.code);
    for (const code of codes) expect(code).toMatch(/^[0-9]{6}$/);
    expect(new Set(codes).size).toBe(3);
  });

  it('refuses an address that is not one, without mailing anything', async () => {
    const verification = createVerification();
    const sent = await verification.sendCode({ ...SEND, requesterEmail: 'ann at example' });
    expect(sent).toEqual({
      ok: false,
      error: {
        code: 'VERIFICATION_INVALID_REQUEST',
        message: expect.stringMatching(/^requesterEmail: /),
      },
    });
    expect(mailer.sent).toEqual([]);
    expect(events.map((event) => event.kind)).toEqual(['invalid_request']);
  });

  it('refuses a purpose or name that could break the mail into more lines', async () => {
    const verification = createVerification();
    const sent = await verification.sendCode({ ...SEND, purpose: 'Refund\r\nBcc: x@evil.test' });
    expect(sent).toMatchObject({
      ok: false,
      error: { code: 'VERIFICATION_INVALID_REQUEST', message: 'purpose: must be one line of text' },
    });
    expect(mailer.sent).toEqual([]);
  });

  it('reports a mail failure without the code, and leaves the earlier code usable', async () => {
    const verification = createVerification();
    await verification.sendCode(SEND);
    const firstCode = lastCode();
    mailer.failWith = 'smtp.acme.com:587: 451 try again later (code 918273 refused)';
    now += MINUTE;
    const failed = await verification.sendCode(SEND);
    expect(failed).toEqual({
      ok: false,
      error: {
        code: 'VERIFICATION_SEND_FAILED',
        message: 'smtp.acme.com:587: 451 try again later (code [code] refused)',
      },
    });
    expect(await verification.checkCode({ ...ANN, code: firstCode })).toMatchObject({ ok: true });
  });

  it('replaces the previous code with a new one', async () => {
    const verification = createVerification();
    await verification.sendCode(SEND);
    const oldCode = lastCode();
    await verification.checkCode({ ...ANN, code: '999999' });
    await verification.checkCode({ ...ANN, code: '999998' });
    now += MINUTE;
    await verification.sendCode(SEND);
    expect(await verification.checkCode({ ...ANN, code: oldCode })).toMatchObject({
      ok: false,
      // The new code starts with all its tries.
      error: { code: 'VERIFICATION_CODE_WRONG', triesLeft: 2 },
    });
    expect(await verification.checkCode({ ...ANN, code: lastCode() })).toMatchObject({ ok: true });
  });
});

describe('limiting sends', () => {
  it('sends at most three codes to a requester in ten minutes, saying when the next may go', async () => {
    const verification = createVerification();
    const start = now;
    for (const ticket of ['zendesk:1', 'zendesk:2', 'zendesk:3']) {
      expect((await verification.sendCode({ ...SEND, ticketKey: ticket })).ok).toBe(true);
      now += MINUTE;
    }
    now = start + 4 * MINUTE;
    // Another ticket, another spelling of the address: the same requester's mailbox.
    const limited = await verification.sendCode({
      ...SEND,
      ticketKey: 'zendesk:4',
      requesterEmail: 'Ann@Example.COM',
    });
    expect(limited).toEqual({
      ok: false,
      error: {
        code: 'VERIFICATION_SEND_LIMITED',
        message: 'Too many codes were sent to this address; another can be sent in 6 minutes.',
        retryAfterSeconds: 6 * 60,
      },
    });
    expect(mailer.sent).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ kind: 'send_limited', retryAfterSeconds: 360 });
    // Another requester is not held up by Ann's limit.
    expect((await verification.sendCode({ ...SEND, requesterEmail: 'bob@example.com' })).ok).toBe(
      true,
    );
    now = start + 10 * MINUTE;
    expect((await verification.sendCode(SEND)).ok).toBe(true);
  });

  it('sends at most ten codes a day to a requester', async () => {
    nextCodes = Array.from({ length: 12 }, (_, index) => 100_000 + index);
    const verification = createVerification();
    const start = now;
    for (let send = 0; send < 10; send += 1) {
      now = start + send * 11 * MINUTE;
      expect((await verification.sendCode(SEND)).ok).toBe(true);
    }
    now = start + 10 * 11 * MINUTE;
    const limited = await verification.sendCode(SEND);
    expect(limited).toMatchObject({
      ok: false,
      error: {
        code: 'VERIFICATION_SEND_LIMITED',
        retryAfterSeconds: (24 * 60 - 110) * 60,
      },
    });
  });

  it('counts a send that the mail server refused, so a failing server is not hammered', async () => {
    const verification = createVerification();
    mailer.failWith = '421 service not available';
    for (let send = 0; send < 3; send += 1) {
      expect(await verification.sendCode(SEND)).toMatchObject({
        error: { code: 'VERIFICATION_SEND_FAILED' },
      });
    }
    expect(await verification.sendCode(SEND)).toMatchObject({
      error: { code: 'VERIFICATION_SEND_LIMITED' },
    });
  });
});

describe('checking a code', () => {
  it('verifies the requester on the ticket for thirty minutes, then no longer', async () => {
    const verification = createVerification();
    await verification.sendCode(SEND);
    now += 2 * MINUTE;
    expect(await verification.isVerified(ANN)).toEqual({ verified: false });
    expect(await verification.checkCode({ ...ANN, code: lastCode() })).toEqual({
      ok: true,
      value: { verifiedUntil: new Date(now + 30 * MINUTE).toISOString() },
    });
    expect(await verification.isVerified(ANN)).toEqual({
      verified: true,
      verifiedUntil: new Date(now + 30 * MINUTE).toISOString(),
    });
    expect(await verification.isVerified({ ...ANN, requesterEmail: 'ANN@example.com' })).toEqual({
      verified: true,
      verifiedUntil: new Date(now + 30 * MINUTE).toISOString(),
    });
    now += 30 * MINUTE - 1;
    expect((await verification.isVerified(ANN)).verified).toBe(true);
    now += 1;
    expect(await verification.isVerified(ANN)).toEqual({ verified: false });
  });

  it('accepts the code typed with spaces or a dash, once only', async () => {
    const verification = createVerification();
    nextCodes = [918_273];
    await verification.sendCode(SEND);
    expect(await verification.checkCode({ ...ANN, code: ' 918-273 ' })).toMatchObject({
      ok: true,
    });
    expect(await verification.checkCode({ ...ANN, code: '918273' })).toMatchObject({
      ok: false,
      error: { code: 'VERIFICATION_NO_CODE' },
    });
  });

  it('refuses a code after ten minutes', async () => {
    const verification = createVerification();
    await verification.sendCode(SEND);
    const code = lastCode();
    now += 10 * MINUTE;
    expect(await verification.checkCode({ ...ANN, code })).toEqual({
      ok: false,
      error: { code: 'VERIFICATION_CODE_EXPIRED', message: 'The code expired; send a new code.' },
    });
    expect(await verification.isVerified(ANN)).toEqual({ verified: false });
  });

  it('allows three tries, then refuses even the right code until a new one is sent', async () => {
    const verification = createVerification();
    await verification.sendCode(SEND);
    const code = lastCode();
    const wrong = [];
    for (const guess of ['111111', '222222', '333333']) {
      wrong.push(await verification.checkCode({ ...ANN, code: guess }));
    }
    expect(wrong.map((result) => !result.ok && result.error)).toEqual([
      {
        code: 'VERIFICATION_CODE_WRONG',
        message: 'The code is not right; 2 tries are left.',
        triesLeft: 2,
      },
      {
        code: 'VERIFICATION_CODE_WRONG',
        message: 'The code is not right; 1 try is left.',
        triesLeft: 1,
      },
      {
        code: 'VERIFICATION_CODE_WRONG',
        message: 'The code is not right and no tries are left; send a new code.',
        triesLeft: 0,
      },
    ]);
    expect(await verification.checkCode({ ...ANN, code })).toEqual({
      ok: false,
      error: {
        code: 'VERIFICATION_LOCKED',
        message: 'Every try of this code was used; send a new code.',
      },
    });
    expect(await verification.isVerified(ANN)).toEqual({ verified: false });
    now += MINUTE;
    await verification.sendCode(SEND);
    expect(await verification.checkCode({ ...ANN, code: lastCode() })).toMatchObject({ ok: true });
  });

  it('refuses a code sent for another ticket', async () => {
    const verification = createVerification();
    await verification.sendCode({ ...SEND, ticketKey: 'zendesk:101' });
    const codeFor101 = lastCode();
    const on202 = { ...ANN, ticketKey: 'zendesk:202' };
    expect(await verification.checkCode({ ...on202, code: codeFor101 })).toMatchObject({
      ok: false,
      error: { code: 'VERIFICATION_NO_CODE' },
    });
    await verification.sendCode({ ...SEND, ticketKey: 'zendesk:202' });
    expect(await verification.checkCode({ ...on202, code: codeFor101 })).toMatchObject({
      ok: false,
      error: { code: 'VERIFICATION_CODE_WRONG', triesLeft: 2 },
    });
    expect(await verification.isVerified(on202)).toEqual({ verified: false });
  });

  it('refuses a code for another requester on the same ticket', async () => {
    const verification = createVerification();
    await verification.sendCode(SEND);
    expect(
      await verification.checkCode({ ...ANN, requesterEmail: 'bob@example.com', code: lastCode() }),
    ).toMatchObject({ ok: false, error: { code: 'VERIFICATION_NO_CODE' } });
  });

  it('compares hashes of equal length in constant time, right or wrong', async () => {
    const verification = createVerification();
    const compare = vi.mocked(crypto.timingSafeEqual);
    await verification.sendCode(SEND);
    await verification.checkCode({ ...ANN, code: '1' });
    await verification.checkCode({ ...ANN, code: lastCode() });
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [typed, stored] of compare.mock.calls) {
      expect(Buffer.isBuffer(typed) && typed.length).toBe(32);
      expect(Buffer.isBuffer(stored) && stored.length).toBe(32);
    }
    expect(compare.mock.results.map((result) => result.value)).toEqual([false, true]);
  });

  it('says a malformed question is not verified', async () => {
    const verification = createVerification();
    expect(await verification.isVerified({ ...ANN, requesterEmail: 'not an address' })).toEqual({
      verified: false,
    });
    expect(await verification.checkCode({ ...ANN, requesterEmail: '', code: '1' })).toMatchObject({
      ok: false,
      error: { code: 'VERIFICATION_INVALID_REQUEST' },
    });
  });
});

describe('events for the run log', () => {
  it('reports every outcome with the ticket, requester and time, and never the code', async () => {
    const verification = createVerification();
    await verification.sendCode(SEND);
    const codes = [lastCode()];
    await verification.checkCode({ ...ANN, code: '111111' });
    await verification.checkCode({ ...ANN, code: codes[0] ?? '' });
    await verification.checkCode({ ...ANN, code: codes[0] ?? '' });
    now += MINUTE;
    await verification.sendCode(SEND);
    codes.push(lastCode());
    now += 11 * MINUTE;
    await verification.checkCode({ ...ANN, code: codes[1] ?? '' });
    await verification.sendCode(SEND);
    codes.push(lastCode());
    for (const guess of ['1', '2', '3', '4']) await verification.checkCode({ ...ANN, code: guess });
    mailer.failWith = 'mail server down';
    now += 11 * MINUTE;
    await verification.sendCode(SEND);
    mailer.failWith = undefined;
    await verification.sendCode(SEND);
    await verification.sendCode(SEND);
    codes.push(lastCode());
    await verification.sendCode(SEND);

    expect(events.map((event) => event.kind)).toEqual([
      'sent',
      'wrong_code',
      'verified',
      'no_code',
      'sent',
      'expired',
      'sent',
      'wrong_code',
      'wrong_code',
      'wrong_code',
      'locked',
      'send_failed',
      'sent',
      'sent',
      'send_limited',
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        ticketKey: 'zendesk:101',
        requesterEmail: 'ann@example.com',
        at: expect.stringMatching(/^2026-01-01T09:\d\d:00\.000Z$/),
      });
    }
    expect(events[1]).toMatchObject({ kind: 'wrong_code', triesLeft: 2 });
    const reported = JSON.stringify(events);
    expect(codes).toHaveLength(4);
    for (const code of codes) expect(reported).not.toContain(code);
  });
});

describe('settings', () => {
  it('takes other lengths, lifetimes, tries and limits', async () => {
    nextCodes = [12_345_678, 1, 2, 3];
    const verification = createVerification({
      settings: {
        codeDigits: 8,
        codeValidSeconds: 120,
        maxTries: 1,
        verifiedForSeconds: 60,
        sendLimits: [{ windowSeconds: 3600, max: 1 }],
      },
    });
    expect(await verification.sendCode(SEND)).toEqual({
      ok: true,
      value: { expiresAt: new Date(now + 2 * MINUTE).toISOString() },
    });
    expect(mailer.sent[0]).toMatchObject({ code: '12345678', validMinutes: 2 });
    expect(await verification.checkCode({ ...ANN, code: '00000000' })).toMatchObject({
      error: { code: 'VERIFICATION_CODE_WRONG', triesLeft: 0 },
    });
    expect(await verification.checkCode({ ...ANN, code: '12345678' })).toMatchObject({
      error: { code: 'VERIFICATION_LOCKED' },
    });
    expect(await verification.sendCode(SEND)).toMatchObject({
      error: { code: 'VERIFICATION_SEND_LIMITED', retryAfterSeconds: 3600 },
    });
  });

  it('refuses settings that would weaken the codes, as the bug they are', () => {
    expect(() => createVerification({ settings: { codeDigits: 3 } })).toThrow();
    expect(() => createVerification({ settings: { maxTries: 0 } })).toThrow();
    expect(() =>
      createVerification({ settings: { sendLimits: [{ windowSeconds: 60, max: 0 }] } }),
    ).toThrow();
  });
});
