import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import * as z from 'zod';
import { targetSystemSchema } from '../run-log/run-record';
import { inTransaction } from '../postgres/in-transaction';
import { createDeliveryId, DELIVERY_STATES } from './delivery-queue';
import type {
  Delivery,
  DeliveryError,
  DeliveryQueue,
  DeliveryState,
  EnqueueResult,
  NewDelivery,
  StepProgress,
  StepResult,
} from './delivery-queue';

/**
 * The delivery queue in PostgreSQL (migration 003), shared by every instance on the database.
 *
 * Claims take the oldest due row with `FOR UPDATE SKIP LOCKED`, so concurrent claimers on any
 * instance never wait on each other nor take the same delivery. A claim writes a fresh lease
 * token; every write that ends an attempt names that token, so a holder whose lease ran out (and
 * whose delivery another instance claimed) is refused instead of overwriting the new attempt.
 *
 * Unlike the SQLite queue, opening does not end the leases it finds: the running deliveries may
 * belong to live instances. A dead instance's deliveries come back when their leases run out.
 *
 * Every enqueue sends NOTIFY on DELIVERY_CHANNEL (at commit), so workers elsewhere can wake at
 * once instead of at their next poll.
 */

export const DELIVERY_CHANNEL = 'workflow_deliveries';
/** Expired replay-guard rows are swept at most this often (by each instance). */
const SWEEP_INTERVAL_MS = 60_000;

// bigint columns arrive as strings from pg: coerced, then checked to be whole numbers.
const millis = z.coerce.number().int();
const deliveryRowSchema = z.object({
  id: z.string(),
  system: targetSystemSchema,
  workflow_id: z.string(),
  target_type: z.string(),
  target_id: z.string(),
  payload: z.record(z.string(), z.unknown()),
  state: z.enum(DELIVERY_STATES as [DeliveryState, ...DeliveryState[]]),
  attempts: z.number().int(),
  next_attempt_at: millis,
  outcome: z.enum(['success', 'failed']).nullable(),
  message: z.string().nullable(),
  last_error: z.object({ code: z.string(), message: z.string() }).nullable(),
  received_at: millis,
  updated_at: millis,
  finished_at: millis.nullable(),
});

const stepRowSchema = z.object({
  step_id: z.string(),
  state: z.enum(['started', 'done']),
  result: z.record(z.string(), z.unknown()),
  updated_at: millis,
});

const iso = (ms: number) => new Date(ms).toISOString();

function toDelivery(raw: unknown): Delivery {
  const row = deliveryRowSchema.parse(raw);
  return {
    id: row.id,
    system: row.system,
    workflowId: row.workflow_id,
    target: { type: row.target_type, id: row.target_id },
    payload: row.payload,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    outcome: row.outcome ?? undefined,
    message: row.message ?? undefined,
    lastError: row.last_error ?? undefined,
    receivedAt: iso(row.received_at),
    updatedAt: iso(row.updated_at),
    finishedAt: row.finished_at === null ? undefined : iso(row.finished_at),
  };
}

export interface PostgresDeliveryQueueOptions {
  /** A pool whose connections' search_path is the schema migrated with 003 (createPostgresPool). */
  pool: pg.Pool;
  now?: () => number;
  /** The pool is the storage's: closing the queue leaves it open unless this says otherwise. */
  ownsPool?: boolean;
}

/**
 * @example
 * const queue = createPostgresDeliveryQueue({ pool: storage.postgres.pool });
 */
