import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { DELIVERY_KEY, parseFlatBody, sha256 } from '../../../server/src/workflows/webhook-routes';
import type { HelpdeskWebhook } from '../../../server/src/workflows/webhook-routes';
import { matchesHmac, refuseSignature } from '../../../server/src/workflows/webhook-signature';

/** Helpnest signs its webhooks: `X-Helpnest-Signature` is base64(HMAC-SHA256(secret, body)). */
export const HELPNEST_SIGNATURE_HEADER = 'x-helpnest-signature';

const bodySchema = z.looseObject({
  conversation_id: z.string().regex(/^c[0-9]{1,12}$/),
  event_id: z.string().regex(DELIVERY_KEY).optional(),
});

export function signHelpnestBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export const helpnestWebhook: HelpdeskWebhook = {
  system: 'helpnest',
  label: 'Helpnest',
  secretName: 'HELPNEST_WEBHOOK_SECRET',
  verify(req, body, secret) {
    const signature = req.get(HELPNEST_SIGNATURE_HEADER);
    if (!signature)
      return refuseSignature('SIGNATURE_MISSING', 'X-Helpnest-Signature is required.');
    const expected = createHmac('sha256', secret).update(body).digest();
    const signatureBytes = matchesHmac(signature, expected);
    return signatureBytes
      ? { ok: true, timestampMs: undefined, signatureBytes }
      : refuseSignature('SIGNATURE_INVALID', 'The webhook signature does not match.');
  },
  readDelivery({ body, workflow }) {
    const { values, fields } = parseFlatBody(bodySchema, body);
    return {
      dedupeKey: fields.event_id
        ? `helpnest:${workflow.id}:event:${fields.event_id}`
        : `helpnest:${workflow.id}:signed:${sha256(body)}`,
      target: { type: 'conversation', id: fields.conversation_id },
      payload: values,
      signedAtMs: undefined,
    };
  },
};
