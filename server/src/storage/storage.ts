import type { AgentKeyStore } from '../agents/agent-key-store';
import type { AlertStore } from '../alerts/alert-store';
import type { BackfillStore } from '../backfills/backfill-store';
import type { ConfigVersionStore } from '../config-versions/config-version-store';
import type { Logger } from '../logging/logger';
import type { OAuthTokenStore } from '../oauth/oauth-token-store';
import type { RunLogStore } from '../run-log/run-record';
import type { IdempotencyStore } from '../runs/idempotency-store';
import type { VerificationStore } from '../verification/verification-store';
import type { DeliveryQueue } from '../workflows/delivery-queue';
import type { Result } from '../../../shared/src/result';
import type { PostgresStorage } from './postgres/open-postgres-storage';

export interface Storage {
  runLog: RunLogStore;
  idempotency: IdempotencyStore;
  deliveries: DeliveryQueue;
  agentKeys: AgentKeyStore;
  verification: VerificationStore;
  configVersions: ConfigVersionStore;
  /** Connector alerts: counters, incidents and pauses (server/src/alerts/). */
  alerts: AlertStore;
  /** OAuth authorization code connections' tokens, sealed (server/src/oauth/). */
  oauthTokens: OAuthTokenStore;
  /** Bulk runs over a query's matches, through the delivery queue (server/src/backfills/). */
  backfills: BackfillStore;
  /** Closes them all (the run log waits for a running prune). */
  close(): Promise<void>;
  /** Set when the stores are on PostgreSQL (DATABASE_URL): the pool the instances share. */
  postgres?: PostgresStorage;
}

/** Where a store lives: a SQLite file in DATA_DIR, or PostgreSQL when DATABASE_URL is set. */
export interface StoreLocation {
  dataDir: string;
  database?: { url: string; schema: string; poolSize?: number } | undefined;
}

export interface StorageOptions {
  dataDir: string;
  runLogRetentionDays: number;
  /** DATABASE_URL and DATABASE_SCHEMA: every store on PostgreSQL instead of SQLite files. */
  database?: { url: string; schema: string; poolSize?: number };
  logger?: Logger;
}

export interface StorageOpenError {
  code: 'STORAGE_OPEN_FAILED';
  message: string;
}

export type OpenStorageResult = Result<Storage, StorageOpenError>;

export type OpenRunLogResult = Result<RunLogStore, StorageOpenError>;