export function createPostgresDeliveryQueue(options: PostgresDeliveryQueueOptions): DeliveryQueue {
  const { pool } = options;
  const now = options.now ?? Date.now;
  let lastSweep = 0;
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('the delivery queue is closed');
  };

  async function enqueue(input: NewDelivery): Promise<EnqueueResult> {
    const at = now();
    if (at - lastSweep > SWEEP_INTERVAL_MS) {
      lastSweep = at;
      await pool.query('DELETE FROM webhook_replay_guard WHERE expires_at < $1', [at]);
    }
    return inTransaction(pool, async (client) => {
      if (input.replayGuard) {
        // Two instances receiving the same signed request at once take turns here, so the
        // second sees the first one's guard row.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `replay:${input.replayGuard.signature}`,
        ]);
        const guard = await client.query<{ workflow_id: string; delivery_id: string }>(
          'SELECT workflow_id, delivery_id FROM webhook_replay_guard WHERE signature = $1 AND expires_at >= $2',
          [input.replayGuard.signature, at],
        );
        const found = guard.rows[0];
        if (found) {
          if (found.workflow_id !== input.workflowId) {
            return {
              ok: false,
              error: {
                code: 'DELIVERY_REPLAYED',
                message: 'This signed delivery was already received for another workflow.',
              },
            };
          }
          // The same signed request again (a retry, or a replay with other unsigned headers).
          const first = await client.query('SELECT * FROM deliveries WHERE id = $1', [
            found.delivery_id,
          ]);
          if (first.rows[0]) {
            return { ok: true, delivery: toDelivery(first.rows[0]), duplicate: true };
          }
        }
      }
      const id = createDeliveryId(at);
      // ON CONFLICT: a concurrent enqueue of the same key on another instance is a duplicate,
      // not a unique-violation error.
      const inserted = await client.query(
        `INSERT INTO deliveries (id, system, workflow_id, dedupe_key, target_type, target_id,
           payload, state, attempts, next_attempt_at, received_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8, $8)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING *`,
        [
          id,
          input.system,
          input.workflowId,
          input.dedupeKey,
          input.target.type,
          input.target.id,
          JSON.stringify(input.payload),
          at,
        ],
      );
      const row = inserted.rows[0];
      if (!row) {
        const existing = await client.query('SELECT * FROM deliveries WHERE dedupe_key = $1', [
          input.dedupeKey,
        ]);
        return { ok: true, delivery: toDelivery(existing.rows[0]), duplicate: true };
      }
      if (input.replayGuard) {
        await client.query(
          `INSERT INTO webhook_replay_guard (signature, workflow_id, delivery_id, expires_at)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (signature) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
             delivery_id = EXCLUDED.delivery_id, expires_at = EXCLUDED.expires_at`,
          [input.replayGuard.signature, input.workflowId, id, input.replayGuard.expiresAtMs],
        );
      }
      await client.query('SELECT pg_notify($1, $2)', [DELIVERY_CHANNEL, id]);
      return { ok: true, delivery: toDelivery(row), duplicate: false };
    });
  }

  async function finishAs(
    id: string,
    token: string,
    fields: {
      state: DeliveryState;
      outcome?: 'success' | 'failed';
      message?: string;
      error?: DeliveryError;
      nextAttemptAtMs?: number;
    },
  ): Promise<Delivery | undefined> {
    const at = now();
    const finished = await pool.query(
      `UPDATE deliveries SET state = $3, outcome = $4, message = $5, last_error = $6,
         updated_at = $7, finished_at = $8, next_attempt_at = $9,
         lease_token = NULL, lease_until = NULL
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
    return finished.rows[0] ? toDelivery(finished.rows[0]) : undefined;
  }

  return {
    async enqueue(input) {
      assertOpen();
      return enqueue(input);
    },
    async claimNext(leaseMs) {
      assertOpen();
      const at = now();
      const token = randomUUID();
      // A running delivery whose lease ran out is due again: its instance died or hung. The
      // outer conditions repeat the inner ones: a row changed between the pick and the lock is
      // left alone rather than claimed twice.
      const claimed = await pool.query(
        `UPDATE deliveries SET state = 'running', attempts = attempts + 1, updated_at = $1,
           lease_token = $2, lease_until = $3
         WHERE id = (
           SELECT id FROM deliveries
           WHERE (state = 'queued' AND next_attempt_at <= $1)
             OR (state = 'running' AND lease_until <= $1)
           ORDER BY next_attempt_at, id LIMIT 1
           FOR UPDATE SKIP LOCKED
         ) AND ((state = 'queued' AND next_attempt_at <= $1)
             OR (state = 'running' AND lease_until <= $1))
         RETURNING *`,
        [at, token, at + leaseMs],
      );
      const row = claimed.rows[0];
      return row ? { ...toDelivery(row), lease: { token, expiresAtMs: at + leaseMs } } : undefined;
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
      const due = await pool.query<{ due: string | null }>(
        `SELECT least(
           (SELECT min(next_attempt_at) FROM deliveries WHERE state = 'queued'),
           (SELECT min(lease_until) FROM deliveries WHERE state = 'running')
         ) AS due`,
      );
      const value = due.rows[0]?.due;
      return value === null || value === undefined ? undefined : Number(value);
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
      const at = now();
      const requeued = await pool.query(
        `UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_at = $2,
           updated_at = $2, finished_at = NULL, outcome = NULL, message = NULL
         WHERE id = $1 AND state = 'dead' RETURNING *`,
        [id, at],
      );
      if (!requeued.rows[0]) return undefined;
      await pool.query('SELECT pg_notify($1, $2)', [DELIVERY_CHANNEL, id]);
      return toDelivery(requeued.rows[0]);
    },
    async get(id) {
      assertOpen();
      const found = await pool.query('SELECT * FROM deliveries WHERE id = $1', [id]);
      return found.rows[0] ? toDelivery(found.rows[0]) : undefined;
    },
    async list(query) {
      assertOpen();
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        params.push(value);
        where.push(clause.replace('?', `$${params.length}`));
      };
      if (query.state) add('state = ?', query.state);
      if (query.workflowId) add('workflow_id = ?', query.workflowId);
      if (query.targetId) add('target_id = ?', query.targetId);
      if (query.before) add('id < ?', query.before);
      params.push(query.limit + 1);
      const found = await pool.query(
        `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      const deliveries = found.rows.slice(0, query.limit).map(toDelivery);
      const last = deliveries.at(-1);
      return found.rows.length > query.limit && last
        ? { deliveries, nextBefore: last.id }
        : { deliveries };
    },
    async countByState() {
      assertOpen();
      const counts = { queued: 0, running: 0, completed: 0, dead: 0 };
      const found = await pool.query<{ state: DeliveryState; n: number }>(
        'SELECT state, count(*)::int AS n FROM deliveries GROUP BY state',
      );
      for (const row of found.rows) counts[row.state] = row.n;
      return counts;
    },
    async steps(deliveryId) {
      assertOpen();
      const found = await pool.query(
        'SELECT step_id, state, result, updated_at FROM delivery_steps WHERE delivery_id = $1 ORDER BY seq',
        [deliveryId],
      );
      return found.rows.map((raw): StepProgress => {
        const row = stepRowSchema.parse(raw);
        return {
          stepId: row.step_id,
          state: row.state,
          result: row.result as unknown as StepResult,
          updatedAt: iso(row.updated_at),
        };
      });
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
      if (closed) return;
      closed = true;
      if (options.ownsPool) await pool.end();
    },
  };
}
