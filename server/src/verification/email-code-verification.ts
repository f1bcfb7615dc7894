import { randomInt, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { Result } from '../../../shared/src/result';
import type { VerificationMailer } from './verification-mailer';
import type { VerificationStore, VerificationSubject } from './verification-store';

/**
 * Customer verification by email code: before an agent (or an AI agent) acts for a customer on a
 * ticket, the customer proves they read the mailbox the helpdesk has on record for the ticket's
 * requester. The address always comes from the caller's requester record, never from what the
 * customer writes, so a customer can only have a code sent to the address already on the ticket.
 *
 * Guards: codes are random (crypto.randomInt), kept only as keyed hashes bound to the ticket and
 * requester, compared in constant time, valid minutes, a few tries each, and used up once right;
 * sends are limited per requester (a flood of mails is its own harm). Every outcome is reported
 * through `onEvent`, which never carries the code, for the caller's run log.
 *
 * @example
 * const verification = createEmailCodeVerification({ store, mailer: createSmtpMailer(smtp) });
 * await verification.sendCode({ ticketKey: 'zendesk:123', requesterEmail, purpose: 'Refund' });
 * const checked = await verification.checkCode({ ticketKey: 'zendesk:123', requesterEmail, code });
 * if (checked.ok) … else if (checked.error.code === 'VERIFICATION_CODE_WRONG') …
 */

export interface VerificationSettings {
  /** Digits in a code (default 6). */
  codeDigits: number;
  /** How long a code may be used (default 600 s). */
  codeValidSeconds: number;
  /** Tries per code; the next one is refused until a new code is sent (default 3). */
  maxTries: number;
  /** How long a right code keeps the requester verified on the ticket (default 1800 s). */
  verifiedForSeconds: number;
  /** Sends per requester (all tickets together) per window (default 3 in 10 min, 10 a day). */
  sendLimits: { windowSeconds: number; max: number }[];
}

export const DEFAULT_VERIFICATION_SETTINGS: Readonly<VerificationSettings> = Object.freeze({
  codeDigits: 6,
  codeValidSeconds: 10 * 60,
  maxTries: 3,
  verifiedForSeconds: 30 * 60,
  sendLimits: [
    { windowSeconds: 10 * 60, max: 3 },
    { windowSeconds: 24 * 60 * 60, max: 10 },
  ],
});

const settingsSchema = z.strictObject({
  codeDigits: z.int().min(4).max(10),
  codeValidSeconds: z
    .int()
    .min(30)
    .max(24 * 60 * 60),
  maxTries: z.int().min(1).max(20),
  verifiedForSeconds: z
    .int()
    .min(0)
    .max(7 * 24 * 60 * 60),
  sendLimits: z
    .array(
      z.strictObject({
        windowSeconds: z
          .int()
          .min(1)
          .max(30 * 24 * 60 * 60),
        max: z.int().min(1),
      }),
    )
    .max(5),
});

export type VerificationEventKind =
  | 'sent'
  | 'send_limited'
  | 'send_failed'
  | 'verified'
  | 'wrong_code'
  | 'expired'
  | 'locked'
  | 'no_code'
  | 'invalid_request';

/** One outcome, for the caller's run log. Never holds the code. */
export interface VerificationEvent {
  kind: VerificationEventKind;
  ticketKey: string;
  /** Trimmed and lowercased, as limits and codes are kept. */
  requesterEmail: string;
  /** ISO 8601. */
  at: string;
  /** With `wrong_code`. */
  triesLeft?: number;
  /** With `send_limited`. */
  retryAfterSeconds?: number;
}

export interface SendCodeRequest {
  /** The ticket or record, e.g. `zendesk:123`. */
  ticketKey: string;
  /** From the helpdesk's requester record, never from the customer's text. */
  requesterEmail: string;
  requesterName?: string;
  /** One line for the mail, saying what the code is for (e.g. "Changing your delivery address"). */
  purpose: string;
}

export interface CheckCodeRequest {
  ticketKey: string;
  requesterEmail: string;
  /** As the customer typed it; spaces and dashes are ignored. */
  code: string;
}

export interface VerifiedRequest {
  ticketKey: string;
  requesterEmail: string;
}

export interface InvalidRequestError {
  code: 'VERIFICATION_INVALID_REQUEST';
  /** Names the field, e.g. `requesterEmail: Invalid email address`. */
  message: string;
}

export type SendCodeError =
  | InvalidRequestError
  | { code: 'VERIFICATION_SEND_LIMITED'; message: string; retryAfterSeconds: number }
  | { code: 'VERIFICATION_SEND_FAILED'; message: string };

export type CheckCodeError =
  | InvalidRequestError
  /** None was sent for this ticket and requester, or it was already used. */
  | { code: 'VERIFICATION_NO_CODE'; message: string }
  | { code: 'VERIFICATION_CODE_WRONG'; message: string; triesLeft: number }
  | { code: 'VERIFICATION_CODE_EXPIRED'; message: string }
  /** Every try was used: only a new code helps. */
  | { code: 'VERIFICATION_LOCKED'; message: string };

export type SendCodeResult = Result<{ expiresAt: string }, SendCodeError>;
export type CheckCodeResult = Result<{ verifiedUntil: string }, CheckCodeError>;
export type VerifiedState = { verified: true; verifiedUntil: string } | { verified: false };

export interface EmailCodeVerification {
  /** The settings in force (defaults filled in): what callers tell customers and models. */
  readonly settings: Readonly<VerificationSettings>;
  /** Mails a new code to the requester, replacing any earlier one for the ticket. */
  sendCode(request: SendCodeRequest): Promise<SendCodeResult>;
  /** Checks a code; a right one verifies the requester on the ticket and is used up. */
  checkCode(request: CheckCodeRequest): Promise<CheckCodeResult>;
  /** Whether the requester entered a right code on the ticket within the verified time. */
  isVerified(request: VerifiedRequest): Promise<VerifiedState>;
}

export interface EmailCodeVerificationOptions {
  store: VerificationStore;
  mailer: VerificationMailer;
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  /** A uniform integer in [0, maxExclusive) (default crypto.randomInt). */
  random?: (maxExclusive: number) => number;
  settings?: Partial<VerificationSettings>;
  onEvent?: (event: VerificationEvent) => void;
}

// One line of text: no control characters (line breaks included) that could shape a mail.
const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must be one line of text');
const ticketKeySchema = oneLine(200);
const emailSchema = z.string().trim().max(254).pipe(z.email());

const sendCodeSchema = z.strictObject({
  ticketKey: ticketKeySchema,
  requesterEmail: emailSchema,
  requesterName: oneLine(200).optional(),
  purpose: oneLine(200),
});
const checkCodeSchema = z.strictObject({
  ticketKey: ticketKeySchema,
  requesterEmail: emailSchema,
  code: z.string().max(64),
});
const verifiedSchema = z.strictObject({ ticketKey: ticketKeySchema, requesterEmail: emailSchema });

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`)
    .join('; ');
}

/** The key codes and limits are kept under: `Ann@Example.com` and `ann@example.com` are one. */
function subjectOf(request: { ticketKey: string; requesterEmail: string }): VerificationSubject {
  return { ticketKey: request.ticketKey, requesterEmail: request.requesterEmail.toLowerCase() };
}

/** A best-effort subject for the event of a request that was refused as malformed. */
function looseSubjectOf(request: unknown): VerificationSubject {
  const field = (name: string) => {
    const value = (request as Record<string, unknown> | null | undefined)?.[name];
    return typeof value === 'string' ? value.trim().slice(0, 254) : '';
  };
  return { ticketKey: field('ticketKey'), requesterEmail: field('requesterEmail').toLowerCase() };
}

function minutesText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function createEmailCodeVerification(
  options: EmailCodeVerificationOptions,
): EmailCodeVerification {
  // Settings are code, not user input: a wrong one is a bug and stops the server at start.
  const settings = settingsSchema.parse({ ...DEFAULT_VERIFICATION_SETTINGS, ...options.settings });
  const { store, mailer } = options;
  const clock = options.clock ?? Date.now;
  const random = options.random ?? ((maxExclusive: number) => randomInt(maxExclusive));
  const sendLimits = settings.sendLimits.map((limit) => ({
    windowMs: limit.windowSeconds * 1000,
    max: limit.max,
  }));

  const report = (
    kind: VerificationEventKind,
    subject: VerificationSubject,
    at: number,
    extra: Pick<VerificationEvent, 'triesLeft' | 'retryAfterSeconds'> = {},
  ) => {
    options.onEvent?.({
      kind,
      ticketKey: subject.ticketKey,
      requesterEmail: subject.requesterEmail,
      at: new Date(at).toISOString(),
      ...extra,
    });
  };

  const refuseInvalid = (
    request: unknown,
    error: z.ZodError,
    at: number,
  ): { ok: false; error: InvalidRequestError } => {
    report('invalid_request', looseSubjectOf(request), at);
    return {
      ok: false,
      error: { code: 'VERIFICATION_INVALID_REQUEST', message: describeIssues(error) },
    };
  };

  const newCode = (): string => {
    const value = random(10 ** settings.codeDigits);
    if (!Number.isInteger(value) || value < 0 || value >= 10 ** settings.codeDigits) {
      throw new Error(`random() returned ${value}, outside [0, 10^${settings.codeDigits})`);
    }
    return String(value).padStart(settings.codeDigits, '0');
  };

  return {
    settings,
    sendCode: async (request) => {
      const at = clock();
      const parsed = sendCodeSchema.safeParse(request);
      if (!parsed.success) return refuseInvalid(request, parsed.error, at);
      const subject = subjectOf(parsed.data);
      const reserved = await store.reserveSend(subject.requesterEmail, at, sendLimits);
      if (!reserved.reserved) {
        const retryAfterSeconds = Math.max(1, Math.ceil((reserved.retryAt - at) / 1000));
        report('send_limited', subject, at, { retryAfterSeconds });
        return {
          ok: false,
          error: {
            code: 'VERIFICATION_SEND_LIMITED',
            message: `Too many codes were sent to this address; another can be sent in ${minutesText(retryAfterSeconds)}.`,
            retryAfterSeconds,
          },
        };
      }
      const code = newCode();
      const expiresAt = at + settings.codeValidSeconds * 1000;
      const codeHash = await store.hashCode(subject, code);
      const sent = await mailer.sendCode({
        to: parsed.data.requesterEmail,
        ...(parsed.data.requesterName === undefined ? {} : { toName: parsed.data.requesterName }),
        code,
        validMinutes: Math.max(1, Math.floor(settings.codeValidSeconds / 60)),
        purpose: parsed.data.purpose,
      });
      if (!sent.ok) {
        // The earlier code, if any, stays usable: the customer may still have that mail.
        report('send_failed', subject, at);
        return {
          ok: false,
          error: {
            code: 'VERIFICATION_SEND_FAILED',
            message: sent.error.message.replaceAll(code, '[code]'),
          },
        };
      }
      // Stored once mailed, replacing the previous code and its tries.
      await store.replaceCode(subject, { codeHash, expiresAt });
      report('sent', subject, at);
      return { ok: true, value: { expiresAt: new Date(expiresAt).toISOString() } };
    },

    checkCode: async (request) => {
      const at = clock();
      const parsed = checkCodeSchema.safeParse(request);
      if (!parsed.success) return refuseInvalid(request, parsed.error, at);
      const subject = subjectOf(parsed.data);
      const typed = parsed.data.code.replace(/[\s-]/g, '');
      const taken = await store.takeTry(subject, settings.maxTries);
      if (taken.state === 'no_code') {
        report('no_code', subject, at);
        return {
          ok: false,
          error: {
            code: 'VERIFICATION_NO_CODE',
            message:
              'No code is waiting for this requester on this ticket (none was sent, or it was already used); send one first.',
          },
        };
      }
      if (taken.state === 'locked') {
        report('locked', subject, at);
        return {
          ok: false,
          error: {
            code: 'VERIFICATION_LOCKED',
            message: 'Every try of this code was used; send a new code.',
          },
        };
      }
      if (at >= taken.expiresAt) {
        report('expired', subject, at);
        return {
          ok: false,
          error: {
            code: 'VERIFICATION_CODE_EXPIRED',
            message: 'The code expired; send a new code.',
          },
        };
      }
      // Hashes of equal length, compared in constant time: the time taken tells nothing about
      // how much of a guess was right.
      const typedHash = await store.hashCode(subject, typed);
      if (!timingSafeEqual(typedHash, taken.codeHash)) {
        const triesLeft = Math.max(0, settings.maxTries - taken.triesUsed);
        report('wrong_code', subject, at, { triesLeft });
        return {
          ok: false,
          error: {
            code: 'VERIFICATION_CODE_WRONG',
            message:
              triesLeft > 0
                ? `The code is not right; ${triesLeft} ${triesLeft === 1 ? 'try is' : 'tries are'} left.`
                : 'The code is not right and no tries are left; send a new code.',
            triesLeft,
          },
        };
      }
      const verifiedUntil = at + settings.verifiedForSeconds * 1000;
      await store.markVerified(subject, verifiedUntil);
      report('verified', subject, at);
      return { ok: true, value: { verifiedUntil: new Date(verifiedUntil).toISOString() } };
    },

    isVerified: async (request) => {
      const parsed = verifiedSchema.safeParse(request);
      // Fails closed: a malformed question is never a yes.
      if (!parsed.success) return { verified: false };
      const until = await store.verifiedUntil(subjectOf(parsed.data));
      return until !== undefined && clock() < until
        ? { verified: true, verifiedUntil: new Date(until).toISOString() }
        : { verified: false };
    },
  };
}
