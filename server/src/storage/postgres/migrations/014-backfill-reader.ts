import type { Migration } from './migrations';

/**
 * The backfill reader lease (backfills/postgres-backfill-store.ts): one instance at a time reads
 * a backfill's pages; the others take over when its lease runs out or it gives the reading up.
 */
export const m014BackfillReader: Migration = {
  version: 14,
  name: 'backfill-reader',
  sql: `
ALTER TABLE backfills ADD COLUMN reader_id text;
ALTER TABLE backfills ADD COLUMN reader_until bigint;
`,
};
