import { describe, expect, it } from 'vitest';
import {
  describeRunResult,
  describeSaved,
  formatOutputValue,
  safeLink,
  savedChangesOf,
} from './run-result';
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
    // An empty list is nothing found, not a blank cell.
    expect(formatOutputValue([])).toBe('—');
    expect(formatOutputValue({ a: 1 })).toBe('{"a":1}');
    expect(formatOutputValue(12.5)).toBe('12.5');
  });
});

describe('what the server saved on the ticket', () => {
  it('counts the fields, names the tags and the note, in words', () => {
    const saved = savedChangesOf([buildRunResult().writes.changes, { internalNote: 'Hi' }]);
    expect(saved).toEqual({ fields: 2, tagsAdded: ['looked_up'], tagsRemoved: [], note: true });
    expect(describeSaved(saved)).toBe(
      'Saved on the ticket: 2 fields, tags added (looked_up), an internal note.',
    );
  });

  it('says nothing when nothing was saved, and ignores malformed change lists', () => {
    const saved = savedChangesOf([null, 'x', { customFields: [{ id: 'x', value: 1 }, null] }]);
    expect(saved).toEqual({ fields: 0, tagsAdded: [], tagsRemoved: [], note: false });
    expect(describeSaved(saved)).toBeNull();
  });
});

describe('links to what a run made', () => {
  it('keeps http(s) links and drops anything else', () => {
    const result = buildRunResult({
      link: { label: 'SUP-1', url: 'https://jira.example/browse/SUP-1' },
    });
    expect(describeRunResult(result).link).toEqual({
      label: 'SUP-1',
      url: 'https://jira.example/browse/SUP-1',
    });
    expect(safeLink({ label: 'x', url: 'javascript:alert(1)' })).toBeNull();
    expect(safeLink({ label: 'x', url: 'not a url' })).toBeNull();
    expect(describeRunResult(buildRunResult()).link).toBeNull();
  });
});
