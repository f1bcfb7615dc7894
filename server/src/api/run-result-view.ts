import type { RunResultView } from '../../../shared/src/api/api-contracts';
import type { ConnectorRun } from '../runs/connector-run';
import type { RunConnectorResult } from '../runs/run-connector';
import type { IdempotentOutcome } from './run-with-idempotency';

/** The API's answer for a connector run: the public fields of the domain run, nothing more. */
export function toRunResultView(run: ConnectorRun): RunResultView {
  return {
    runId: run.runId,
    connectorId: run.connectorId,
    outcome: run.outcome,
    upstreamOutcome: run.upstreamOutcome,
    upstreamStatus: run.upstreamStatus ?? null,
    message: run.message,
    ...(run.error ? { error: run.error } : {}),
    outputs: run.outputs,
    writes: run.writes,
    dryRun: run.dryRun,
    durationMs: run.durationMs,
    attempts: run.attempts,
    ...(run.link ? { link: run.link } : {}),
  };
}

/** A run or a refusal, as the idempotent HTTP edge answers it. */
export function toRunAnswer(ran: RunConnectorResult): IdempotentOutcome<RunResultView> {
  return ran.ok ? { ok: true, value: toRunResultView(ran.value) } : ran;
}
