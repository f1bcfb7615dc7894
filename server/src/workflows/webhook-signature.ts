import { timingSafeEqual } from 'node:crypto';

/**
 * What every helpdesk's webhook check is made of (each helpdesk's own check lives in its
 * folder: helpdesks/zendesk/zendesk-webhook.ts, helpdesks/salesforce/salesforce-webhook.ts).
 *
 * Zendesk (developer.zendesk.com/documentation/webhooks/verifying): `X-Zendesk-Webhook-Signature`
 * is base64(HMAC-SHA256(secret, TIMESTAMP + BODY)), with TIMESTAMP the
 * `X-Zendesk-Webhook-Signature-Timestamp` header and BODY the raw request bytes. The secret is
 * used as its UTF-8 text, not base64-decoded, although it looks like base64. (An older copy of
 * the page said BODY + TIMESTAMP; the current page and Zendesk's own example use TIMESTAMP + BODY.)
 *
 * Salesforce (our own convention, set up in Apex or a Flow action): `X-Connector-Signature` is
 * base64(HMAC-SHA256(secret, BODY)), which is what `EncodingUtil.base64Encode(Crypto.generateMac(
 * 'hmacSHA256', Blob.valueOf(body), Blob.valueOf(secret)))` produces. The body carries its own
 * `sentAt`, so its freshness is signed too.
 *
 * Both compare the decoded bytes in constant time so a caller cannot learn the expected
 * signature byte by byte from response times.
 */

/** Older deliveries are refused: a captured request cannot be replayed after this window. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;
/** Clocks drift; more than this ahead is not drift. */
export const MAX_SIGNATURE_SKEW_MS = 60 * 1000;

export type SignatureErrorCode =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_STALE'
  | 'TIMESTAMP_IN_FUTURE';

export type VerifySignatureResult =
  | {
      ok: true;
      timestampMs: number | undefined;
      /**
       * The signature's decoded bytes: a delivery is identified by these, not by its spelling.
       * Base64 has several spellings of the same bytes (the unused bits of the last character,
       * surrounding whitespace), and a replay guard keyed on the text could be sidestepped.
       */
      signatureBytes: Buffer;
    }
  | { ok: false; error: { code: SignatureErrorCode; message: string } };

const HMAC_SHA256_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/;
/** The ISO 8601 form Zendesk sends (2021-07-25T10:00:00Z), optionally with fractions or an offset. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function refuseSignature(code: SignatureErrorCode, message: string): VerifySignatureResult {
  return { ok: false, error: { code, message } };
}

/** The decoded signature when it matches, else undefined. */
export function matchesHmac(given: string, expected: Buffer): Buffer | undefined {
  const trimmed = given.trim();
  if (!BASE64.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === HMAC_SHA256_BYTES && timingSafeEqual(bytes, expected) ? bytes : undefined;
}

/** Parses a signed timestamp and checks it lies within the accepted window around `nowMs`. */
export function checkSignedTimestamp(
  timestamp: string,
  nowMs: number,
): { ok: true; timestampMs: number } | Extract<VerifySignatureResult, { ok: false }> {
  const timestampMs = ISO_TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(timestampMs)) {
    return {
      ok: false,
      error: {
        code: 'TIMESTAMP_INVALID',
        message: 'The signature timestamp is not an ISO 8601 date-time.',
      },
    };
  }
  if (nowMs - timestampMs > MAX_SIGNATURE_AGE_MS) {
    return {
      ok: false,
      error: { code: 'TIMESTAMP_STALE', message: 'The delivery is older than 5 minutes.' },
    };
  }
  if (timestampMs - nowMs > MAX_SIGNATURE_SKEW_MS) {
    return {
      ok: false,
      error: {
        code: 'TIMESTAMP_IN_FUTURE',
        message: 'The delivery is dated more than a minute ahead.',
      },
    };
  }
  return { ok: true, timestampMs };
}
