import { escapeHtml } from '../http/html';
import type { VerificationMail } from './verification-mailer';

export interface VerificationMessage {
  subject: string;
  text: string;
  html: string;
}

/**
 * The mail a customer gets: short, the code in the body only (not the subject, which lock
 * screens show), and what to do if they did not ask for it. The name and the purpose are text
 * from elsewhere: escaped in the HTML part.
 */
export function composeVerificationMessage(mail: VerificationMail): VerificationMessage {
  const minutes = `${mail.validMinutes} minute${mail.validMinutes === 1 ? '' : 's'}`;
  const greeting = mail.toName ? `Hello ${mail.toName},` : 'Hello,';
  const body = `Your verification code is ${mail.code}. It expires in ${minutes}. If you did not ask for it, ignore this email.`;
  const purpose = `What it is for: ${mail.purpose}`;
  return {
    subject: 'Your verification code',
    text: `${greeting}\n\n${body}\n\n${purpose}\n`,
    html: [
      `<p>${escapeHtml(greeting)}</p>`,
      `<p>Your verification code is <strong style="font-size:1.25em;letter-spacing:0.1em">${escapeHtml(mail.code)}</strong>. It expires in ${escapeHtml(minutes)}. If you did not ask for it, ignore this email.</p>`,
      `<p>${escapeHtml(purpose)}</p>`,
    ].join('\n'),
  };
}
