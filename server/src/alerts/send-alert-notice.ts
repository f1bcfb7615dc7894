import type { ConnectorAlerts } from '../../../shared/src/config/connector-config-schema';
import type { Result } from '../../../shared/src/result';
import { isWebhookUrl } from '../compile/compile-alerts';
import type { Logger } from '../logging/logger';
import { composeAlertEmail, composeSlackMessage } from './alert-notice';
import type { AlertNotice } from './alert-notice';

/**
 * Sends an alert notice where the connector's `alerts` say: an email through the server's mail
 * server, and a POST of Slack-compatible JSON to the URL in the named secret. It never throws
 * and nobody waits for it on a run: a failure is logged, and a webhook is tried again a couple
 * of times first. The webhook URL is a credential: it is never logged (the logger masks it
 * anyway, as it masks every secret).
 */

export interface AlertMail {
  to: readonly string[];
  subject: string;
  text: string;
}

/** The SMTP mailer (verification/smtp-mailer.ts) as the alerts use it. */
export interface AlertMailer {
  sendMail(mail: AlertMail): Promise<Result<null, { message: string }>>;
}

export interface AlertNotifierOptions {
  /** Undefined on a live server without SMTP_HOST: alert emails are then logged as not sent. */
  mailer: AlertMailer | undefined;
  /** A secret's value by name (the webhook URL), read when the notice is sent. */
  secret: (name: string) => string | undefined;
  logger: Logger;
  /** Replaces the waits between webhook attempts (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Each webhook attempt, answer included (default 10 s). */
  webhookTimeoutMs?: number;
}

export type SendAlertNotice = (notice: AlertNotice, alerts: ConnectorAlerts) => Promise<void>;

/** Waits before the 2nd and the 3rd attempt; there is no 4th. */
const WEBHOOK_BACKOFF_MS = [1_000, 5_000] as const;
/** A Retry-After longer than this is not waited for: the alert would come too late to help. */
const MAX_RETRY_AFTER_MS = 30_000;
const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_LOGGED_ANSWER_BYTES = 200;

/** What one webhook attempt came to. */
export type WebhookAttempt =
  | { kind: 'answered'; status: number; retryAfterSeconds: number | undefined; body: string }
  | { kind: 'failed'; reason: string };

export type WebhookDecision =
  { retry: true; waitMs: number; reason: string } | { retry: false; sent: boolean; reason: string };

/**
 * Whether to try the webhook again after attempt number `attempt` (1-based): again after a
 * timeout, a dropped connection, 429 or 5xx (the receiver may take it later); never after
 * another 4xx (a revoked or wrong URL stays wrong) or a redirect (not followed: the URL came
 * from a secret, and a redirect would send the alert somewhere nobody configured).
 */
export function decideWebhookRetry(attempt: number, result: WebhookAttempt): WebhookDecision {
  const transient = result.kind === 'failed' || result.status === 429 || result.status >= 500;
  if (result.kind === 'answered' && result.status >= 200 && result.status < 300) {
    return { retry: false, sent: true, reason: `answered ${result.status}` };
  }
  const reason =
    result.kind === 'failed'
      ? result.reason
      : `answered ${result.status}${result.body ? `: ${result.body}` : ''}`;
  const backoff = WEBHOOK_BACKOFF_MS[attempt - 1];
  if (!transient || backoff === undefined) return { retry: false, sent: false, reason };
  const asked =
    result.kind === 'answered' && result.retryAfterSeconds !== undefined
      ? Math.min(result.retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS)
      : 0;
  return { retry: true, waitMs: Math.max(backoff, asked), reason };
}

function readRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Why fetch failed, without its URL: a cause code such as ECONNREFUSED, or "timed out". */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'timed out';
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : 'the connection failed';
}

/** The first bytes of an answer; the rest is not read (a receiver could send anything). */
async function readStart(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

async function postOnce(url: string, body: string, timeoutMs: number): Promise<WebhookAttempt> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Slack answers with a short code ("ok", "no_service", "invalid_payload"): worth logging.
    const text = (await readStart(response, MAX_LOGGED_ANSWER_BYTES)).replace(/\s+/g, ' ').trim();
    return {
      kind: 'answered',
      status: response.status,
      retryAfterSeconds: readRetryAfter(response.headers.get('retry-after')),
      body: text,
    };
  } catch (error) {
    return { kind: 'failed', reason: describeFetchError(error) };
  }
}

export function createAlertNotifier(options: AlertNotifierOptions): SendAlertNotice {
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const { logger } = options;

  const sendEmail = async (notice: AlertNotice, to: readonly string[]) => {
    const fields = { connectorId: notice.connectorId, notice: notice.kind, channel: 'email' };
    if (!options.mailer) {
      logger.warn('alert email not sent: this server has no mail server (set SMTP_HOST)', fields);
      return;
    }
    const sent = await options.mailer.sendMail({ to, ...composeAlertEmail(notice) });
    if (sent.ok) logger.info('alert sent', { ...fields, recipients: to.length });
    else logger.error('alert email not sent', { ...fields, reason: sent.error.message });
  };

  const sendWebhook = async (notice: AlertNotice, secretName: string) => {
    const fields = {
      connectorId: notice.connectorId,
      notice: notice.kind,
      channel: 'webhook',
      secret: secretName,
    };
    const url = options.secret(secretName);
    if (url === undefined || !isWebhookUrl(url)) {
      logger.error(
        url === undefined
          ? `alert webhook not sent: secret ${secretName} is not set`
          : `alert webhook not sent: secret ${secretName} does not hold an http(s) URL`,
        fields,
      );
      return;
    }
    const body = JSON.stringify(composeSlackMessage(notice));
    for (let attempt = 1; ; attempt++) {
      const decision = decideWebhookRetry(attempt, await postOnce(url, body, timeoutMs));
      if (!decision.retry) {
        if (decision.sent) logger.info('alert sent', { ...fields, attempts: attempt });
        else {
          logger.error('alert webhook not sent', {
            ...fields,
            attempts: attempt,
            reason: decision.reason,
          });
        }
        return;
      }
      logger.warn('alert webhook failed; trying again', {
        ...fields,
        attempt,
        reason: decision.reason,
        waitMs: decision.waitMs,
      });
      await sleep(decision.waitMs);
    }
  };

  return async (notice, alerts) => {
    const sends: Promise<void>[] = [];
    if (alerts.email) sends.push(sendEmail(notice, alerts.email));
    if (alerts.webhook) sends.push(sendWebhook(notice, alerts.webhook.urlSecret));
    const settled = await Promise.allSettled(sends);
    for (const result of settled) {
      if (result.status === 'rejected') {
        // A bug in a sender; the run that triggered it is long answered.
        logger.error('sending an alert failed inside the server', {
          connectorId: notice.connectorId,
          error: result.reason,
        });
      }
    }
  };
}
