import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import type {
  ReserveSendResult,
  SendLimit,
  TakeTryResult,
  VerificationStore,
  VerificationSubject,
} from './verification-store';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The verification store in one SQLite file (`verification.sqlite`), owned by one process. */
export function openSqliteVerificationStore(options: {
  path: string;
  now?: () => number;
}): VerificationStore {
  const now = options.now ?? Date.now;
  const db = new Database(options.path);
  // The file holds the hashing key: readable by the server's user only, like data/session.key.
  // SQLite gives its -wal and -shm files the same mode.
  if (options.path !== ':memory:') chmodSync(options.path, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS hashing_key (
      id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS verification_codes (
      ticket_key TEXT NOT NULL, requester_email TEXT NOT NULL,
      code_hash BLOB, expires_at INTEGER, tries_used INTEGER NOT NULL DEFAULT 0,
      verified_until INTEGER,
      PRIMARY KEY (ticket_key, requester_email));
    CREATE TABLE IF NOT EXISTS verification_sends (
      requester_email TEXT NOT NULL, sent_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS verification_sends_by_requester
      ON verification_sends (requester_email, sent_at);`);
  db.prepare('INSERT OR IGNORE INTO hashing_key (id, key) VALUES (1, ?)').run(randomBytes(32));
  const hashingKey = db.prepare<[], { key: Buffer }>('SELECT key FROM hashing_key').get()?.key;
  if (!hashingKey) throw new Error('the verification store has no hashing key after creating one');

  const selectCode = db.prepare<
    [string, string],
    { code_hash: Buffer | null; expires_at: number | null; tries_used: number }
  >(
    'SELECT code_hash, expires_at, tries_used FROM verification_codes WHERE ticket_key = ? AND requester_email = ?',
  );
  const upsertCode = db.prepare(
    `INSERT INTO verification_codes (ticket_key, requester_email, code_hash, expires_at, tries_used)
     VALUES (?, ?, ?, ?, 0)
     ON CONFLICT (ticket_key, requester_email)
     DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, tries_used = 0`,
  );
  const countTry = db.prepare(
    'UPDATE verification_codes SET tries_used = tries_used + 1 WHERE ticket_key = ? AND requester_email = ?',
  );
  // The code is used up: a second check with it finds none.
  const setVerified = db.prepare(
    `INSERT INTO verification_codes (ticket_key, requester_email, verified_until) VALUES (?, ?, ?)
     ON CONFLICT (ticket_key, requester_email)
     DO UPDATE SET code_hash = NULL, expires_at = NULL, tries_used = 0,
       verified_until = excluded.verified_until`,
  );
  const selectVerified = db.prepare<[string, string], { verified_until: number | null }>(
    'SELECT verified_until FROM verification_codes WHERE ticket_key = ? AND requester_email = ?',
  );
  const selectSends = db.prepare<[string, number], { sent_at: number }>(
    'SELECT sent_at FROM verification_sends WHERE requester_email = ? AND sent_at > ? ORDER BY sent_at',
  );
  const insertSend = db.prepare(
    'INSERT INTO verification_sends (requester_email, sent_at) VALUES (?, ?)',
  );
  const forgetSends = db.prepare('DELETE FROM verification_sends WHERE sent_at <= ?');
  const forgetRequesterSends = db.prepare(
    'DELETE FROM verification_sends WHERE requester_email = ? AND sent_at <= ?',
  );
  // An expired code is kept a day, so a late try still hears "expired" rather than "no code".
  const forgetCodes = db.prepare(
    `DELETE FROM verification_codes
     WHERE (expires_at IS NULL OR expires_at <= ?) AND (verified_until IS NULL OR verified_until <= ?)`,
  );
  let keepSendsMs = DAY_MS;
  let lastPrune = 0;
  const pruneNowAndThen = (at: number) => {
    if (at - lastPrune < MINUTE_MS) return;
    lastPrune = at;
    forgetSends.run(at - keepSendsMs);
    forgetCodes.run(at - DAY_MS, at);
  };

  const takeTry = db.transaction(
    (subject: VerificationSubject, maxTries: number): TakeTryResult => {
      const row = selectCode.get(subject.ticketKey, subject.requesterEmail);
      if (!row || row.code_hash === null || row.expires_at === null) return { state: 'no_code' };
      if (row.tries_used >= maxTries) return { state: 'locked' };
      countTry.run(subject.ticketKey, subject.requesterEmail);
      return {
        state: 'try',
        codeHash: row.code_hash,
        expiresAt: row.expires_at,
        triesUsed: row.tries_used + 1,
      };
    },
  );

  const reserveSend = db.transaction(
    (requesterEmail: string, at: number, limits: readonly SendLimit[]): ReserveSendResult => {
      const longest = Math.max(0, ...limits.map((limit) => limit.windowMs));
      keepSendsMs = Math.max(keepSendsMs, longest);
      pruneNowAndThen(at);
      forgetRequesterSends.run(requesterEmail, at - longest);
      const sent = selectSends.all(requesterEmail, at - longest).map((row) => row.sent_at);
      let retryAt: number | undefined;
      for (const limit of limits) {
        const inWindow = sent.filter((sentAt) => sentAt > at - limit.windowMs);
        if (inWindow.length < limit.max) continue;
        // The send whose leaving the window makes room for one more.
        const blocking = inWindow[inWindow.length - Math.max(1, limit.max)] ?? at;
        retryAt = Math.max(retryAt ?? 0, blocking + limit.windowMs);
      }
      if (retryAt !== undefined) return { reserved: false, retryAt };
      insertSend.run(requesterEmail, at);
      return { reserved: true };
    },
  );

  return {
    hashCode: async (subject, code) =>
      createHmac('sha256', hashingKey)
        .update(JSON.stringify([subject.ticketKey, subject.requesterEmail, code]))
        .digest(),
    replaceCode: async (subject, code) => {
      pruneNowAndThen(now());
      upsertCode.run(subject.ticketKey, subject.requesterEmail, code.codeHash, code.expiresAt);
    },
    takeTry: async (subject, maxTries) => takeTry(subject, maxTries),
    markVerified: async (subject, until) => {
      setVerified.run(subject.ticketKey, subject.requesterEmail, until);
    },
    verifiedUntil: async (subject) =>
      selectVerified.get(subject.ticketKey, subject.requesterEmail)?.verified_until ?? undefined,
    reserveSend: async (requesterEmail, at, limits) => reserveSend(requesterEmail, at, limits),
    close: async () => {
      if (db.open) db.close();
    },
  };
}
