import { describe, expect, it } from 'vitest';
import { describeRunResult, fieldsToSet, formatOutputValue } from './run-result';
import { buildRunResult } from './test-fixtures';

describe('showing a run’s result', () => {
  it('lists the outputs with their labels and keeps redacted values masked', () => {
    const view = describeRunResult(buildRunResult());
    expect(view).toMatchObject({
      outcome: 'success',
      tone: 'success',
      title: 'Success',
      retryable: false,
    });
    expect(view.outputs).toEqual([
      { name: 'payment_status', label: 'Payment', value: 'paid', redacted: false },
      { name: 'card_last4', label: 'Card', value: '[redacted]', redacted: true },
    ]);
  });

  it('shows the connector’s message when nothing was found, without a retry that would repeat it', () => {
    const empty = describeRunResult(
      buildRunResult({ outcome: 'empty', message: 'No Shopify order #9999.', outputs: [] }),
    );
    expect(empty).toMatchObject({ tone: 'warning', title: 'Nothing found', retryable: false });
    expect(empty.message).toBe('No Shopify order #9999.');
  });

  const failedWith = (code: string, upstreamStatus: number | null, writeCode?: string) =>
    buildRunResult({
      outcome: 'failed',
      upstreamStatus,
      message: 'Shopify lookup failed',
      error: { code, message: 'm' },
      ...(writeCode
        ? { writes: { status: 'failed', changes: null, error: { code: writeCode, message: 'w' } } }
        : {}),
    });

  it.each([
    ['UPSTREAM_TIMEOUT', null, undefined, true],
    ['UPSTREAM_CONNECTION_FAILED', null, undefined, true],
    ['UPSTREAM_HTTP_ERROR', 503, undefined, true],
    ['UPSTREAM_HTTP_ERROR', 429, undefined, true],
    ['UPSTREAM_HTTP_ERROR', 404, undefined, false],
    ['UPSTREAM_HTTP_ERROR', 400, undefined, false],
    ['UPSTREAM_AUTH_FAILED', 401, undefined, false],
    ['WRITE_BACK_FAILED', 200, 'WRITE_BACK_UNAVAILABLE', true],
    ['WRITE_BACK_FAILED', 200, 'WRITE_BACK_INVALID', false],
  ] as const)('after %s (status %s, write %s) offers a retry: %s', (code, status, write, retry) => {
    expect(describeRunResult(failedWith(code, status, write))).toMatchObject({
      tone: 'danger',
      title: 'Failed',
      retryable: retry,
    });
  });

  it('says so when the external call worked but the ticket was not updated', () => {
    const view = describeRunResult(
      buildRunResult({
        outcome: 'failed',
        writes: {
          status: 'failed',
          changes: null,
          error: { code: 'ZENDESK_CONFLICT', message: 'the ticket changed' },
        },
      }),
    );
    expect(view.writeProblem).toBe('The ticket was not updated: the ticket changed');
  });

  it('formats values for display', () => {
    expect(formatOutputValue(null)).toBe('—');
    expect(formatOutputValue(['a', 'b'])).toBe('a, b');
    expect(formatOutputValue({ a: 1 })).toBe('{"a":1}');
    expect(formatOutputValue(12.5)).toBe('12.5');
  });
});

describe('mirroring written fields into the open ticket', () => {
  it('sets each custom field the server wrote, except masked values', () => {
    expect(fieldsToSet(buildRunResult().writes)).toEqual([{ id: 360001000002, value: 'paid' }]);
  });

  it('sets nothing unless the write landed', () => {
    for (const status of ['none', 'failed', 'skipped'] as const) {
      expect(fieldsToSet({ ...buildRunResult().writes, status })).toEqual([]);
    }
  });

  it('ignores malformed change lists', () => {
    expect(fieldsToSet({ status: 'written', changes: null })).toEqual([]);
    expect(
      fieldsToSet({ status: 'written', changes: { customFields: [{ id: 'x', value: 1 }, null] } }),
    ).toEqual([]);
  });
});
