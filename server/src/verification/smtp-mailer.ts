import { createTransport } from 'nodemailer';
import type { SmtpEnv } from '../env/parse-env';
import { createRedactor } from '../logging/redact';
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

/** Sends verification codes through an SMTP server with nodemailer. */
export function createSmtpMailer(
  options: SmtpMailerOptions,
): VerificationMailer & { close(): void } {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = createTransport({
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
  return {
    sendCode: async (mail) => {
      const message = composeVerificationMessage(mail);
      try {
        await transport.sendMail({
          from: options.from,
          to: mail.toName ? { name: mail.toName, address: mail.to } : mail.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
        return { ok: true, value: null };
      } catch (error) {
        // The SMTP server's words help an admin; the password (plain or in AUTH's base64) and
        // the code must not travel with them into logs and the run log.
        const redactor = createRedactor(() =>
          [options.password, mail.code].filter((value) => value !== undefined),
        );
        const reason = error instanceof Error ? error.message : String(error);
        return {
          ok: false,
          error: {
            code: 'VERIFICATION_SEND_FAILED',
            message: redactor.redactText(
              `The verification email could not be sent through ${options.host}:${options.port}: ${reason}`,
            ),
          },
        };
      }
    },
    close: () => transport.close(),
  };
}
