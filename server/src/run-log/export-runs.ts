import { ranIdOf } from './run-record';
import type { RunRecord } from './run-record';

/** One CSV row per run: what a spreadsheet filter needs, not the request and response bodies. */
export const CSV_COLUMNS = [
  'id',
  'startedAt',
  'kind',
  'what',
  'system',
  'targetType',
  'targetId',
  'outcome',
  'errorCode',
  'source',
  'actorKind',
  'actorName',
  'durationMs',
  'attempts',
  'message',
] as const;

/**
 * RFC 4180 quoting, and a leading apostrophe for a cell a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR): messages and ids come from tickets and upstream answers, not from the admin.
 */
function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text.startsWith("'") ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRow(run: RunRecord): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: run.id,
    startedAt: run.startedAt,
    kind: run.kind,
    what: ranIdOf(run),
    system: run.target.system,
    targetType: run.target.type,
    targetId: run.target.id,
    outcome: run.outcome,
    errorCode: run.errorCode,
    source: run.source,
    actorKind: run.actor.kind,
    actorName: run.actor.name ?? run.actor.email ?? run.actor.id,
    durationMs: run.durationMs,
    attempts: run.attempts,
    message: run.message,
  };
  return CSV_COLUMNS.map((column) => csvCell(cells[column])).join(',');
}

/** The runs as CSV with a header line, CRLF line ends (RFC 4180). */
export function formatRunsAsCsv(runs: readonly RunRecord[]): string {
  return [CSV_COLUMNS.join(','), ...runs.map(csvRow)].join('\r\n') + '\r\n';
}

/** The runs as they are stored (already redacted), one JSON object per line. */
export function formatRunsAsNdjson(runs: readonly RunRecord[]): string {
  return runs.map((run) => JSON.stringify(run)).join('\n') + (runs.length ? '\n' : '');
}
