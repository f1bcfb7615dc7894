import { hostname } from 'node:os';
import type pg from 'pg';
import type { Logger } from '../logging/logger';
import { describePostgresError } from '../postgres/in-transaction';

export interface InstanceRegistry {
  /** Instances with a heartbeat in the last `staleMs`, this one included (at least 1). */
  count(): number;
  /** Whether the latest heartbeat reached the database. */
  reachable(): boolean;
  /** Leaves the table, so the others' share of each limit grows at their next heartbeat. */
  close(): Promise<void>;
}

/**
 * The instances sharing the database, each with a heartbeat: per-process limits (rate limits,
 * per-connection concurrency) are divided by how many are alive (divide-limit.ts),
 * so together they hold the configured limit. The count is read with the heartbeat and kept, so a
 * request never waits on the database for it. An instance killed without closing stops counting
 * once its heartbeat is `staleMs` old.
 */
export async function startInstanceRegistry(options: {
  pool: pg.Pool;
  instanceId: string;
  heartbeatMs?: number;
  staleMs?: number;
  logger?: Logger;
}): Promise<InstanceRegistry> {
  const { pool, instanceId } = options;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const staleMs = options.staleMs ?? heartbeatMs * 3;
  let live = 1;
  let failing = false;
  const beat = async () => {
    try {
      const answer = await pool.query<{ live: number }>(
        `WITH me AS (
           INSERT INTO instances (id, host) VALUES ($1, $2)
           ON CONFLICT (id) DO UPDATE SET seen_at = now()
         ), gone AS (
           DELETE FROM instances WHERE seen_at < now() - $3 * interval '1 millisecond' * 20
         )
         SELECT count(*)::int + CASE WHEN bool_or(id = $1) THEN 0 ELSE 1 END AS live
           FROM instances WHERE seen_at > now() - $3 * interval '1 millisecond'`,
        [instanceId, hostname(), staleMs],
      );
      live = Math.max(1, answer.rows[0]?.live ?? 1);
      if (failing) options.logger?.info('the instance heartbeat works again', { live });
      failing = false;
    } catch (error) {
      // The last count stays: limits keep their share rather than jump to the whole limit.
      if (!failing) {
        options.logger?.warn('the instance heartbeat failed', {
          message: describePostgresError(error),
        });
      }
      failing = true;
    }
  };
  await beat();
  const timer = setInterval(() => void beat(), heartbeatMs);
  timer.unref();
  return {
    count: () => live,
    reachable: () => !failing,
    close: async () => {
      clearInterval(timer);
      await pool.query('DELETE FROM instances WHERE id = $1', [instanceId]).catch(() => undefined);
    },
  };
}
