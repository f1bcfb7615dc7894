import type { Migration } from './migrations';

/**
 * Customer verification by email code (verification/postgres-verification-store.ts). The hashing
 * key is one row every instance reads, so a code sent by one instance checks on another.
 */
export const m006Verification: Migration = {
  version: 6,
  name: 'verification',
  sql: `
CREATE TABLE verification_hashing_key (
  id integer PRIMARY KEY CHECK (id = 1),
  key bytea NOT NULL
);
CREATE TABLE verification_codes (
  ticket_key text NOT NULL,
  requester_email text NOT NULL,
  code_hash bytea,
  expires_at bigint,
  tries_used integer NOT NULL DEFAULT 0,
  verified_until bigint,
  PRIMARY KEY (ticket_key, requester_email)
);
CREATE TABLE verification_sends (
  requester_email text NOT NULL,
  sent_at bigint NOT NULL
);
CREATE INDEX verification_sends_by_requester ON verification_sends (requester_email, sent_at);
CREATE INDEX verification_sends_by_sent_at ON verification_sends (sent_at);
`,
};
