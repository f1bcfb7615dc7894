import { describeBackfillStoreContract } from '../storage/contracts/backfill-store-contract';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresBackfillStore } from './postgres-backfill-store';

describeBackfillStoreContract('PostgreSQL', () =>
  openOnTestSchema(({ pool }) => openPostgresBackfillStore({ pool }), 'backfills'),
);
