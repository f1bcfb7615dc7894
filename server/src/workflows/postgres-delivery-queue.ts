import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../postgres/in-transaction';
import { createDeliveryId, HELD_UNTIL_MS } from './delivery-queue';
import type { Delivery, DeliveryError, DeliveryQueue, DeliveryState } from './delivery-queue';
import { toDelivery, toStepProgress } from './stored-delivery';

/**
 * The delivery queue on PostgreSQL, shared by every instance (migration 3). Same rows and rules
 * as the SQLite queue; what changes is who may claim:
 * - A worker claims the oldest due delivery with `FOR UPDATE SKIP LOCKED`, so workers on all
 *   instances claim at once without waiting on each other and never the same delivery.
 * - A claim is a lease with a random token. A delivery whose instance died (SIGKILL, a lost host)
 *   is due again once its lease runs out, and any instance takes it over. Every write that ends
 *   an attempt names the token, so a worker that lost its lease (it hung past it) cannot
 *   overwrite the new holder's work.
 * - Unlike SQLite's, opening the queue does not end running leases: on a shared database they
 *   belong to live instances.
 *
 * Not pg-boss: its jobs are at-least-once with their own states, retention and no step marks;
 * carrying our dedupe keys, replay guards, per-step marks (exactly-once steps), dead letters an
 * admin re-runs, and the admin's listing on top would mean keeping these tables beside its
 * own. docs/automations.md says so.
 *
 * Times are the instances' clocks in epoch ms, like the SQLite queue (keep them NTP-synced: a
 * clock running ahead takes over a lease that early).
 */

/** Expired replay-guard rows are swept at most this often (per instance). */
const SWEEP_INTERVAL_MS = 60_000;

