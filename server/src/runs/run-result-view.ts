import type { RunResultView } from '../../../shared/src/api/api-contracts';
import type { ConnectorRun } from './connector-run';

/**
 * A connector run as its callers see it (the HTTP API, MCP tools): the public fields of the domain
 * run, nothing more.
 */
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
