import { parseCliOptions } from './parse-cli-options';
import type { Result } from '../../../shared/src/result';
import type { RunOutcome, RunQuery } from '../run-log/run-record';

/**
 * The arguments of `npm run connectors -- logs`: which runs an admin asks about, in words they
 * type at 9 a.m. ("yesterday", a date, an outcome). Every mistake is one line saying what to
 * type instead, never a stack trace.
 */

export interface LogsRequest {
  /** Only this connector's runs; every connector when absent. */
  connectorId?: string;
  query: Omit<RunQuery, 'cursor' | 'maxBytes' | 'limit' | 'connectorId'>;
  limit: number;
  /** A table for reading; CSV or NDJSON to export (up to 100 000 runs). */
  format: 'table' | 'csv' | 'ndjson';
}

const FORMATS = ['table', 'csv', 'ndjson'] as const;
const MAX_EXPORT = 100_000;

const OUTCOMES: readonly RunOutcome[] = ['success', 'empty', 'failed'];
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `today`, `yesterday`, `2026-12-01` (UTC midnight) or a full ISO time, as an ISO time. */
export function parseWhen(text: string, nowMs: number): string | undefined {
  const startOfToday = Math.floor(nowMs / DAY_MS) * DAY_MS;
  if (text === 'today') return new Date(startOfToday).toISOString();
  if (text === 'yesterday') return new Date(startOfToday - DAY_MS).toISOString();
  const ms = Date.parse(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function parseLogsArgs(args: readonly string[], nowMs: number): Result<LogsRequest, string> {
  const parsed = parseCliOptions(args, {
    ticket: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    outcome: { type: 'string' },
    failed: { type: 'boolean', default: false },
    'error-code': { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string', default: 'table' },
  });
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  if (positionals.length > 1) {
    return { ok: false, error: `logs takes one connector id, got ${positionals.length}` };
  }
  const format = FORMATS.find((name) => name === values.format);
  if (format === undefined) {
    return {
      ok: false,
      error: `--format must be one of ${FORMATS.join(', ')}, got ${values.format}`,
    };
  }
  const maxLimit = format === 'table' ? 500 : MAX_EXPORT;
  const limit = Number(values.limit ?? (format === 'table' ? 20 : MAX_EXPORT));
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    return {
      ok: false,
      error: `--limit must be a whole number from 1 to ${maxLimit}, got ${values.limit}`,
    };
  }
  const when = (name: 'since' | 'until') => {
    const text = values[name];
    if (text === undefined) return { ok: true as const, value: undefined };
    const iso = parseWhen(text, nowMs);
    return iso === undefined
      ? {
          ok: false as const,
          error: `--${name} must be today, yesterday, a date such as 2026-12-01, or an ISO time; got ${text}`,
        }
      : { ok: true as const, value: iso };
  };
  const since = when('since');
  if (!since.ok) return since;
  const until = when('until');
  if (!until.ok) return until;
  const outcome = values.failed ? 'failed' : values.outcome;
  if (outcome !== undefined && !OUTCOMES.includes(outcome as RunOutcome)) {
    return { ok: false, error: `--outcome must be one of ${OUTCOMES.join(', ')}, got ${outcome}` };
  }
  if (values.failed && values.outcome !== undefined && values.outcome !== 'failed') {
    return { ok: false, error: '--failed and --outcome disagree; give one of them' };
  }
  // Codes are SCREAMING_SNAKE in the log; take `upstream_timeout` as typed at a prompt.
  const errorCode = values['error-code']?.toUpperCase();
  if (errorCode !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(errorCode)) {
    return {
      ok: false,
      error: `--error-code takes a code such as UPSTREAM_TIMEOUT, got ${values['error-code']}`,
    };
  }
  return {
    ok: true,
    value: {
      ...(positionals[0] === undefined ? {} : { connectorId: positionals[0] }),
      query: {
        ...(values.ticket === undefined ? {} : { targetId: values.ticket }),
        ...(outcome === undefined ? {} : { outcome: outcome as RunOutcome }),
        ...(errorCode === undefined ? {} : { errorCode }),
        ...(since.value === undefined ? {} : { since: since.value }),
        ...(until.value === undefined ? {} : { until: until.value }),
      },
      limit,
      format,
    },
  };
}