export function openPostgresDeliveryQueue(options: {
  pool: pg.Pool;
  now?: () => number;
}): DeliveryQueue {
  const { pool } = options;
  const now = options.now ?? Date.now;
  let lastSweep = 0;
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new Error('the delivery queue is closed');
  };
  const one = async (sql: string, values: unknown[]): Promise<Delivery | undefined> => {
    const { rows } = await pool.query(sql, values);
    return rows[0] ? toDelivery(rows[0]) : undefined;
  };

  const finishAs = (
    id: string,
    token: string,
    fields: {
      state: DeliveryState;
      outcome?: 'success' | 'failed';
      message?: string;
      error?: DeliveryError;
      nextAttemptAtMs?: number;
    },
  ) => {
    const at = now();
    return one(
      `UPDATE deliveries SET state = $3, outcome = $4, message = $5, last_error = $6,
         updated_at = $7, finished_at = $8, next_attempt_at = $9, lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND state = 'running' AND lease_token = $2 RETURNING *`,
      [
        id,
        token,
        fields.state,
        fields.outcome ?? null,
        fields.message ?? fields.error?.message ?? null,
        fields.error ? JSON.stringify(fields.error) : null,
        at,
        fields.state === 'completed' || fields.state === 'dead' ? at : null,
        fields.nextAttemptAtMs ?? at,
      ],
    );
  };

  return {
    async enqueue(input) {
      assertOpen();
      const at = now();
      if (at - lastSweep > SWEEP_INTERVAL_MS) {
        lastSweep = at;
        await pool.query('DELETE FROM webhook_replay_guard WHERE expires_at < $1', [at]);
      }
      return inTransaction(pool, async (client) => {
        if (input.replayGuard) {
          const guard = await client.query<{ workflow_id: string; delivery_id: string }>(
            `SELECT workflow_id, delivery_id FROM webhook_replay_guard
              WHERE signature = $1 AND expires_at >= $2`,
            [input.replayGuard.signature, at],
          );
          const found = guard.rows[0];
          if (found && found.workflow_id !== input.workflowId) {
            return {
              ok: false as const,
              error: {
                code: 'DELIVERY_REPLAYED' as const,
                message: 'This signed delivery was already received for another workflow.',
              },
            };
          }
          if (found) {
            // The same signed request again (a retry, or a replay with other unsigned headers).
            const first = await client.query('SELECT * FROM deliveries WHERE id = $1', [
              found.delivery_id,
            ]);
            if (first.rows[0]) {
              return { ok: true as const, delivery: toDelivery(first.rows[0]), duplicate: true };
            }
          }
        }
        // Two instances receiving the same delivery at once: the unique key lets one insert.
        const inserted = await client.query(
          `INSERT INTO deliveries (id, system, workflow_id, dedupe_key, target_type, target_id,
             payload, state, attempts, next_attempt_at, received_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8, $8)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING *`,
          [
            createDeliveryId(at),
            input.system,
            input.workflowId,
            input.dedupeKey,
            input.target.type,
            input.target.id,
            JSON.stringify(input.payload),
            at,
          ],
        );
        const row = inserted.rows[0] as { id: string } | undefined;
        if (!row) {
          const existing = await client.query('SELECT * FROM deliveries WHERE dedupe_key = $1', [
            input.dedupeKey,
          ]);
          return { ok: true as const, delivery: toDelivery(existing.rows[0]), duplicate: true };
        }
        if (input.replayGuard) {
          await client.query(
            `INSERT INTO webhook_replay_guard (signature, workflow_id, delivery_id, expires_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (signature) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
               delivery_id = EXCLUDED.delivery_id, expires_at = EXCLUDED.expires_at`,
            [input.replayGuard.signature, input.workflowId, row.id, input.replayGuard.expiresAtMs],
          );
        }
        return { ok: true as const, delivery: toDelivery(row), duplicate: false };
      });
    },
    async claimNext(leaseMs) {
      assertOpen();
      const at = now();
      const token = randomUUID();
      // Expired leases first (their instance died), then the oldest due queued delivery; both
      // with SKIP LOCKED, so concurrent claimers each get a different one or none.
      const claimed = await one(
        `WITH expired AS (
           SELECT id, next_attempt_at FROM deliveries
            WHERE state = 'running' AND lease_until <= $1
            ORDER BY lease_until LIMIT 1 FOR UPDATE SKIP LOCKED
         ), queued AS (
           SELECT id, next_attempt_at FROM deliveries
            WHERE state = 'queued' AND next_attempt_at <= $1
            ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
         ), picked AS (
           SELECT id FROM (SELECT * FROM expired UNION ALL SELECT * FROM queued) due
            ORDER BY next_attempt_at, id LIMIT 1
         )
         UPDATE deliveries SET state = 'running', attempts = attempts + 1, updated_at = $1,
           lease_token = $2, lease_until = $3
         WHERE id = (SELECT id FROM picked)
         RETURNING *`,
        [at, token, at + leaseMs],
      );
      return claimed ? { lease: { token, expiresAtMs: at + leaseMs }, ...claimed } : undefined;
    },
    async renewLease(id, token, leaseMs) {
      assertOpen();
      const renewed = await pool.query(
        `UPDATE deliveries SET lease_until = $3
          WHERE id = $1 AND state = 'running' AND lease_token = $2`,
        [id, token, now() + leaseMs],
      );
      return renewed.rowCount === 1;
    },
    async nextDueAtMs() {
      assertOpen();
      const { rows } = await pool.query<{ due: string | null }>(
        `SELECT least(
           (SELECT min(next_attempt_at) FROM deliveries WHERE state = 'queued'),
           (SELECT min(lease_until) FROM deliveries WHERE state = 'running')
         ) AS due`,
      );
      const due = rows[0]?.due;
      return due === null || due === undefined ? undefined : Number(due);
    },
    async complete(id, token, result) {
      assertOpen();
      return finishAs(id, token, { state: 'completed', ...result });
    },
    async retryLater(id, token, error, nextAttemptAtMs) {
      assertOpen();
      return finishAs(id, token, { state: 'queued', error, nextAttemptAtMs });
    },
    async bury(id, token, error) {
      assertOpen();
      return finishAs(id, token, { state: 'dead', outcome: 'failed', error });
    },
    async requeueDead(id) {
      assertOpen();
      return one(
        `UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_at = $2, updated_at = $2,
           finished_at = NULL, outcome = NULL, message = NULL
         WHERE id = $1 AND state = 'dead' RETURNING *`,
        [id, now()],
      );
    },
    async get(id) {
      assertOpen();
      return one('SELECT * FROM deliveries WHERE id = $1', [id]);
    },
    async list(query) {
      assertOpen();
      const where: string[] = [];
      const values: unknown[] = [];
      const add = (column: string, operator: string, value: unknown) => {
        values.push(value);
        where.push(`${column} ${operator} $${values.length}`);
      };
      if (query.state) add('state', '=', query.state);
      if (query.workflowId) add('workflow_id', '=', query.workflowId);
      if (query.targetId) add('target_id', '=', query.targetId);
      // Ids compare byte by byte, as in SQLite, whatever the database's collation.
      if (query.before) add('id COLLATE "C"', '<', query.before);
      values.push(query.limit + 1);
      const { rows } = await pool.query(
        `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY id COLLATE "C" DESC LIMIT $${values.length}`,
        values,
      );
      const deliveries = rows.slice(0, query.limit).map(toDelivery);
      const last = deliveries.at(-1);
      return rows.length > query.limit && last
        ? { deliveries, nextBefore: last.id }
        : { deliveries };
    },
    async countByState(workflowId) {
      assertOpen();
      const counts = { queued: 0, running: 0, completed: 0, dead: 0 };
      const { rows } =
        workflowId === undefined
          ? await pool.query<{ state: DeliveryState; n: number }>(
              'SELECT state, count(*)::int AS n FROM deliveries GROUP BY state',
            )
          : await pool.query<{ state: DeliveryState; n: number }>(
              'SELECT state, count(*)::int AS n FROM deliveries WHERE workflow_id = $1 GROUP BY state',
              [workflowId],
            );
      for (const row of rows) counts[row.state] = row.n;
      return counts;
    },
    async countFinishedSince(workflowId, sinceMs) {
      assertOpen();
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM deliveries WHERE workflow_id = $1
           AND state IN ('completed', 'dead') AND finished_at >= $2`,
        [workflowId, sinceMs],
      );
      return rows[0]?.n ?? 0;
    },
    async holdWorkflow(workflowId, held) {
      assertOpen();
      const at = now();
      const { rowCount } = held
        ? await pool.query(
            `UPDATE deliveries SET next_attempt_at = $1, updated_at = $2
             WHERE workflow_id = $3 AND state = 'queued' AND next_attempt_at < $1`,
            [HELD_UNTIL_MS, at, workflowId],
          )
        : await pool.query(
            `UPDATE deliveries SET next_attempt_at = $2, updated_at = $2
             WHERE workflow_id = $3 AND state = 'queued' AND next_attempt_at >= $1`,
            [HELD_UNTIL_MS, at, workflowId],
          );
      return rowCount ?? 0;
    },
    async steps(deliveryId) {
      assertOpen();
      const { rows } = await pool.query(
        `SELECT step_id, state, result, updated_at FROM delivery_steps
          WHERE delivery_id = $1 ORDER BY seq`,
        [deliveryId],
      );
      return rows.map(toStepProgress);
    },
    async recordStep(deliveryId, stepId, state, result) {
      assertOpen();
      await pool.query(
        `INSERT INTO delivery_steps (delivery_id, step_id, state, result, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (delivery_id, step_id) DO UPDATE SET state = EXCLUDED.state,
           result = EXCLUDED.result, updated_at = EXCLUDED.updated_at`,
        [deliveryId, stepId, state, JSON.stringify(result), now()],
      );
    },
    async forgetStep(deliveryId, stepId) {
      assertOpen();
      await pool.query('DELETE FROM delivery_steps WHERE delivery_id = $1 AND step_id = $2', [
        deliveryId,
        stepId,
      ]);
    },
    async close() {
      // The pool belongs to the storage, which ends it.
      closed = true;
    },
  };
}
