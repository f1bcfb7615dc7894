import type { Result } from '../../../shared/src/result';

/**
 * How email-code-verification.ts hands a code to the mail system: an SMTP server
 * (smtp-mailer.ts), the sandbox's mail catcher through the same SMTP mailer, or a fake in tests.
 */
export interface VerificationMail {
  /** The requester's address, from the helpdesk's requester record. */
  to: string;
  toName?: string;
  code: string;
  /** How long the code is valid, for the text of the mail. */
  validMinutes: number;
  /** What the code is for, one line (e.g. "Looking up your order"). */
  purpose: string;
}

export interface MailSendError {
  code: 'VERIFICATION_SEND_FAILED';
  /** What the mail system said, never a password or the code. */
  message: string;
}

export interface VerificationMailer {
  sendCode(mail: VerificationMail): Promise<Result<null, MailSendError>>;
}
