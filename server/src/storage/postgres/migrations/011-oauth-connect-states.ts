import type { Migration } from './migrations';

/**
 * The console's OAuth connect flows waiting for their callback (oauth/postgres-connect-states.ts),
 * so the authorization server's redirect may reach any instance. Ten minutes at most each.
 */
export const m011OAuthConnectStates: Migration = {
  version: 11,
  name: 'oauth connect states',
  sql: `
CREATE TABLE oauth_connect_states (
  nonce text PRIMARY KEY,
  connection_id text NOT NULL,
  session_id text NOT NULL,
  user_name text NOT NULL,
  code_verifier text,
  redirect_uri text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX oauth_connect_states_by_expiry ON oauth_connect_states (expires_at);
`,
};
