import pg from 'pg';
import type { Logger } from '../../logging/logger';
import { describePostgresError } from './connect-postgres';

export interface ChannelListener {
  close(): Promise<void>;
}

/** A channel name per schema: instances on another schema of the same database never hear it. */
export function channelName(schema: string, topic: string): string {
  return `dc_${topic}_${schema}`.slice(0, 63);
}

/** Sends a notice to every instance listening on the channel (the sender's own included). */
export async function notifyChannel(
  pool: pg.Pool,
  channel: string,
  payload: string,
): Promise<void> {
  await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

/**
 * Listens on one channel with a connection of its own (LISTEN holds it), and reconnects after a
 * drop. Notices sent while it was disconnected are lost, so `onNotice` also runs after each
 * reconnect: whoever listens treats a notice as "look again", never as the data itself.
 */
export function listenToChannel(options: {
  url: string;
  channel: string;
  onNotice: (payload: string) => void;
  logger?: Logger;
  retryMs?: number;
}): ChannelListener {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let connectedOnce = false;
  const retryMs = options.retryMs ?? 1_000;
  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({
      connectionString: options.url,
      application_name: 'data-connectors',
    });
    client = next;
    const retry = (error: unknown) => {
      if (closed || client !== next) return;
      options.logger?.warn('lost the PostgreSQL notice connection; reconnecting', {
        channel: options.channel,
        message: describePostgresError(error),
      });
      client = undefined;
      void next.end().catch(() => undefined);
      timer = setTimeout(() => void connect(), retryMs);
      timer.unref();
    };
    next.on('error', retry);
    next.on('end', () => retry(new Error('connection ended')));
    next.on('notification', (message) => {
      if (message.channel === options.channel) options.onNotice(message.payload ?? '');
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
      if (connectedOnce) options.onNotice('');
      connectedOnce = true;
    } catch (error) {
      retry(error);
    }
  };
  void connect();
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
