import { describe, expect, it } from 'vitest';
import { failureKindOf } from './failure-kinds';

describe('failureKindOf', () => {
  it.each([
    ['UPSTREAM_TIMEOUT', undefined, 'timeout'],
    ['UPSTREAM_CONNECTION_FAILED', undefined, 'unreachable'],
    ['UPSTREAM_RETRIES_EXHAUSTED', 503, 'busy'],
    ['UPSTREAM_HTTP_ERROR', 429, 'busy'],
    ['UPSTREAM_HTTP_ERROR', 502, 'busy'],
    ['UPSTREAM_HTTP_ERROR', 401, 'notAuthorized'],
    ['UPSTREAM_HTTP_ERROR', 403, 'notAuthorized'],
    ['UPSTREAM_HTTP_ERROR', 404, 'notFound'],
    ['UPSTREAM_HTTP_ERROR', 422, 'rejected'],
    ['UPSTREAM_HTTP_ERROR', 302, 'badAnswer'],
    ['UPSTREAM_INVALID_RESPONSE', 200, 'badAnswer'],
    ['UPSTREAM_RESPONSE_TOO_LARGE', undefined, 'badAnswer'],
    ['UPSTREAM_REPORTED_ERROR', 200, 'rejected'],
    ['WRITE_BACK_FAILED', undefined, 'notSaved'],
  ] as const)('%s with status %s is %s', (code, status, kind) => {
    expect(failureKindOf(code, status)).toBe(kind);
  });

  it('has no kind for a refusal before anything was sent', () => {
    expect(failureKindOf('CONFIG_SECRET_MISSING', undefined)).toBeUndefined();
    expect(failureKindOf('UPSTREAM_HTTP_ERROR', undefined)).toBeUndefined();
  });
});
