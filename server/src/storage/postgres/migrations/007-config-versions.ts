import type { Migration } from './migrations';

/** Every config the instances accepted (config-versions/postgres-config-version-store.ts). */
export const m007ConfigVersions: Migration = {
  version: 7,
  name: 'config versions',
  sql: `
CREATE TABLE config_versions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at text NOT NULL,
  author text NOT NULL,
  hash text NOT NULL,
  connectors integer NOT NULL,
  files text NOT NULL
);
`,
};
