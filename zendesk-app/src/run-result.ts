import type { RunResultView } from '../../shared/src/api/answer-schemas';
import { STRINGS } from './strings';

/**
 * What the agent sees after a run, and which ticket fields to set in the open form. Pure, so
 * the rules (masked values stay masked, a masked value is never copied into the form) are
 * tested without a DOM.
 */

/** What the server puts in place of a redacted value (server/src/render/render-request.ts). */
export const REDACTED_MASK = '[redacted]';

export type ResultTone = 'success' | 'warning' | 'danger';

export interface OutputLine {
  name: string;
  label: string;
  value: string;
  redacted: boolean;
}

export interface ResultView {
  outcome: RunResultView['outcome'];
  tone: ResultTone;
  title: string;
  message: string;
  outputs: OutputLine[];
  retryable: boolean;
  /** Set when the write-back itself failed, so the agent knows the ticket was not touched. */
  writeProblem: string | null;
  replayed: boolean;
}

export function formatOutputValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return STRINGS.noValue;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) {
    return value.join(', ');
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Failures a second try may get past: something was slow, busy or down for a moment. */
const PASSING_FAILURES = new Set([
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_CONNECTION_FAILED',
  'UPSTREAM_RETRIES_EXHAUSTED',
  'UPSTREAM_RESPONSE_BUDGET_EXCEEDED',
  'HELPDESK_UNAVAILABLE',
  'CONNECTION_BUSY',
]);

/**
 * Whether Retry can help: after a timeout, a dropped connection, a 5xx or a 429, or when the
 * helpdesk was down for the write; not after "Nothing found", a 404 or a refusal, which a second
 * try only repeats.
 */
export function retryHelps(result: RunResultView): boolean {
  if (result.outcome !== 'failed') return false;
  const code = result.error?.code;
  if (code === 'UPSTREAM_HTTP_ERROR') {
    const status = result.upstreamStatus;
    return status !== null && (status >= 500 || status === 429);
  }
  if (code === 'WRITE_BACK_FAILED') return result.writes.error?.code === 'WRITE_BACK_UNAVAILABLE';
  return code !== undefined && PASSING_FAILURES.has(code);
}

export function describeRunResult(result: RunResultView): ResultView {
  const tone: ResultTone =
    result.outcome === 'success' ? 'success' : result.outcome === 'empty' ? 'warning' : 'danger';
  return {
    outcome: result.outcome,
    tone,
    title: STRINGS.outcome[result.outcome] ?? result.outcome,
    message: result.message,
    outputs: result.outputs.map((output) => ({
      name: output.name,
      label: output.label,
      // The server already masked redacted values; show its mask, never anything else.
      value: output.redacted
        ? formatOutputValue(output.value ?? REDACTED_MASK)
        : formatOutputValue(output.value),
      redacted: output.redacted,
    })),
    retryable: retryHelps(result),
    writeProblem:
      result.writes.status === 'failed'
        ? STRINGS.writeFailed(result.writes.error?.message ?? result.error?.message ?? '')
        : null,
    replayed: result.replayed === true,
  };
}

/**
 * The custom fields the server wrote, to mirror into the open ticket form with `client.set`.
 * Only after a write that landed; a value the server masked is skipped, because setting the
 * mask in the form would overwrite the real value the next time the agent submits.
 */
export function fieldsToSet(writes: RunResultView['writes']): { id: number; value: unknown }[] {
  return writes.status === 'written' ? customFieldsIn(writes.changes) : [];
}

/**
 * The custom fields of a ticket update as the server describes it (`{ customFields: [{ id,
 * value }], … }`), without values that hold the server's mask.
 */
export function customFieldsIn(changes: unknown): { id: number; value: unknown }[] {
  const fields = (changes as { customFields?: unknown } | null | undefined)?.customFields;
  return (Array.isArray(fields) ? (fields as unknown[]) : [])
    .filter(
      (field): field is { id: number; value: unknown } =>
        field !== null &&
        typeof field === 'object' &&
        Number.isSafeInteger((field as { id?: unknown }).id) &&
        'value' in field,
    )
    .filter((field) => !containsMask(field.value));
}

function containsMask(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(REDACTED_MASK);
  if (Array.isArray(value)) return value.some(containsMask);
  return false;
}
