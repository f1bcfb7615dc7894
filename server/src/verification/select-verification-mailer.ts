import type { MailEnv } from '../env/parse-env';
import { createSmtpMailer } from './smtp-mailer';
import type { SmtpMailer } from './smtp-mailer';

/**
 * The mailer the environment asks for: the configured SMTP server, or in sandbox mode the
 * sandbox's mail catcher, reached over SMTP like a real server so the same code path is tried;
 * none on a live server without SMTP_HOST (verification is then unavailable, and alert emails
 * are not sent). The connector alerts (server/src/alerts/) send through the same mailer.
 */
export function selectVerificationMailer(
  mail: MailEnv | undefined,
  sandboxSmtp: { host: string; port: number } | undefined,
): SmtpMailer | undefined {
  if (mail?.kind === 'smtp') {
    const { kind: _kind, ...smtp } = mail;
    return createSmtpMailer(smtp);
  }
  if (mail?.kind === 'sandbox' && sandboxSmtp) {
    return createSmtpMailer({ ...sandboxSmtp, secure: false, from: mail.from });
  }
  return undefined;
}
