import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { ApiError } from '../../http/api-error';
import {
  DELIVERY_KEY,
  parseFlatBody,
  refuseSignature as refuseWebhook,
  sha256,
} from '../../workflows/webhook-routes';
import type { HelpdeskWebhook } from '../../workflows/webhook-routes';
import {
  checkSignedTimestamp,
  matchesHmac,
  refuseSignature,
} from '../../workflows/webhook-signature';
import type { VerifySignatureResult } from '../../workflows/webhook-signature';
import type { SalesforceTrigger } from './salesforce-config';

/**
 * Salesforce webhooks (our own convention, set up in Apex or a Flow action):
 * `X-Connector-Signature` is base64(HMAC-SHA256(secret, BODY)), which is what
 * `EncodingUtil.base64Encode(Crypto.generateMac('hmacSHA256', Blob.valueOf(body),
 * Blob.valueOf(secret)))` produces. The body carries its own `sentAt`, so its freshness is signed
 * too, and an `eventId` the same for every retry of one event.
 */

export const SALESFORCE_SIGNATURE_HEADER = 'x-connector-signature';

export function verifySalesforceSignature(input: {
  secret: string;
  signature: string | undefined;
  body: Buffer;
}): VerifySignatureResult {
  if (!input.signature) {
    return refuseSignature('SIGNATURE_MISSING', 'X-Connector-Signature is required.');
  }
  const expected = createHmac('sha256', input.secret).update(input.body).digest();
  const signatureBytes = matchesHmac(input.signature, expected);
  if (!signatureBytes) {
    return refuseSignature('SIGNATURE_INVALID', 'The webhook signature does not match.');
  }
  return { ok: true, timestampMs: undefined, signatureBytes };
}

const salesforceBodySchema = z.looseObject({
  objectApiName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/),
  recordId: z.string().regex(/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/, 'a 15- or 18-character id'),
  sentAt: z.string().describe('ISO 8601; deliveries older than 5 minutes are refused'),
  eventId: z.string().regex(DELIVERY_KEY).optional(),
});

export const salesforceWebhook: HelpdeskWebhook = {
  system: 'salesforce',
  label: 'Salesforce',
  secretName: 'SALESFORCE_WEBHOOK_SECRET',

  verify: (req, body, secret) =>
    verifySalesforceSignature({ secret, signature: req.get(SALESFORCE_SIGNATURE_HEADER), body }),

  readDelivery({ body, workflow, nowMs }) {
    const { values, fields } = parseFlatBody(salesforceBodySchema, body);
    const fresh = checkSignedTimestamp(fields.sentAt, nowMs);
    if (!fresh.ok) throw refuseWebhook(fresh);
    const trigger = workflow.def.trigger.salesforce as SalesforceTrigger | undefined;
    const objectTypes = trigger?.objectTypes;
    if (objectTypes && !objectTypes.includes(fields.objectApiName)) {
      throw new ApiError(
        'BODY_INVALID',
        `Workflow "${workflow.id}" does not run on ${fields.objectApiName} records.`,
        [{ path: '$.objectApiName', message: `use one of ${objectTypes.join(', ')}` }],
      );
    }
    return {
      dedupeKey: fields.eventId
        ? `salesforce:${workflow.id}:event:${fields.eventId}`
        : `salesforce:${workflow.id}:signed:${sha256(body)}`,
      target: { type: fields.objectApiName, id: fields.recordId },
      payload: values,
      signedAtMs: fresh.timestampMs,
    };
  },
};
