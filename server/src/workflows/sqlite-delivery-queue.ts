import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { createSqliteGroupCommit } from '../sqlite/sqlite-group-commit';
import { createDeliveryId, HELD_UNTIL_MS } from './delivery-queue';
import type { Delivery, DeliveryError, DeliveryQueue, DeliveryState } from './delivery-queue';
import { toDelivery, toStepProgress } from './stored-delivery';

/**
 * The delivery queue in an embedded SQLite file next to the run log (DATA_DIR/workflows.sqlite).
 *
 * Durability: a delivery is committed with `synchronous = FULL` before `enqueue` resolves, so the
 * 202 Zendesk receives means the delivery survives a crash and a power cut. Every other write
 * (claims, step progress, outcomes) is committed the same way before its promise resolves. The
 * writes of one event-loop turn share one commit (`createSqliteGroupCommit`): a burst makes four
 * or five writes per delivery, and a commit per write held the event loop for an fsync each.
 *
 * One process owns the file: when it opens, any lease in it belonged to a process that died, so
 * those leases are ended at once (their deliveries are due again) instead of after they run out.
 */

const SCHEMA_VERSION = 2;
const BUSY_TIMEOUT_MS = 5_000;
/** Expired replay-guard rows are swept at most this often. */
const SWEEP_INTERVAL_MS = 60_000;

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `the delivery queue was written by a newer version (schema ${version}); upgrade the server`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  if (version === 1) {
    // Version 2: deliveries are claimed under a lease that expires.
    db.exec(`
      ALTER TABLE deliveries ADD COLUMN lease_token TEXT;
      ALTER TABLE deliveries ADD COLUMN lease_until INTEGER;
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return;
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS deliveries (
      id TEXT PRIMARY KEY,
      system TEXT NOT NULL,
      workflow_id TEXT NOT NULL,
      dedupe_key TEXT NOT NULL UNIQUE,
      target_type TEXT NOT NULL,
      target_id TEXT NOT NULL,
      payload TEXT NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL,
      outcome TEXT,
      message TEXT,
      last_error TEXT,
      received_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER,
      lease_token TEXT,
      lease_until INTEGER
    ) STRICT;
    CREATE INDEX IF NOT EXISTS deliveries_claim ON deliveries (state, next_attempt_at, id);
    CREATE INDEX IF NOT EXISTS deliveries_workflow ON deliveries (workflow_id, id);
    CREATE TABLE IF NOT EXISTS delivery_steps (
      delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
      step_id TEXT NOT NULL,
      state TEXT NOT NULL,
      result TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (delivery_id, step_id)
    ) STRICT;
    CREATE TABLE IF NOT EXISTS webhook_replay_guard (
      signature TEXT PRIMARY KEY,
      workflow_id TEXT NOT NULL,
      delivery_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) STRICT;
  `);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

export interface SqliteDeliveryQueueOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  now?: () => number;
}

export type OpenDeliveryQueueResult =
  | {
      ok: true;
      value: DeliveryQueue;
      /** Deliveries a dead process left running. */ interrupted: number;
    }
  | { ok: false; error: { code: 'DELIVERY_QUEUE_OPEN_FAILED'; message: string } };

/**
 * @example
 * const opened = openSqliteDeliveryQueue({ path: join(dataDir, 'workflows.sqlite') });
 * if (!opened.ok) throw new Error(opened.error.message);
 */
