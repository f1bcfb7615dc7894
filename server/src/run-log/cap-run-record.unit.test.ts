import { describe, expect, it } from 'vitest';
import { buildTestRun } from './build-test-run';
import { capRunRecord, capText, RUN_RECORD_LIMITS } from './cap-run-record';

describe('run record caps', () => {
  it('cut a long string and say how much was cut', () => {
    expect(capText('abcdef', 4)).toBe('abcd…[+2 characters]');
    expect(capText('abc', 4)).toBe('abc');
  });

  it('bound the URL, the bodies, inputs, outputs, messages and lists of one run', () => {
    const huge = 'x'.repeat(200_000);
    const capped = capRunRecord(
      buildTestRun({
        message: huge,
        inputs: { query: huge },
        outputs: { value: huge, list: Array.from({ length: 500 }, (_, i) => i) },
        warnings: Array.from({ length: 300 }, () => huge),
        request: {
          method: 'GET',
          url: `https://api.example.com/?q=${huge}`,
          headers: { a: huge },
          body: huge,
        },
        response: { status: 200, body: huge, truncated: true },
        writes: { status: 'written', changes: { internalNote: huge } },
      }),
    );
    const size = JSON.stringify(capped).length;
    expect(size).toBeLessThan(2 * 1024 * 1024);
    expect(capped.request?.url.length).toBeLessThanOrEqual(RUN_RECORD_LIMITS.url + 40);
    expect(capped.inputs.query).toMatch(/…\[\+195904 characters\]$/);
    expect((capped.outputs.list as unknown[]).at(-1)).toBe('…[+400 items]');
    expect((capped.writes.changes as { internalNote: string }).internalNote).toBe(
      `${'x'.repeat(RUN_RECORD_LIMITS.body)}…[+${200_000 - RUN_RECORD_LIMITS.body} characters]`,
    );
    expect(capped.warnings).toHaveLength(RUN_RECORD_LIMITS.items + 1);
  });
});
