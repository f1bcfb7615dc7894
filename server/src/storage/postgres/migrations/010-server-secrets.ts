import type { Migration } from './migrations';

/**
 * Keys the server makes for itself, which every instance must share (with SQLite they are files
 * in DATA_DIR): the sidebar sessions' signing key (unless APP_SESSION_SECRET is set) and the
 * Zendesk OAuth tokens, sealed, whose refresh token Zendesk rotates at every refresh.
 */
export const m010ServerSecrets: Migration = {
  version: 10,
  name: 'server secrets',
  sql: `
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
};
