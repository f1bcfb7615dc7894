import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

/**
 * The sandbox's mail server: an SMTP server on 127.0.0.1 that accepts any mail from anyone and
 * delivers it nowhere, keeping the last messages in memory for `/sandbox/mail`
 * (mail-catcher-routes.ts). In sandbox mode without SMTP_HOST the server mails customers'
 * verification codes here, through the same SMTP mailer as in production.
 */

export interface CaughtMail {
  /** `mail-1`, `mail-2`…, in the order they arrived. */
  id: string;
  /** The envelope's sender (MAIL FROM), '' for a bounce. */
  from: string;
  /** The envelope's recipients (RCPT TO): who it was really delivered to. */
  to: string[];
  subject: string;
  /** The plain-text part (or the HTML part as text), MIME-decoded. */
  text: string;
  /** ISO 8601. */
  receivedAt: string;
  /** The message as received (RFC 5322), headers and MIME parts undecoded. */
  raw: string;
}

export interface MailCatcher {
  /** Where to send: loopback, the port chosen when it started. */
  smtp: { host: string; port: number };
  /** The caught mails, oldest first. */
  messages(): readonly CaughtMail[];
  close(): Promise<void>;
}

export interface MailCatcherOptions {
  /** Messages kept; older ones are dropped (default 100). */
  maxMessages?: number;
  /** Larger messages are refused (default 1 MiB). */
  maxMessageBytes?: number;
  clock?: () => number;
}

const LOOPBACK = '127.0.0.1';

async function readMessage(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    // Past the size limit the rest is only drained: it will be refused, not kept.
    if (!stream.sizeExceeded) {
      chunks.push(chunk);
      kept += chunk.length;
    }
  }
  return Buffer.concat(chunks, kept);
}

async function parseMessage(raw: Buffer): Promise<{ subject: string; text: string }> {
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    // The parser keeps the line break that ends a single-part body; the text as sent has none.
    return { subject: parsed.subject ?? '', text: (parsed.text ?? '').trimEnd() };
  } catch {
    // A message the parser cannot read is still worth showing as it came.
    return { subject: '', text: '' };
  }
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const maxMessages = options.maxMessages ?? 100;
  const clock = options.clock ?? Date.now;
  const caught: CaughtMail[] = [];
  let received = 0;

  const catchMessage = async (stream: SMTPServerDataStream, session: SMTPServerSession) => {
    const raw = await readMessage(stream);
    if (stream.sizeExceeded) return false;
    const { subject, text } = await parseMessage(raw);
    received += 1;
    caught.push({
      id: `mail-${received}`,
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((recipient) => recipient.address),
      subject,
      text,
      receivedAt: new Date(clock()).toISOString(),
      raw: raw.toString('utf8'),
    });
    if (caught.length > maxMessages) caught.splice(0, caught.length - maxMessages);
    return true;
  };

  const server = new SMTPServer({
    banner: 'Data Connectors sandbox mail catcher: nothing is delivered',
    // Loopback only, and nothing leaves it: no login and no TLS to set up.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    size: options.maxMessageBytes ?? 1024 * 1024,
    logger: false,
    closeTimeout: 1000,
    onData: (stream, session, callback) => {
      catchMessage(stream, session).then(
        (kept) => {
          if (kept) callback();
          else
            callback(Object.assign(new Error('the message is too large'), { responseCode: 552 }));
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  const listening = await new Promise<AddressInfo>((resolve, reject) => {
    const net = server.listen(0, LOOPBACK, () => resolve(net.address() as AddressInfo));
    net.once('error', reject);
  });

  return {
    smtp: { host: LOOPBACK, port: listening.port },
    messages: () => caught,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
