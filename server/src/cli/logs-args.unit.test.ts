import { describe, expect, it } from 'vitest';
import { parseLogsArgs, parseWhen } from './logs-args';

const NOW = Date.parse('2026-12-03T10:30:00Z');

describe('parseWhen', () => {
  it.each([
    ['today', '2026-12-03T00:00:00.000Z'],
    ['yesterday', '2026-12-02T00:00:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T08:15:00+01:00', '2026-12-01T07:15:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseWhen(text, NOW)).toBe(iso);
  });

  it('refuses what is not a time', () => {
    expect(parseWhen('last week', NOW)).toBeUndefined();
    expect(parseWhen('2026-13-45', NOW)).toBeUndefined();
  });
});

describe('parseLogsArgs', () => {
  it('reads a connector, a ticket, a time window and an outcome into one query', () => {
    expect(
      parseLogsArgs(
        ['jira_create_issue', '--ticket', '4', '--since', 'yesterday', '--outcome', 'failed'],
        NOW,
      ),
    ).toEqual({
      ok: true,
      value: {
        connectorId: 'jira_create_issue',
        query: { targetId: '4', outcome: 'failed', since: '2026-12-02T00:00:00.000Z' },
        limit: 20,
        format: 'table',
      },
    });
  });

  it('lists every connector when none is named, and --failed means the failed outcome', () => {
    expect(parseLogsArgs(['--failed', '--limit', '5'], NOW)).toEqual({
      ok: true,
      value: { query: { outcome: 'failed' }, limit: 5, format: 'table' },
    });
  });

  it('filters by error code, as typed at a prompt', () => {
    expect(parseLogsArgs(['--error-code', 'upstream_timeout'], NOW)).toEqual({
      ok: true,
      value: { query: { errorCode: 'UPSTREAM_TIMEOUT' }, limit: 20, format: 'table' },
    });
  });

  it('exports every matching run as CSV or NDJSON, up to 100 000', () => {
    expect(parseLogsArgs(['--format', 'csv'], NOW)).toEqual({
      ok: true,
      value: { query: {}, limit: 100_000, format: 'csv' },
    });
    expect(parseLogsArgs(['--format', 'ndjson', '--limit', '5000'], NOW)).toMatchObject({
      ok: true,
      value: { limit: 5000, format: 'ndjson' },
    });
  });

  it.each([
    [['--error-code', 'time out'], /--error-code takes a code such as UPSTREAM_TIMEOUT/],
    [['--sinse', 'today'], /Unknown option '--sinse'/],
    [['--since', 'last week'], /--since must be today, yesterday, a date/],
    [['--outcome', 'broken'], /--outcome must be one of success, empty, failed/],
    [['--limit', '0'], /--limit must be a whole number from 1 to 500/],
    [['--limit', '1000'], /--limit must be a whole number from 1 to 500,/],
    [['--format', 'xml'], /--format must be one of table, csv, ndjson/],
    [['a', 'b'], /logs takes one connector id, got 2/],
    [['--failed', '--outcome', 'empty'], /--failed and --outcome disagree/],
  ])('refuses %j in one line', (args, message) => {
    const parsed = parseLogsArgs(args, NOW);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toMatch(message);
      expect(parsed.error).not.toContain('\n');
    }
  });
});
