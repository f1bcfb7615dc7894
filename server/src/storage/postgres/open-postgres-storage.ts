import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type pg from 'pg';
import { openPostgresAgentKeyStore } from '../../agents/postgres-agent-key-store';
import { openPostgresAlertStore } from '../../alerts/postgres-alert-store';
import { openPostgresConfigVersionStore } from '../../config-versions/postgres-config-version-store';
import { openPostgresOAuthTokenStore } from '../../oauth/postgres-oauth-token-store';
import { openPostgresBackfillStore } from '../../backfills/postgres-backfill-store';
import { openPostgresIdempotencyStore } from '../../runs/postgres-idempotency-store';
import { openPostgresDeliveryQueue } from '../../workflows/postgres-delivery-queue';
import { openPostgresVerificationStore } from '../../verification/postgres-verification-store';
import type { VerificationStore } from '../../verification/verification-store';
import {
  createPostgresRunLogStore,
  reportRunLogEventsTo,
} from '../../run-log/postgres-run-log-store';
import type { OpenStorageResult, Storage, StorageOptions } from '../storage';
import { createPostgresPool, describePostgresError } from './connect-postgres';
import { runMigrations } from './run-migrations';

/** What features that span instances (config sync, limits) need from the shared database. */
export interface PostgresStorage {
  pool: pg.Pool;
  schema: string;
  /** This process among the instances: host, pid and a random part. */
  instanceId: string;
}

/**
 * Opens the stores on PostgreSQL: one pool, the schema migrated (once, whichever instance gets
 * there first), then each store on it.
 */
export async function openPostgresStorage(
  options: StorageOptions & { database: { url: string; schema: string; poolSize?: number } },
): Promise<OpenStorageResult> {
  const { url, schema } = options.database;
  // DATA_DIR still holds what is per instance (the sandbox's files, a secrets file's neighbours).
  mkdirSync(options.dataDir, { recursive: true });
  const pool = createPostgresPool({
    url,
    schema,
    ...(options.database.poolSize === undefined ? {} : { max: options.database.poolSize }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const migrated = await runMigrations(pool, schema);
  if (!migrated.ok) {
    await pool.end();
    return { ok: false, error: { code: 'STORAGE_OPEN_FAILED', message: migrated.error.message } };
  }
  if (migrated.value.applied.length > 0) {
    options.logger?.info('migrated the PostgreSQL schema', {
      schema,
      applied: migrated.value.applied,
    });
  }
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let verification: VerificationStore;
  try {
    // Reads (or, first of all instances, draws) the hashing key the instances share.
    verification = await openPostgresVerificationStore({ pool, schema });
  } catch (error) {
    await pool.end();
    return {
      ok: false,
      error: {
        code: 'STORAGE_OPEN_FAILED',
        message: `Could not read the verification hashing key from PostgreSQL: ${describePostgresError(error)}`,
      },
    };
  }
  const runLog = createPostgresRunLogStore({
    pool,
    instanceId,
    retentionDays: options.runLogRetentionDays,
    ...reportRunLogEventsTo(options.logger),
  });
  const stores: Storage = {
    runLog,
    idempotency: openPostgresIdempotencyStore({ pool }),
    deliveries: openPostgresDeliveryQueue({ pool }),
    agentKeys: openPostgresAgentKeyStore({ pool }),
    verification,
    configVersions: openPostgresConfigVersionStore({ pool }),
    alerts: openPostgresAlertStore({ pool }),
    oauthTokens: openPostgresOAuthTokenStore({ pool }),
    backfills: openPostgresBackfillStore({ pool }),
    postgres: { pool, schema, instanceId },
    close: async () => {
      // The run log first: it waits for its pending writes and a running prune on the pool.
      await runLog.close();
      await pool.end();
    },
  };
  return { ok: true, value: stores };
}
