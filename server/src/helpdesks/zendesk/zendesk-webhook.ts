import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { idSchema } from '../../../../shared/src/api/api-contracts';
import { ApiError } from '../../http/api-error';
import { DELIVERY_KEY, parseFlatBody, sha256 } from '../../workflows/webhook-routes';
import type { HelpdeskWebhook } from '../../workflows/webhook-routes';
import {
  checkSignedTimestamp,
  matchesHmac,
  refuseSignature,
} from '../../workflows/webhook-signature';
import type { VerifySignatureResult } from '../../workflows/webhook-signature';

/**
 * Zendesk webhooks (developer.zendesk.com/documentation/webhooks/verifying):
 * `X-Zendesk-Webhook-Signature` is base64(HMAC-SHA256(secret, TIMESTAMP + BODY)), with TIMESTAMP
 * the `X-Zendesk-Webhook-Signature-Timestamp` header and BODY the raw request bytes. The secret
 * is used as its UTF-8 text, not base64-decoded, although it looks like base64. (An older copy of
 * the page said BODY + TIMESTAMP; the current page and Zendesk's own example use TIMESTAMP + BODY.)
 * Every retry of one invocation carries the same `X-Zendesk-Webhook-Invocation-Id`.
 */

export const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const ZENDESK_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
export const ZENDESK_INVOCATION_HEADER = 'x-zendesk-webhook-invocation-id';

/** Zendesk's documented secret for test deliveries sent before a webhook exists. */
export const ZENDESK_TEST_SIGNING_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';

/**
 * @example
 * verifyZendeskSignature({ secret, signature: req.get('x-zendesk-webhook-signature'),
 *   timestamp: req.get('x-zendesk-webhook-signature-timestamp'), body: req.body, nowMs: Date.now() })
 */
export function verifyZendeskSignature(input: {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  body: Buffer;
  nowMs: number;
}): VerifySignatureResult {
  if (!input.signature || !input.timestamp) {
    return refuseSignature(
      'SIGNATURE_MISSING',
      'X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp are required.',
    );
  }
  const expected = createHmac('sha256', input.secret)
    .update(input.timestamp, 'utf8')
    .update(input.body)
    .digest();
  // The signature is checked before the clock, so an unsigned caller learns nothing about it.
  const signatureBytes = matchesHmac(input.signature, expected);
  if (!signatureBytes) {
    return refuseSignature('SIGNATURE_INVALID', 'The webhook signature does not match.');
  }
  const fresh = checkSignedTimestamp(input.timestamp, input.nowMs);
  return fresh.ok ? { ok: true, timestampMs: fresh.timestampMs, signatureBytes } : fresh;
}

const numericIdSchema = z.union([z.string().trim(), z.number()]).pipe(idSchema).transform(String);

/**
 * The keys the server itself reads from a Zendesk delivery; the rest is up to the admin (they
 * become {{trigger.<key>}}). Zendesk placeholders are quoted, so ids usually arrive as strings.
 */
const zendeskBodySchema = z.looseObject({
  ticket_id: numericIdSchema.describe('"ticket_id": "{{ticket.id}}"'),
  delivery_id: z.string().regex(DELIVERY_KEY).optional(),
});

export const zendeskWebhook: HelpdeskWebhook = {
  system: 'zendesk',
  label: 'Zendesk',
  secretName: 'ZENDESK_WEBHOOK_SECRET',

  verify: (req, body, secret, nowMs) =>
    verifyZendeskSignature({
      secret,
      signature: req.get(ZENDESK_SIGNATURE_HEADER),
      timestamp: req.get(ZENDESK_TIMESTAMP_HEADER),
      body,
      nowMs,
    }),

  readDelivery({ req, body, workflow }) {
    const { values, fields } = parseFlatBody(zendeskBodySchema, body);
    const invocation = req.get(ZENDESK_INVOCATION_HEADER)?.trim() || fields.delivery_id;
    if (invocation !== undefined && !DELIVERY_KEY.test(invocation)) {
      throw new ApiError('BODY_INVALID', 'The invocation id is not valid.');
    }
    const ticketId = fields.ticket_id;
    return {
      dedupeKey: invocation
        ? `zendesk:${workflow.id}:invocation:${invocation}`
        : `zendesk:${workflow.id}:signed:${sha256(req.get(ZENDESK_TIMESTAMP_HEADER) ?? '', '\n', body)}`,
      target: { type: 'ticket', id: ticketId },
      payload: { ...values, ticket_id: ticketId },
      signedAtMs: undefined,
    };
  },
};
