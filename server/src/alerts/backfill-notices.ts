import type { AlertNotice } from './alert-notice';
import { createNoticeSender } from './notice-sender';
import type { Notifier, NotifierOptions } from './notice-sender';

/**
 * A notice when a backfill fails (the helpdesk refused its query part-way), to where the
 * connector's own alerts go: a backfill runs unattended, often overnight, and without this the
 * admin would learn of it only by looking. Sent once: only the instance whose change moved the
 * backfill from running to failed is told (backfill-service.ts).
 */
export interface BackfillFailedEvent {
  backfillId: string;
  connectorId: string;
  reason: string;
  at: string;
}

export function createBackfillNotifier(options: NotifierOptions): Notifier<BackfillFailedEvent> {
  const sender = createNoticeSender(options);
  return {
    notify(event) {
      const connector = options.config()?.connectors.get(event.connectorId);
      const alerts = connector?.alerts;
      if (!alerts || (!alerts.email?.length && !alerts.webhook)) {
        options.logger.warn('backfill notice not sent: the connector has no alerts', {
          backfillId: event.backfillId,
          connectorId: event.connectorId,
        });
        return;
      }
      const notice: AlertNotice = {
        kind: 'failing',
        subject: 'backfill',
        backfillId: event.backfillId,
        connectorId: event.connectorId,
        connectorName: connector?.def.name ?? event.connectorId,
        reason: event.reason,
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
