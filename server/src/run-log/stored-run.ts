import { z } from 'zod';
import {
  ranIdOf,
  runIdSchema,
  runOutcomeSchema,
  runRecordBaseSchema,
  runRecordSchema,
  runTargetSchema,
  targetSystemSchema,
  verificationEventSchema,
} from './run-record';
import type { RunRecord, VerificationEvent } from './run-record';

/**
 * How a run is laid out in a database row, the same for every backend (SQLite, PostgreSQL): the
 * columns the log is filtered and sorted by, and the rest as JSON in `details`. One mapping, so a
 * run reads back identically whichever database holds it.
 */

export interface CorruptRunRowReport {
  /** The row's id when it could be read, so an operator can inspect or delete it. */
  id: string | undefined;
  reason: string;
}

/** A row as a store reads it back; `started_at` in epoch milliseconds. */
export const storedRunRowSchema = z.strictObject({
  id: runIdSchema,
  connector_id: z.string().min(1),
  target_system: targetSystemSchema,
  target_id: z.string().min(1),
  outcome: runOutcomeSchema,
  started_at: z.int().min(0).max(8.64e15),
  details: z.string(),
});
export type StoredRunRow = z.infer<typeof storedRunRowSchema>;

/** A row to write: the read columns plus the ones only filters use. */
export interface StoredRun extends StoredRunRow {
  error_code: string | null;
  source: string;
  actor: string;
  dry_run: boolean;
}

/** Everything in a run that has no column of its own. */
const runDetailsSchema = runRecordBaseSchema
  .omit({ id: true, outcome: true, startedAt: true })
  .extend({ target: runTargetSchema.omit({ system: true, id: true }) });
type RunDetails = z.infer<typeof runDetailsSchema>;

/**
 * The `connector_id` column holds what ran: a connector id as is (ids cannot contain ":"), a
 * workflow or macro id behind its kind. Filters by connector therefore match connector runs only,
 * and files written before `kind` existed (`workflow:<id>`) read back the same way.
 */
function storageKeyOf(run: RunRecord): string {
  return run.kind === 'connector' ? run.connectorId : `${run.kind}:${ranIdOf(run)}`;
}

function ranFromStorageKey(
  key: string,
):
  | { kind: 'connector'; connectorId: string }
  | { kind: 'workflow'; workflowId: string }
  | { kind: 'macro'; macroId: string }
  | { kind: 'verification'; event: VerificationEvent } {
  if (key.startsWith('workflow:')) return { kind: 'workflow', workflowId: key.slice(9) };
  if (key.startsWith('macro:')) return { kind: 'macro', macroId: key.slice(6) };
  const event = key.startsWith('verification:')
    ? verificationEventSchema.safeParse(key.slice(13))
    : undefined;
  if (event?.success) return { kind: 'verification', event: event.data };
  return { kind: 'connector', connectorId: key };
}

/** The `actor` column: "kind:id", so a kind alone is a prefix range of the index. */
export function actorKeyOf(actor: { kind: string; id?: string | undefined }): string {
  return `${actor.kind}:${actor.id ?? ''}`;
}

/** The row for a run; throws a TypeError for an invalid run (the caller's bug). */
export function toStoredRun(run: RunRecord): StoredRun {
  const parsed = runRecordSchema.safeParse(run);
  if (!parsed.success) {
    // The caller built the record; storing it would only make a row we later skip as corrupt.
    throw new TypeError(`invalid run record: ${z.prettifyError(parsed.error)}`);
  }
  const record = parsed.data;
  const { id, outcome, startedAt, target } = record;
  // One literal naming every field, not rest destructuring and spreads: those copied the
  // record twice more a run, property by property (docs/performance.md, "What the eighteenth
  // machine's session found"). `satisfies` makes leaving a field of RunDetails out a type error;
  // an undefined one is left out by JSON.stringify, as before. `target` first: see "Object
  // literals on the run path".
  const details = {
    target: {
      type: target.type,
      ...(target.commentId !== undefined && { commentId: target.commentId }),
    },
    source: record.source,
    actor: record.actor,
    errorCode: record.errorCode,
    message: record.message,
    warnings: record.warnings,
    emptyReason: record.emptyReason,
    upstreamError: record.upstreamError,
    dryRun: record.dryRun,
    upstreamOutcome: record.upstreamOutcome,
    inputs: record.inputs,
    request: record.request,
    response: record.response,
    outputs: record.outputs,
    // JSON has no undefined; store null so the key survives the round trip.
    writes: {
      status: record.writes.status,
      changes: record.writes.changes ?? null,
      error: record.writes.error,
    },
    attempts: record.attempts,
    durationMs: record.durationMs,
    idempotencyKey: record.idempotencyKey,
  } satisfies { [Key in keyof Required<RunDetails>]: RunDetails[Key] | undefined };
  return {
    id,
    connector_id: storageKeyOf(record),
    target_system: target.system,
    target_id: target.id,
    outcome,
    started_at: Date.parse(startedAt),
    details: JSON.stringify(details),
    error_code: record.errorCode ?? null,
    source: record.source,
    actor: actorKeyOf(record.actor),
    dry_run: record.dryRun,
  };
}

/** The run a row holds, or undefined (reported to `onCorruptRow`) when the row is damaged. */
export function readStoredRun(
  raw: unknown,
  onCorruptRow: (report: CorruptRunRowReport) => void,
): RunRecord | undefined {
  const rawId = (raw as { id?: unknown } | null)?.id;
  const report = (reason: string): undefined => {
    onCorruptRow({ id: typeof rawId === 'string' ? rawId : undefined, reason });
    return undefined;
  };
  const row = storedRunRowSchema.safeParse(raw);
  if (!row.success) return report(`bad columns: ${z.prettifyError(row.error)}`);
  let json: unknown;
  try {
    json = JSON.parse(row.data.details);
  } catch (error) {
    return report(`details is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const details = runDetailsSchema.safeParse(json);
  if (!details.success) return report(`bad details: ${z.prettifyError(details.error)}`);
  const { target, ...rest } = details.data;
  return {
    id: row.data.id,
    ...ranFromStorageKey(row.data.connector_id),
    ...rest,
    target: { system: row.data.target_system, id: row.data.target_id, ...target },
    outcome: row.data.outcome,
    startedAt: new Date(row.data.started_at).toISOString(),
  };
}

export function warnAboutCorruptRow(report: CorruptRunRowReport): void {
  process.emitWarning(`skipped corrupt run log row ${report.id ?? '(no id)'}: ${report.reason}`, {
    code: 'RUN_LOG_CORRUPT_ROW',
  });
}

export function warnAboutFailedPrune(error: unknown): void {
  process.emitWarning(
    `run log prune failed: ${error instanceof Error ? error.message : String(error)}`,
    { code: 'RUN_LOG_PRUNE_FAILED' },
  );
}
