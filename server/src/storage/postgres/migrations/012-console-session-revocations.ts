import type { Migration } from './migrations';

/**
 * Console sessions signed out (http/postgres-session-revocations.ts), each until it would have
 * expired (8 hours at most), so a sign-out holds on every instance.
 */
export const m012ConsoleSessionRevocations: Migration = {
  version: 12,
  name: 'console session revocations',
  sql: `
CREATE TABLE console_session_revocations (
  session_id text PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX console_session_revocations_by_expiry ON console_session_revocations (expires_at);
`,
};
