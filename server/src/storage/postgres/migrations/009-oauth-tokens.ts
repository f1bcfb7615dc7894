import type { Migration } from './migrations';

/** The OAuth connections' sealed tokens (oauth/postgres-oauth-token-store.ts). */
export const m009OAuthTokens: Migration = {
  version: 9,
  name: 'oauth tokens',
  sql: `
CREATE TABLE oauth_tokens (
  connection_id text PRIMARY KEY,
  client_key text NOT NULL,
  state text NOT NULL,
  sealed text NOT NULL,
  connected_at text NOT NULL,
  connected_by text NOT NULL,
  connected_as text,
  reconnect_since text,
  reconnect_reason text,
  updated_at text NOT NULL
);
`,
};
