import type { SendMailOptions } from 'nodemailer';
import { loadOnce } from '../../../shared/src/load-once';
import type { SmtpEnv } from '../env/parse-env';
import { createRedactor } from '../logging/redact';
import type { Result } from '../../../shared/src/result';
import type { VerificationMailer } from './verification-mailer';
import { composeVerificationMessage } from './verification-message';

export interface SmtpMailerOptions extends SmtpEnv {
  /**
   * Refuse to send over a connection that was not upgraded to TLS. Default: on, unless the host
   * is this machine (a local relay, the sandbox's catcher), where nothing crosses a network.
   */
  requireTls?: boolean;
  /** Connecting, the greeting and each silence (default 15 s): a hung server must not hold a customer. */
  timeoutMs?: number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
const DEFAULT_TIMEOUT_MS = 15_000;

/** A plain-text mail to the admins (connector alerts, server/src/alerts/). */
export interface PlainMail {
  to: readonly string[];
  subject: string;
  text: string;
}

export interface SmtpMailer extends VerificationMailer {
  sendMail(mail: PlainMail): Promise<Result<null, { code: 'MAIL_SEND_FAILED'; message: string }>>;
  close(): void;
}

/** Sends verification codes, and the alerts' mails, through an SMTP server with nodemailer. */
export function createSmtpMailer(options: SmtpMailerOptions): SmtpMailer {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // nodemailer is imported by the first mail, not at startup: a server that never sends one
  // (no SMTP_HOST, or no mail yet) keeps its 15 MiB of RSS (docs/performance.md, "Memory"). A
  // failed import is not kept: the next mail tries again.
  const openTransport = loadOnce(async () => {
    const { createTransport } = await import('nodemailer');
    return createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS:
        options.requireTls ?? (!options.secure && !LOOPBACK_HOSTS.has(options.host.toLowerCase())),
      ...(options.user === undefined
        ? {}
        : { auth: { user: options.user, pass: options.password ?? '' } }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  });
  /**
   * Sends one message; on failure, the SMTP server's words, which help an admin, without the
   * password (plain or in AUTH's base64) or the other values given: they must not travel into
   * logs and the run log.
   */
  const deliver = async (
    message: SendMailOptions,
    what: string,
    masked: readonly string[],
  ): Promise<Result<null, string>> => {
    try {
      const transport = await openTransport();
      await transport.sendMail({ from: options.from, ...message });
      return { ok: true, value: null };
    } catch (error) {
      const redactor = createRedactor(() =>
        [options.password, ...masked].filter((value) => value !== undefined),
      );
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        error: redactor.redactText(
          `The ${what} could not be sent through ${options.host}:${options.port}: ${reason}`,
        ),
      };
    }
  };
  return {
    sendCode: async (mail) => {
      const message = composeVerificationMessage(mail);
      const sent = await deliver(
        {
          to: mail.toName ? { name: mail.toName, address: mail.to } : mail.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        },
        'verification email',
        [mail.code],
      );
      return sent.ok
        ? sent
        : { ok: false, error: { code: 'VERIFICATION_SEND_FAILED', message: sent.error } };
    },
    sendMail: async (mail) => {
      const sent = await deliver(
        { to: [...mail.to], subject: mail.subject, text: mail.text },
        'email',
        [],
      );
      return sent.ok
        ? sent
        : { ok: false, error: { code: 'MAIL_SEND_FAILED', message: sent.error } };
    },
    close: () => {
      // Closes a transport that was opened; never imports nodemailer just to close it.
      void openTransport.started()?.then(
        (transport) => transport.close(),
        () => {},
      );
    },
  };
}
