import type { ConnectorAlerts } from '../../../shared/src/config/connector-config-schema';
import type { CompiledConfig } from '../compile/compiled-model';
import type { Logger } from '../logging/logger';
import type { AlertNotice } from './alert-notice';
import type { SendAlertNotice } from './send-alert-notice';

/**
 * Sends one notice to several alert channels in the background, and lets shutdown wait for what
 * is still being sent (before the mailer closes). A failure inside the server is logged with
 * `fields`; the sender itself retries and logs what the channels answer.
 */
export function createNoticeSender(options: { send: SendAlertNotice; logger: Logger }): {
  sendAll(notice: AlertNotice, channels: ConnectorAlerts[], fields: Record<string, unknown>): void;
  idle(): Promise<void>;
} {
  const sending = new Set<Promise<void>>();
  return {
    sendAll(notice, channels, fields) {
      for (const alerts of channels) {
        const sent = options
          .send(notice, alerts)
          .catch((error: unknown) =>
            options.logger.error('sending a notice failed inside the server', { ...fields, error }),
          );
        sending.add(sent);
        void sent.finally(() => sending.delete(sent));
      }
    },
    idle: async () => {
      while (sending.size > 0) await Promise.all([...sending]);
    },
  };
}

/** What a notifier of events (connections, backfills) is built from. */
export interface NotifierOptions {
  config: () => CompiledConfig | undefined;
  send: SendAlertNotice;
  logger: Logger;
  /** The server's address, for the console link in each notice. */
  serverUrl: () => string;
}

/** Turns events into notices sent in the background; shutdown waits on `idle`. */
export interface Notifier<Event> {
  notify(event: Event): void;
  idle(): Promise<void>;
}
