import type { AlertNotice } from './alert-notice';
import { createNoticeSender } from './notice-sender';
import type { Notifier, NotifierOptions } from './notice-sender';

/**
 * A notice when a backfill fails (the helpdesk refused its query part-way) or finishes (the
 * last of its matches has run), to where the connector's own alerts go: a backfill runs
 * unattended, often overnight, and without this the admin would learn of either only by
 * looking. Sent once: only the instance whose change moved the backfill from running is told
 * (backfill-service.ts). A backfill resumed or re-queued after it finished is told again when
 * it finishes again.
 */
export interface BackfillFailedEvent {
  outcome: 'failed';
  backfillId: string;
  connectorId: string;
  reason: string;
  at: string;
}

export interface BackfillFinishedEvent {
  outcome: 'finished';
  backfillId: string;
  connectorId: string;
  /** Its deliveries that completed, and those that failed for good (dead). */
  completed: number;
  dead: number;
  at: string;
}

export type BackfillEvent = BackfillFailedEvent | BackfillFinishedEvent;

/** "250 matches ran: 247 completed, 3 failed". */
export function describeBackfillRuns(event: BackfillFinishedEvent): string {
  const total = event.completed + event.dead;
  return `${total} ${total === 1 ? 'match' : 'matches'} ran: ${event.completed} completed, ${event.dead} failed`;
}

export function createBackfillNotifier(options: NotifierOptions): Notifier<BackfillEvent> {
  const sender = createNoticeSender(options);
  return {
    notify(event) {
      const connector = options.config()?.connectors.get(event.connectorId);
      const alerts = connector?.alerts;
      if (!alerts || (!alerts.email?.length && !alerts.webhook)) {
        // A failure nobody hears of is worth a warning; a finish is in the log already.
        if (event.outcome === 'failed') {
          options.logger.warn('backfill notice not sent: the connector has no alerts', {
            backfillId: event.backfillId,
            connectorId: event.connectorId,
          });
        }
        return;
      }
      const notice: AlertNotice = {
        kind: event.outcome === 'failed' ? 'failing' : 'finished',
        subject: 'backfill',
        backfillId: event.backfillId,
        connectorId: event.connectorId,
        connectorName: connector?.def.name ?? event.connectorId,
        reason: event.outcome === 'failed' ? event.reason : describeBackfillRuns(event),
        at: event.at,
        lastFailure: undefined,
        paused: false,
        logsUrl: `${options.serverUrl()}/admin#/backfills/${event.backfillId}`,
      };
      sender.sendAll(notice, [alerts], { backfillId: event.backfillId });
    },
    idle: sender.idle,
  };
}
