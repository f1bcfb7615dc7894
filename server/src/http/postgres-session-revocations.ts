import type pg from 'pg';
import type { SessionRevocations } from './console-sessions';

/**
 * Console sign-outs in PostgreSQL, read by every instance at each console request, so a session
 * signed out on one instance is refused by all of them. Rows leave once the session would have
 * expired anyway.
 */
export function createPostgresSessionRevocations(pool: pg.Pool): SessionRevocations {
  return {
    add: async (sessionId, expiresAt, nowMs) => {
      await pool.query('DELETE FROM console_session_revocations WHERE expires_at <= $1', [nowMs]);
      await pool.query(
        `INSERT INTO console_session_revocations (session_id, expires_at) VALUES ($1, $2)
         ON CONFLICT (session_id) DO NOTHING`,
        [sessionId, expiresAt],
      );
    },
    has: async (sessionId) =>
      (
        await pool.query('SELECT 1 FROM console_session_revocations WHERE session_id = $1', [
          sessionId,
        ])
      ).rowCount === 1,
  };
}
