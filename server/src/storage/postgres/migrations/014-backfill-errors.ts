import type { Migration } from './migrations';

/** Why a backfill failed: the helpdesk's answer when it refused the query part-way. */
export const m014BackfillErrors: Migration = {
  version: 14,
  name: 'backfill-errors',
  sql: `ALTER TABLE backfills ADD COLUMN error text;`,
};
