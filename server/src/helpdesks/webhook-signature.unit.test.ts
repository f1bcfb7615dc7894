import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySalesforceSignature } from './salesforce/salesforce-webhook';
import { verifyZendeskSignature, ZENDESK_TEST_SIGNING_SECRET } from './zendesk/zendesk-webhook';

// Computed here from the documented formula, base64(HMACSHA256(TIMESTAMP + BODY)), with the
// secret's text as the key; not with the code under test.
function zendeskSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}${body}`).digest('base64');
}

const TIMESTAMP = '2021-07-25T10:00:00Z';
const AT_TIMESTAMP = Date.parse(TIMESTAMP);
const BODY = '{"ticket_id": "35"}';

function verify(overrides: Partial<Parameters<typeof verifyZendeskSignature>[0]> = {}) {
  return verifyZendeskSignature({
    secret: ZENDESK_TEST_SIGNING_SECRET,
    signature: zendeskSignature(ZENDESK_TEST_SIGNING_SECRET, TIMESTAMP, BODY),
    timestamp: TIMESTAMP,
    body: Buffer.from(BODY),
    nowMs: AT_TIMESTAMP + 1_000,
    ...overrides,
  });
}

describe('Zendesk webhook signatures', () => {
  it('accepts a delivery signed with the documented test secret', () => {
    const signature = zendeskSignature(ZENDESK_TEST_SIGNING_SECRET, TIMESTAMP, BODY);
    // The decoded bytes key the replay guard, so a re-spelled base64 is the same delivery.
    expect(verify()).toEqual({
      ok: true,
      timestampMs: AT_TIMESTAMP,
      signatureBytes: Buffer.from(signature, 'base64'),
    });
  });

  it('matches the published vector in timestamp + body order, not the older body + timestamp order', () => {
    // zendesk.md §3: secret, body and timestamp from Zendesk's older page. Its printed signature
    // was computed as body + timestamp; timestamp + body gives the other value.
    const secret = 'HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=';
    const body = Buffer.from('{"say": "hello"}');
    const check = (signature: string) =>
      verifyZendeskSignature({
        secret,
        signature,
        timestamp: TIMESTAMP,
        body,
        nowMs: AT_TIMESTAMP,
      });
    expect(check('Rry/4TtIdFyawtXXp8QdI6tlAUUQ/5kL1OTp5qo/ZIk=').ok).toBe(true);
    expect(check('tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=')).toMatchObject({
      ok: false,
      error: { code: 'SIGNATURE_INVALID' },
    });
  });

  it('uses the secret as text: a key made from its base64-decoded bytes does not verify', () => {
    const decodedKey = Buffer.from(ZENDESK_TEST_SIGNING_SECRET, 'base64');
    const signature = createHmac('sha256', decodedKey)
      .update(`${TIMESTAMP}${BODY}`)
      .digest('base64');
    expect(verify({ signature })).toMatchObject({
      ok: false,
      error: { code: 'SIGNATURE_INVALID' },
    });
  });

  it('refuses a wrong secret, a changed body and a changed timestamp', () => {
    expect(verify({ secret: 'another-secret' }).ok).toBe(false);
    expect(verify({ body: Buffer.from('{"ticket_id": "36"}') }).ok).toBe(false);
    expect(verify({ timestamp: '2021-07-25T10:00:01Z' }).ok).toBe(false);
  });

  it('refuses a delivery older than five minutes, even when correctly signed', () => {
    expect(verify({ nowMs: AT_TIMESTAMP + 5 * 60_000 + 1 })).toMatchObject({
      ok: false,
      error: { code: 'TIMESTAMP_STALE' },
    });
    expect(verify({ nowMs: AT_TIMESTAMP + 5 * 60_000 }).ok).toBe(true);
  });

  it('refuses a delivery dated more than a minute ahead', () => {
    expect(verify({ nowMs: AT_TIMESTAMP - 61_000 })).toMatchObject({
      ok: false,
      error: { code: 'TIMESTAMP_IN_FUTURE' },
    });
    expect(verify({ nowMs: AT_TIMESTAMP - 59_000 }).ok).toBe(true);
  });

  it('refuses missing headers and a timestamp that is not ISO 8601', () => {
    expect(verify({ signature: undefined })).toMatchObject({
      ok: false,
      error: { code: 'SIGNATURE_MISSING' },
    });
    expect(verify({ timestamp: undefined })).toMatchObject({
      ok: false,
      error: { code: 'SIGNATURE_MISSING' },
    });
    const timestamp = '1627207200';
    expect(
      verify({
        timestamp,
        signature: zendeskSignature(ZENDESK_TEST_SIGNING_SECRET, timestamp, BODY),
      }),
    ).toMatchObject({ ok: false, error: { code: 'TIMESTAMP_INVALID' } });
  });

  it('refuses signatures that are not base64 of 32 bytes', () => {
    for (const signature of ['', 'not base64!', 'c2hvcnQ=', `${'A'.repeat(43)}==`]) {
      expect(verify({ signature }).ok).toBe(false);
    }
  });
});

describe('Salesforce webhook signatures', () => {
  const secret = 'salesforce-test-secret';
  const body = Buffer.from('{"objectApiName":"Case","recordId":"500000000000001AAA"}');
  const sign = (key: string) => createHmac('sha256', key).update(body).digest('base64');

  it('accepts base64(HMAC-SHA256(secret, body)) and refuses any other key', () => {
    expect(verifySalesforceSignature({ secret, signature: sign(secret), body }).ok).toBe(true);
    expect(verifySalesforceSignature({ secret, signature: sign('other'), body })).toMatchObject({
      ok: false,
      error: { code: 'SIGNATURE_INVALID' },
    });
    expect(verifySalesforceSignature({ secret, signature: undefined, body })).toMatchObject({
      ok: false,
      error: { code: 'SIGNATURE_MISSING' },
    });
  });

  it('accepts the vector DataConnectorsWorkflowTriggerTest checks the Apex signing against', () => {
    // Keep in step with salesforce-lwc/…/DataConnectorsWorkflowTriggerTest.cls.
    const apexBody = Buffer.from(
      '{"objectApiName":"Case","recordId":"500000000000001AAA","sentAt":"2026-03-01T10:00:00Z","eventId":"3f1c2a9e-7b4d-4c1e-9a2b-5d6e7f8a9b0c"}',
    );
    expect(
      verifySalesforceSignature({
        secret: 'test-signing-key-0123456789',
        signature: 'gOWwwL2ZI05TndHp4Sm8oLXtOzxlzgXnCNsdtMeMne8=',
        body: apexBody,
      }).ok,
    ).toBe(true);
  });
});
