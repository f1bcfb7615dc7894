import type { RunLinkView, RunOutcome, RunWritesView } from '../../../shared/src/api/api-contracts';

/**
 * What a connector run came to, as the server's own code uses it (the step engine, macros, the
 * HTTP edge). The API's RunResultView is made from it at the edge (api/run-result-view.ts), so
 * what the pipeline knows (the upstream's status, for one) does not have to travel through the
 * public contract, nor be read back from the run log.
 */
export interface ConnectorRun {
  runId: string;
  connectorId: string;
  outcome: RunOutcome;
  /** What the external call alone came to; differs from `outcome` when the write-back failed. */
  upstreamOutcome: RunOutcome;
  /** The upstream's HTTP status, when it answered (absent: refused, timed out, unreachable). */
  upstreamStatus: number | undefined;
  message: string;
  error?: { code: string; message: string };
  /** Redacted for where they go: a redacted output's value is already the mask. */
  outputs: { name: string; label: string; value: unknown; redacted: boolean }[];
  writes: RunWritesView;
  dryRun: boolean;
  durationMs: number;
  attempts: number;
  /** The connector's link to what the run made, after the upstream call succeeded. */
  link: RunLinkView | undefined;
}
