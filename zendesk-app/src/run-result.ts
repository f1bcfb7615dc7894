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
  /** The connector's link to what the run made (the Jira issue), http(s) only. */
  link: { label: string; url: string } | null;
}

export function formatOutputValue(value: unknown): string {
  if (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  )
    return STRINGS.noValue;
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
  return errorRetryHelps(result.error?.code, result.upstreamStatus, result.writes.error?.code);
}

/** The rule for one error: its code, the upstream's status, and the write-back's own error. */
export function errorRetryHelps(
  code: string | undefined,
  status: number | null | undefined,
  writeErrorCode?: string,
): boolean {
  if (code === 'UPSTREAM_HTTP_ERROR')
    return status !== null && status !== undefined && (status >= 500 || status === 429);
  if (code === 'WRITE_BACK_FAILED') return writeErrorCode === 'WRITE_BACK_UNAVAILABLE';
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
    link: safeLink(result.link),
  };
}

/** What the server saved on the ticket in Zendesk, in words an agent can check on the ticket. */
export interface SavedChanges {
  fields: number;
  tagsAdded: string[];
  tagsRemoved: string[];
  note: boolean;
}

/**
 * Sums up the ticket updates the server made (`{ customFields: [{ id, value }], additionalTags,
 * removeTags, internalNote, … }` as the run answer describes them). The sidebar does not copy
 * these values into the open ticket form: they are saved already, and Zendesk shows a saved
 * change on the open ticket by itself; setting them through ZAF would mark them as the agent's
 * own unsaved edits.
 */
export function savedChangesOf(updates: readonly unknown[]): SavedChanges {
  const saved: SavedChanges = { fields: 0, tagsAdded: [], tagsRemoved: [], note: false };
  const fieldIds = new Set<number>();
  for (const update of updates) {
    if (update === null || typeof update !== 'object') continue;
    const { customFields, additionalTags, removeTags, internalNote } = update as Record<
      string,
      unknown
    >;
    if (Array.isArray(customFields)) {
      for (const field of customFields as unknown[]) {
        const id = (field as { id?: unknown } | null)?.id;
        if (typeof id === 'number') fieldIds.add(id);
      }
    }
    saved.tagsAdded.push(...strings(additionalTags));
    saved.tagsRemoved.push(...strings(removeTags));
    if (typeof internalNote === 'string' && internalNote !== '') saved.note = true;
  }
  saved.fields = fieldIds.size;
  saved.tagsAdded = [...new Set(saved.tagsAdded)];
  saved.tagsRemoved = [...new Set(saved.tagsRemoved)];
  return saved;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

/** The one-line note under a result that says what is now saved on the ticket, if anything. */
export function describeSaved(saved: SavedChanges): string | null {
  const parts = [
    saved.fields ? STRINGS.savedFields(saved.fields) : '',
    saved.tagsAdded.length ? STRINGS.savedTagsAdded(saved.tagsAdded.join(', ')) : '',
    saved.tagsRemoved.length ? STRINGS.savedTagsRemoved(saved.tagsRemoved.join(', ')) : '',
    saved.note ? STRINGS.savedNote : '',
  ].filter(Boolean);
  return parts.length ? STRINGS.savedOnTicket(parts.join(', ')) : null;
}

/**
 * The server only sends http(s) links; checked again here because an `href` is where a
 * `javascript:` address would run in the sidebar's origin.
 */
export function safeLink(
  link: { label: string; url: string } | undefined,
): { label: string; url: string } | null {
  if (!link) return null;
  try {
    const url = new URL(link.url);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? { label: link.label, url: url.href }
      : null;
  } catch {
    return null;
  }
}
