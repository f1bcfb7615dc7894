import { createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../postgres/in-transaction';
import type {
  ReserveSendResult,
  SendLimit,
  TakeTryResult,
  VerificationStore,
  VerificationSubject,
} from './verification-store';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

interface CodeRow {
  code_hash: Buffer | null;
  expires_at: string | null;
  tries_used: number;
}

/**
 * Reads the hashing key every instance shares, drawing it if this is the first instance: the
 * insert that loses the race keeps the winner's key, so no two instances ever hash with different
 * ones (a code sent through one must check on another).
 */
async function loadHashingKey(pool: pg.Pool): Promise<Buffer> {
  await pool.query(
    'INSERT INTO verification_hashing_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING',
    [randomBytes(32)],
  );
  const row = (await pool.query<{ key: Buffer }>('SELECT key FROM verification_hashing_key'))
    .rows[0];
  if (!row) throw new Error('the verification store has no hashing key after creating one');
  return row.key;
}

/**
 * The verification store on PostgreSQL, shared by every instance: codes, tries and send limits
 * count the same wherever the customer's requests land. Tries and sends are counted under row
 * or advisory locks, so parallel requests on several instances cannot pass a limit together.
 */
export async function openPostgresVerificationStore(options: {
  pool: pg.Pool;
  /** Names the per-requester send lock, so schemas sharing a database do not wait on each other. */
  schema: string;
  now?: () => number;
}): Promise<VerificationStore> {
  const { pool, schema } = options;
  const now = options.now ?? Date.now;
  const hashingKey = await loadHashingKey(pool);

  let keepSendsMs = DAY_MS;
  let lastPrune = 0;
  const pruneNowAndThen = async (client: pg.Pool | pg.PoolClient, at: number) => {
    if (at - lastPrune < MINUTE_MS) return;
    lastPrune = at;
    await client.query('DELETE FROM verification_sends WHERE sent_at <= $1', [at - keepSendsMs]);
    // An expired code is kept a day, so a late try still hears "expired" rather than "no code".
    await client.query(
      `DELETE FROM verification_codes
       WHERE (expires_at IS NULL OR expires_at <= $1) AND (verified_until IS NULL OR verified_until <= $2)`,
      [at - DAY_MS, at],
    );
  };

  const takeTry = (subject: VerificationSubject, maxTries: number): Promise<TakeTryResult> =>
    inTransaction(pool, async (client) => {
      const row = (
        await client.query<CodeRow>(
          `SELECT code_hash, expires_at, tries_used FROM verification_codes
           WHERE ticket_key = $1 AND requester_email = $2 FOR UPDATE`,
          [subject.ticketKey, subject.requesterEmail],
        )
      ).rows[0];
      if (!row || row.code_hash === null || row.expires_at === null) return { state: 'no_code' };
      if (row.tries_used >= maxTries) return { state: 'locked' };
      await client.query(
        'UPDATE verification_codes SET tries_used = tries_used + 1 WHERE ticket_key = $1 AND requester_email = $2',
        [subject.ticketKey, subject.requesterEmail],
      );
      return {
        state: 'try',
        codeHash: row.code_hash,
        expiresAt: Number(row.expires_at),
        triesUsed: row.tries_used + 1,
      };
    });

  const reserveSend = (
    requesterEmail: string,
    at: number,
    limits: readonly SendLimit[],
  ): Promise<ReserveSendResult> =>
    inTransaction(pool, async (client) => {
      // One requester's sends are decided one at a time across instances; there may be no row
      // to lock yet, hence an advisory lock, released with the transaction.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `verification_sends:${schema}:${requesterEmail}`,
      ]);
      const longest = Math.max(0, ...limits.map((limit) => limit.windowMs));
      keepSendsMs = Math.max(keepSendsMs, longest);
      await pruneNowAndThen(client, at);
      await client.query(
        'DELETE FROM verification_sends WHERE requester_email = $1 AND sent_at <= $2',
        [requesterEmail, at - longest],
      );
      const sent = (
        await client.query<{ sent_at: string }>(
          'SELECT sent_at FROM verification_sends WHERE requester_email = $1 AND sent_at > $2 ORDER BY sent_at',
          [requesterEmail, at - longest],
        )
      ).rows.map((row) => Number(row.sent_at));
      let retryAt: number | undefined;
      for (const limit of limits) {
        const inWindow = sent.filter((sentAt) => sentAt > at - limit.windowMs);
        if (inWindow.length < limit.max) continue;
        // The send whose leaving the window makes room for one more.
        const blocking = inWindow[inWindow.length - Math.max(1, limit.max)] ?? at;
        retryAt = Math.max(retryAt ?? 0, blocking + limit.windowMs);
      }
      if (retryAt !== undefined) return { reserved: false, retryAt };
      await client.query(
        'INSERT INTO verification_sends (requester_email, sent_at) VALUES ($1, $2)',
        [requesterEmail, at],
      );
      return { reserved: true };
    });

  return {
    hashCode: async (subject, code) =>
      createHmac('sha256', hashingKey)
        .update(JSON.stringify([subject.ticketKey, subject.requesterEmail, code]))
        .digest(),
    replaceCode: async (subject, code) => {
      await pruneNowAndThen(pool, now());
      await pool.query(
        `INSERT INTO verification_codes (ticket_key, requester_email, code_hash, expires_at, tries_used)
         VALUES ($1, $2, $3, $4, 0)
         ON CONFLICT (ticket_key, requester_email)
         DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, tries_used = 0`,
        [subject.ticketKey, subject.requesterEmail, code.codeHash, code.expiresAt],
      );
    },
    takeTry,
    markVerified: async (subject, until) => {
      // The code is used up: a second check with it finds none.
      await pool.query(
        `INSERT INTO verification_codes (ticket_key, requester_email, verified_until) VALUES ($1, $2, $3)
         ON CONFLICT (ticket_key, requester_email)
         DO UPDATE SET code_hash = NULL, expires_at = NULL, tries_used = 0,
           verified_until = EXCLUDED.verified_until`,
        [subject.ticketKey, subject.requesterEmail, until],
      );
    },
    verifiedUntil: async (subject) => {
      const row = (
        await pool.query<{ verified_until: string | null }>(
          'SELECT verified_until FROM verification_codes WHERE ticket_key = $1 AND requester_email = $2',
          [subject.ticketKey, subject.requesterEmail],
        )
      ).rows[0];
      return row?.verified_until ? Number(row.verified_until) : undefined;
    },
    reserveSend,
    // The pool belongs to the storage (open-postgres-storage.ts), which ends it.
    close: async () => undefined,
  };
}
