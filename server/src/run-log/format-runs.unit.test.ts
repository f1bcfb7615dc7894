import { describe, expect, it } from 'vitest';
import { buildTestRun } from './build-test-run';
import { formatRunsForTerminal } from './format-runs';

describe('formatRunsForTerminal', () => {
  it('says so when there are no runs', () => {
    expect(formatRunsForTerminal([])).toBe('No runs.');
  });

  it('prints a header and one aligned line per run', () => {
    const text = formatRunsForTerminal([
      buildTestRun({
        id: 'run_01JNB7X8S0A1B2C3D4E5F6G7H8',
        startedAt: '2025-03-01T12:00:05.250Z',
        durationMs: 1_530,
        attempts: 2,
      }),
      buildTestRun({
        id: 'run_01JNB7X8S0Z9Y8X7W6V5T4S3R2',
        connectorId: 'crm',
        target: { system: 'salesforce', type: 'Case', id: '500Dn00000AbCdE' },
        outcome: 'failed',
        errorCode: 'UPSTREAM_TIMEOUT',
        message: 'Timed out',
        durationMs: 42,
      }),
    ]);
    expect(text.split('\n')).toEqual([
      'RUN                             TIME (UTC)           OUTCOME  CONNECTOR     TARGET                           DURATION  ATTEMPTS  MESSAGE',
      'run_01JNB7X8S0A1B2C3D4E5F6G7H8  2025-03-01 12:00:05  success  order-lookup  zendesk ticket 1001                 1.5 s         2  Found order 7731',
      'run_01JNB7X8S0Z9Y8X7W6V5T4S3R2  2025-03-01 12:00:00  failed   crm           salesforce Case 500Dn00000AbCdE     42 ms         1  UPSTREAM_TIMEOUT: Timed out',
    ]);
  });

  it('marks dry runs and shows long durations in minutes', () => {
    const line = formatRunsForTerminal([buildTestRun({ dryRun: true, durationMs: 125_000 })]).split(
      '\n',
    )[1];
    expect(line).toContain('success (dry run)');
    expect(line).toContain('2 min 5 s');
  });

  it('keeps each run on one line and shortens long messages', () => {
    const text = formatRunsForTerminal([
      buildTestRun({ message: `first\nsecond ${'x'.repeat(200)}` }),
    ]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('first second x');
    expect(lines[1]?.endsWith('…')).toBe(true);
  });

  it('strips terminal escape sequences that came from an external API', () => {
    const text = formatRunsForTerminal([
      buildTestRun({ message: 'ok\u001b[2J\u001b]0;pwned\u0007' }),
    ]);
    expect(text).toContain('ok[2J]0;pwned');
    expect(text.includes('\u001b') || text.includes('\u0007')).toBe(false);
  });
});
