import type { ConnectorAlerts } from '../../../shared/src/config/connector-config-schema';
import type { CompiledConfig } from '../compile/compiled-model';
import type { AlertNotice } from './alert-notice';
import { createNoticeSender } from './notice-sender';
import type { Notifier, NotifierOptions } from './notice-sender';

/**
 * Notices about an OAuth connection that needs reconnecting (its refresh token was refused), and
 * about its recovery when an admin connects it again. They go where the alerts of the connectors
 * using the connection go (their emails and webhooks, each address once): those are the people
 * who would otherwise learn of it one failed run at a time. The token service decides "once per
 * incident" (the state change is stored), so a restart never sends one twice.
 */

export type ConnectionNoticeEvent =
  | { kind: 'needs_reconnect'; connectionId: string; reason: string; at: string }
  | { kind: 'reconnected'; connectionId: string; since: string; reason: string; at: string };

/** Every connector's alert channels on `connectionId`, merged: each email and webhook once. */
export function mergeConnectionAlerts(
  config: CompiledConfig | undefined,
  connectionId: string,
): ConnectorAlerts[] {
  const emails = new Set<string>();
  const webhooks = new Set<string>();
  for (const connector of config?.connectors.values() ?? []) {
    if (connector.connection.id !== connectionId || !connector.alerts) continue;
    for (const email of connector.alerts.email ?? []) emails.add(email);
    if (connector.alerts.webhook) webhooks.add(connector.alerts.webhook.urlSecret);
  }
  const channels: ConnectorAlerts[] = [];
  const base: ConnectorAlerts = { pause: false };
  if (emails.size > 0) channels.push({ ...base, email: [...emails] });
  for (const urlSecret of webhooks) channels.push({ ...base, webhook: { urlSecret } });
  return channels;
}

export function createConnectionNotifier(
  options: NotifierOptions,
): Notifier<ConnectionNoticeEvent> {
  const sender = createNoticeSender(options);
  return {
    notify(event) {
      const notice: AlertNotice = {
        kind: event.kind === 'needs_reconnect' ? 'failing' : 'recovered',
        subject: 'connection',
        connectorId: event.connectionId,
        connectorName: event.connectionId,
        reason: event.reason,
        at: event.at,
        ...(event.kind === 'reconnected' ? { since: event.since } : {}),
        lastFailure: undefined,
        paused: false,
        logsUrl: `${options.serverUrl()}/admin#/connectors?connection=${encodeURIComponent(event.connectionId)}`,
      };
      const channels = mergeConnectionAlerts(options.config(), event.connectionId);
      if (channels.length === 0) {
        options.logger.warn('connection notice not sent: no connector on it has alerts', {
          connectionId: event.connectionId,
          notice: notice.kind,
        });
        return;
      }
      sender.sendAll(notice, channels, { connectionId: event.connectionId });
    },
    idle: sender.idle,
  };
}
