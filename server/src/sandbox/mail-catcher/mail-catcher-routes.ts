import { Router } from 'express';
import * as z from 'zod';
import { escapeHtml } from '../../http/html';
import type { CaughtMail, MailCatcher } from './mail-catcher';

/** The answer of `/sandbox/mail/messages.json`, oldest first. */
export const caughtMailListSchema = z.strictObject({
  messages: z.array(
    z.strictObject({
      id: z.string(),
      from: z.string(),
      to: z.array(z.string()),
      subject: z.string(),
      text: z.string(),
      receivedAt: z.iso.datetime(),
    }),
  ),
});

export type CaughtMailList = z.infer<typeof caughtMailListSchema>;

function listMessages(messages: readonly CaughtMail[]): CaughtMailList {
  return {
    messages: messages.map(({ id, from, to, subject, text, receivedAt }) => ({
      id,
      from,
      to,
      subject,
      text,
      receivedAt,
    })),
  };
}

/** Everything in a mail is someone else's text: escaped, and the page runs no script. */
function renderMailPage(messages: readonly CaughtMail[], smtp: MailCatcher['smtp']): string {
  const items = [...messages]
    .reverse()
    .map(
      (mail) => `<article>
  <h2>${escapeHtml(mail.subject || '(no subject)')}</h2>
  <p class="meta">To ${escapeHtml(mail.to.join(', '))} · from ${escapeHtml(mail.from || '(none)')} · ${escapeHtml(mail.receivedAt)} · <a href="messages/${encodeURIComponent(mail.id)}/raw">raw</a></p>
  <pre>${escapeHtml(mail.text)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sandbox mail</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; }
article { border-top: 1px solid #ccc; padding: 0.5rem 0; }
.meta { color: #555; font-size: 0.9em; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.75rem; }
</style>
</head>
<body>
<h1>Sandbox mail</h1>
<p>Mail the sandbox server sent (verification codes), caught by its SMTP server on ${escapeHtml(`${smtp.host}:${smtp.port}`)} and delivered nowhere. The last ${messages.length === 1 ? 'message' : `${messages.length} messages`}, newest first; <a href="messages.json">as JSON</a>.</p>
${items || '<p>No mail yet.</p>'}
</body>
</html>`;
}

/** Mounted at `/sandbox/mail`: the caught mails as a page and as JSON. */
export function createMailCatcherRouter(catcher: MailCatcher): Router {
  const router = Router();
  router.get('/', (req, res) => {
    // Relative links need the trailing slash (`/sandbox/mail/` + `messages.json`).
    if (!req.originalUrl.split('?')[0]?.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    res
      .type('html')
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderMailPage(catcher.messages(), catcher.smtp));
  });
  router.get('/messages.json', (_req, res) => {
    res.json(listMessages(catcher.messages()));
  });
  router.get('/messages/:id/raw', (req, res) => {
    const mail = catcher.messages().find((message) => message.id === req.params.id);
    if (!mail) {
      res.status(404).type('text').send('No such message (only the last ones are kept).');
      return;
    }
    res.type('text/plain; charset=utf-8').send(mail.raw);
  });
  return router;
}