export function openSqliteDeliveryQueue(
  options: SqliteDeliveryQueueOptions,
): OpenDeliveryQueueResult {
  const now = options.now ?? Date.now;
  let db: Database.Database | undefined;
  let interrupted = 0;
  try {
    db = new Database(options.path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    // Backfills count their deliveries by state (idempotent, so no schema version for it).
    db.exec(
      'CREATE INDEX IF NOT EXISTS deliveries_workflow_state ON deliveries (workflow_id, state, finished_at)',
    );
    // Files made before have deliveries_due (state, next_attempt_at) instead of the claim's
    // index. With it, the claim's OR of queued and expired rows sorted every due delivery on each
    // claim: 10,000 queued made each claim cost milliseconds, on the event loop
    // (docs/performance.md, "Bursts and backfills"). The claim now asks each kind for its first
    // row, which (state, next_attempt_at, id) answers in order.
    db.exec(
      'CREATE INDEX IF NOT EXISTS deliveries_claim ON deliveries (state, next_attempt_at, id); DROP INDEX IF EXISTS deliveries_due;',
    );
    interrupted = db
      .prepare("UPDATE deliveries SET lease_until = ? WHERE state = 'running'")
      .run(now()).changes;
  } catch (error) {
    db?.close();
    return {
      ok: false,
      error: {
        code: 'DELIVERY_QUEUE_OPEN_FAILED',
        message: `cannot open the delivery queue at ${options.path}: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
  return { ok: true, value: createQueue(db, now), interrupted };
}

function createQueue(db: Database.Database, now: () => number): DeliveryQueue {
  const selectById = db.prepare('SELECT * FROM deliveries WHERE id = ?');
  const selectByDedupeKey = db.prepare('SELECT * FROM deliveries WHERE dedupe_key = ?');
  const selectGuard = db.prepare<
    [string],
    { workflow_id: string; delivery_id: string; expires_at: number }
  >('SELECT workflow_id, delivery_id, expires_at FROM webhook_replay_guard WHERE signature = ?');
  const insertDelivery = db.prepare(`
    INSERT INTO deliveries (id, system, workflow_id, dedupe_key, target_type, target_id, payload,
      state, attempts, next_attempt_at, received_at, updated_at)
    VALUES (@id, @system, @workflow_id, @dedupe_key, @target_type, @target_id, @payload,
      'queued', 0, @at, @at, @at)`);
  const upsertGuard = db.prepare(
    'INSERT OR REPLACE INTO webhook_replay_guard (signature, workflow_id, delivery_id, expires_at) VALUES (?, ?, ?, ?)',
  );
  const sweepGuards = db.prepare('DELETE FROM webhook_replay_guard WHERE expires_at < ?');
  // A running delivery whose lease ran out is due again: its worker died or hung.
  const claim = db.prepare(`
    UPDATE deliveries SET state = 'running', attempts = attempts + 1, updated_at = @at,
      lease_token = @token, lease_until = @until
    WHERE id = (
      SELECT id FROM (
        SELECT * FROM (
          SELECT id, next_attempt_at FROM deliveries
          WHERE state = 'queued' AND next_attempt_at <= @at
          ORDER BY next_attempt_at, id LIMIT 1)
        UNION ALL
        SELECT * FROM (
          SELECT id, next_attempt_at FROM deliveries
          WHERE state = 'running' AND lease_until <= @at
          ORDER BY next_attempt_at, id LIMIT 1)
      ) ORDER BY next_attempt_at, id LIMIT 1
    )
    RETURNING *`);
  const renew = db.prepare(`
    UPDATE deliveries SET lease_until = @until
    WHERE id = @id AND state = 'running' AND lease_token = @token`);
  const nextDue = db
    .prepare(
      `SELECT min(due) FROM (
        SELECT min(next_attempt_at) AS due FROM deliveries WHERE state = 'queued'
        UNION ALL SELECT min(lease_until) FROM deliveries WHERE state = 'running'
      )`,
    )
    .pluck();
  const finish = db.prepare(`
    UPDATE deliveries SET state = @state, outcome = @outcome, message = @message,
      last_error = @last_error, updated_at = @at, finished_at = @finished_at,
      next_attempt_at = @next_attempt_at, lease_token = NULL, lease_until = NULL
    WHERE id = @id AND state = 'running' AND lease_token = @token RETURNING *`);
  const requeue = db.prepare(`
    UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_at = @at, updated_at = @at,
      finished_at = NULL, outcome = NULL, message = NULL
    WHERE id = @id AND state = 'dead' RETURNING *`);

  const countStates = db.prepare<[], { state: DeliveryState; n: number }>(
    'SELECT state, count(*) AS n FROM deliveries GROUP BY state',
  );
  const countWorkflowStates = db.prepare<[string], { state: DeliveryState; n: number }>(
    'SELECT state, count(*) AS n FROM deliveries WHERE workflow_id = ? GROUP BY state',
  );
  const countFinished = db
    .prepare<[string, number]>(
      `SELECT count(*) FROM deliveries WHERE workflow_id = ? AND state IN ('completed', 'dead')
       AND finished_at >= ?`,
    )
    .pluck();
  const hold = db.prepare<[number, number, string]>(
    `UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
     WHERE workflow_id = ? AND state = 'queued' AND next_attempt_at < ${HELD_UNTIL_MS}`,
  );
  const release = db.prepare<[number, number, string]>(
    `UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
     WHERE workflow_id = ? AND state = 'queued' AND next_attempt_at >= ${HELD_UNTIL_MS}`,
  );
  const selectSteps = db.prepare(
    'SELECT step_id, state, result, updated_at FROM delivery_steps WHERE delivery_id = ? ORDER BY rowid',
  );
  const upsertStep = db.prepare(`
    INSERT INTO delivery_steps (delivery_id, step_id, state, result, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (delivery_id, step_id) DO UPDATE SET state = excluded.state,
      result = excluded.result, updated_at = excluded.updated_at`);
  const deleteStep = db.prepare('DELETE FROM delivery_steps WHERE delivery_id = ? AND step_id = ?');
  let lastSweep = 0;
  let closed = false;
  const group = createSqliteGroupCommit(db);

  const enqueue = (input: Parameters<DeliveryQueue['enqueue']>[0]) => {
    const at = now();
    if (at - lastSweep > SWEEP_INTERVAL_MS) {
      sweepGuards.run(at);
      lastSweep = at;
    }
    if (input.replayGuard) {
      const guard = selectGuard.get(input.replayGuard.signature);
      if (guard && guard.expires_at >= at) {
        if (guard.workflow_id !== input.workflowId) {
          return {
            ok: false as const,
            error: {
              code: 'DELIVERY_REPLAYED' as const,
              message: 'This signed delivery was already received for another workflow.',
            },
          };
        }
        // The same signed request again (a retry, or a replay with other unsigned headers).
        const first = selectById.get(guard.delivery_id);
        if (first) return { ok: true as const, delivery: toDelivery(first), duplicate: true };
      }
    }
    const existing = selectByDedupeKey.get(input.dedupeKey);
    if (existing) return { ok: true as const, delivery: toDelivery(existing), duplicate: true };
    const id = createDeliveryId(at);
    insertDelivery.run({
      id,
      system: input.system,
      workflow_id: input.workflowId,
      dedupe_key: input.dedupeKey,
      target_type: input.target.type,
      target_id: input.target.id,
      payload: JSON.stringify(input.payload),
      at,
    });
    if (input.replayGuard) {
      upsertGuard.run(
        input.replayGuard.signature,
        input.workflowId,
        id,
        input.replayGuard.expiresAtMs,
      );
    }
    return { ok: true as const, delivery: toDelivery(selectById.get(id)), duplicate: false };
  };

  const assertOpen = () => {
    if (closed) throw new Error('the delivery queue is closed');
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
  ): Promise<Delivery | undefined> =>
    group.write(() => {
      const at = now();
      const row = finish.get({
        id,
        token,
        state: fields.state,
        outcome: fields.outcome ?? null,
        message: fields.message ?? fields.error?.message ?? null,
        last_error: fields.error ? JSON.stringify(fields.error) : null,
        at,
        finished_at: fields.state === 'completed' || fields.state === 'dead' ? at : null,
        next_attempt_at: fields.nextAttemptAtMs ?? at,
      });
      return row ? toDelivery(row) : undefined;
    });

  return {
    async enqueue(input) {
      assertOpen();
      return group.write(() => enqueue(input));
    },
    async claimNext(leaseMs) {
      assertOpen();
      const at = now();
      const token = randomUUID();
      return group.write(() => {
        const row = claim.get({ at, token, until: at + leaseMs });
        return row
          ? { lease: { token, expiresAtMs: at + leaseMs }, ...toDelivery(row) }
          : undefined;
      });
    },
    async renewLease(id, token, leaseMs) {
      assertOpen();
      return group.write(() => renew.run({ id, token, until: now() + leaseMs }).changes === 1);
    },
    async nextDueAtMs() {
      assertOpen();
      const due = nextDue.get() as number | null;
      return due ?? undefined;
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
      return group.write(() => {
        const row = requeue.get({ id, at: now() });
        return row ? toDelivery(row) : undefined;
      });
    },
    async get(id) {
      assertOpen();
      const row = selectById.get(id);
      return row ? toDelivery(row) : undefined;
    },
    async list(query) {
      assertOpen();
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.state) {
        where.push('state = ?');
        params.push(query.state);
      }
      if (query.workflowId) {
        where.push('workflow_id = ?');
        params.push(query.workflowId);
      }
      if (query.targetId) {
        where.push('target_id = ?');
        params.push(query.targetId);
      }
      if (query.before) {
        where.push('id < ?');
        params.push(query.before);
      }
      const rows = db
        .prepare(
          `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
        )
        .all(...params, query.limit + 1);
      const deliveries = rows.slice(0, query.limit).map(toDelivery);
      const last = deliveries.at(-1);
      return rows.length > query.limit && last
        ? { deliveries, nextBefore: last.id }
        : { deliveries };
    },
    async countByState(workflowId) {
      assertOpen();
      const counts = { queued: 0, running: 0, completed: 0, dead: 0 };
      const rows =
        workflowId === undefined ? countStates.all() : countWorkflowStates.all(workflowId);
      for (const row of rows) counts[row.state] = row.n;
      return counts;
    },
    async countFinishedSince(workflowId, sinceMs) {
      assertOpen();
      return countFinished.get(workflowId, sinceMs) as number;
    },
    async holdWorkflow(workflowId, held) {
      assertOpen();
      const at = now();
      return group.write(() =>
        held
          ? hold.run(HELD_UNTIL_MS, at, workflowId).changes
          : release.run(at, at, workflowId).changes,
      );
    },
    async steps(deliveryId) {
      assertOpen();
      return selectSteps.all(deliveryId).map(toStepProgress);
    },
    async recordStep(deliveryId, stepId, state, result) {
      assertOpen();
      const stored = JSON.stringify(result);
      await group.write(() => upsertStep.run(deliveryId, stepId, state, stored, now()));
    },
    async forgetStep(deliveryId, stepId) {
      assertOpen();
      await group.write(() => deleteStep.run(deliveryId, stepId));
    },
    async close() {
      if (closed) return;
      closed = true;
      group.flush();
      db.close();
    },
  };
}
