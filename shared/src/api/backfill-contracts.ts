import type { ConsoleTestReport } from '../console/console-contracts';

/**
 * What the admin API of backfills answers (server/src/backfills/backfill-routes.ts,
 * docs/automations.md "Backfills"): the server builds these and the admin console shows them.
 */

/** Where a backfill's deliveries are (the delivery queue's states). */
export type BackfillDeliveryState = 'queued' | 'running' | 'completed' | 'dead';

/** `GET /api/admin/backfills/:id` (`{ backfill }`), and each of `GET /api/admin/backfills`. */
export interface BackfillProgress {
  id: string;
  connectorId: string;
  system: string;
  query: { kind: 'search' | 'soql'; text: string };
  /**
   * `paused` once stopped; `done` when every match has run; `failed` when the helpdesk refused
   * the query part-way (`error` says why; the matches found before still run).
   */
  state: 'running' | 'paused' | 'done' | 'failed';
  /** Every match has been found and queued. */
  enumerated: boolean;
  /** Matches to run: the count at the start, or those found once all are found. */
  total: number;
  /** Matches found (and queued) so far. */
  found: number;
  counts: Record<BackfillDeliveryState, number>;
  /** Finished: succeeded plus failed. */
  processed: number;
  succeeded: number;
  failed: number;
  /** Runs finished per second over the last minute. */
  ratePerSecond: number;
  /** Seconds left at that rate; null when nothing finished lately, or when done. */
  etaSeconds: number | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Why it failed: the helpdesk's answer to its query. Kept if stopped after; null otherwise. */
  error: string | null;
}

/** Each of `GET /api/admin/backfills/:id/failures` (`{ failures }`). */
export interface BackfillFailure {
  deliveryId: string;
  targetId: string;
  code: string;
  message: string;
}

/** `POST /api/admin/backfills` with `dryRun: true`: nothing queued, sent or written. */
export interface BackfillDryRun {
  dryRun: true;
  connectorId: string;
  system: string;
  query: { kind: 'search' | 'soql'; text: string };
  count: number;
  /** The first matches' requests as they would go (secrets masked). */
  renders: {
    targetId: string;
    report?: ConsoleTestReport;
    error?: { code: string; message: string };
  }[];
}
