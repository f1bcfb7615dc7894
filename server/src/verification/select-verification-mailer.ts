import type { MailEnv } from '../env/parse-env';
import { createSmtpMailer } from './smtp-mailer';
import type { VerificationMailer } from './verification-mailer';

/**
 * The mailer the environment asks for: the configured SMTP server, or in sandbox mode the
 * sandbox's mail catcher, reached over SMTP like a real server so the same code path is tried;
 * none on a live server without SMTP_HOST (verification is then unavailable).
 */
export function selectVerificationMailer(
  mail: MailEnv | undefined,
  sandboxSmtp: { host: string; port: number } | undefined,
): (VerificationMailer & { close(): void }) | undefined {
  if (mail?.kind === 'smtp') {
    const { kind: _kind, ...smtp } = mail;
    return createSmtpMailer(smtp);
  }
  if (mail?.kind === 'sandbox' && sandboxSmtp) {
    return createSmtpMailer({ ...sandboxSmtp, secure: false, from: mail.from });
  }
  return undefined;
}
