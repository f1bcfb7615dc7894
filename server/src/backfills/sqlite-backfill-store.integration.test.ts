import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeBackfillStoreContract } from '../storage/contracts/backfill-store-contract';
import { openSqliteBackfillStore } from './sqlite-backfill-store';

const dir = mkdtempSync(join(tmpdir(), 'dc-backfill-store-'));
let files = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeBackfillStoreContract('SQLite', async () =>
  openSqliteBackfillStore({ path: join(dir, `backfills-${++files}.sqlite`) }),
);
