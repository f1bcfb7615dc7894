import { openSqliteStorage } from './open-sqlite-storage';
import type { OpenStorageResult, StorageOptions } from './storage';

/**
 * The one place the server's stores are opened (storage.ts lists them): SQLite files in DATA_DIR
 * by default, or PostgreSQL when DATABASE_URL is set, for several instances sharing one database.
 */
export async function openStorage(options: StorageOptions): Promise<OpenStorageResult> {
  if (options.database) {
    // Imported here, so that pg and the PostgreSQL stores load only on a server that uses them.
    const { openPostgresStorage } = await import('./postgres/open-postgres-storage');
    return openPostgresStorage({ ...options, database: options.database });
  }
  return openSqliteStorage(options);
}
