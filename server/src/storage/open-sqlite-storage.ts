import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteAlertStore } from '../alerts/sqlite-alert-store';
import { openSqliteConfigVersionStore } from '../config-versions/sqlite-config-version-store';
import { openSqliteAgentKeyStore } from '../agents/sqlite-agent-key-store';
import { openSqliteRunLogStore } from '../run-log/sqlite-run-log-store';
import { openSqliteIdempotencyStore } from '../runs/sqlite-idempotency-store';
import { openSqliteVerificationStore } from '../verification/sqlite-verification-store';
import { openSqliteDeliveryQueue } from '../workflows/sqlite-delivery-queue';
import type { Result } from '../../../shared/src/result';
import type {
  OpenRunLogResult,
  OpenStorageResult,
  StorageOpenError,
  StorageOptions,
} from './storage';
import { openSqliteOAuthTokenStore } from '../oauth/sqlite-oauth-token-store';
import { openSqliteBackfillStore } from '../backfills/sqlite-backfill-store';
import type { OpenPostgresRunLogForReadingResult } from './postgres/open-postgres-run-log-for-reading';

/**
 * The default stores, one SQLite file each in DATA_DIR, for one instance: the run log, the
 * idempotency keys, the workflow delivery queue, agent keys, customer verification codes, config
 * versions, connector alerts and the OAuth connections' sealed tokens. Each store's interface has
 * a contract suite under ./contracts that this and the PostgreSQL implementation both pass.
 */
export const RUN_LOG_FILE = 'runs.sqlite';
export const IDEMPOTENCY_FILE = 'idempotency.sqlite';
export const DELIVERIES_FILE = 'workflows.sqlite';
export const AGENT_KEYS_FILE = 'agent-keys.sqlite';
export const VERIFICATION_FILE = 'verification.sqlite';
export const CONFIG_VERSIONS_FILE = 'config-versions.sqlite';
export const ALERTS_FILE = 'alerts.sqlite';
export const OAUTH_TOKENS_FILE = 'oauth-tokens.sqlite';
export const BACKFILLS_FILE = 'backfills.sqlite';

function openRunLog(options: StorageOptions, readOnly: boolean): OpenRunLogResult {
  const logger = options.logger;
  const opened = openSqliteRunLogStore({
    path: join(options.dataDir, RUN_LOG_FILE),
    retentionDays: options.runLogRetentionDays,
    ...(readOnly ? { pruneIntervalMs: 0 } : {}),
    ...(logger
      ? {
          onCorruptRow: (report) => logger.warn('skipped a corrupt run log row', { ...report }),
          onPruned: ({ deleted, olderThan }) => {
            if (deleted > 0) {
              logger.info('pruned old runs', { deleted, olderThan: olderThan.toISOString() });
            }
          },
          onPruneFailed: (error) => logger.error('pruning the run log failed', { error }),
        }
      : {}),
  });
  return opened.ok
    ? opened
    : { ok: false, error: { code: 'STORAGE_OPEN_FAILED', message: opened.error.message } };
}

/**
 * The run log alone, for tools that only read it (`npm run connectors -- logs`): the servers'
 * shared PostgreSQL log when DATABASE_URL is set, else the SQLite file in DATA_DIR.
 */
export async function openRunLogForReading(
  options: StorageOptions,
): Promise<OpenPostgresRunLogForReadingResult> {
  if (options.database) {
    // Imported here, so that pg loads only when the log is on PostgreSQL.
    const { openPostgresRunLogForReading } =
      await import('./postgres/open-postgres-run-log-for-reading');
    return openPostgresRunLogForReading({
      database: options.database,
      runLogRetentionDays: options.runLogRetentionDays,
    });
  }
  return openRunLog(options, true);
}

export function openSqliteStorage(options: StorageOptions): OpenStorageResult {
  mkdirSync(options.dataDir, { recursive: true });
  const runLog = openRunLog(options, false);
  if (!runLog.ok) return runLog;
  const deliveries = openSqliteDeliveryQueue({ path: join(options.dataDir, DELIVERIES_FILE) });
  if (!deliveries.ok) {
    void runLog.value.close();
    return { ok: false, error: { code: 'STORAGE_OPEN_FAILED', message: deliveries.error.message } };
  }
  if (deliveries.interrupted > 0) {
    options.logger?.warn('resuming deliveries interrupted by a stop', {
      deliveries: deliveries.interrupted,
    });
  }
  // Each store below is one SQLite file: the first that cannot open closes those before it.
  const opened: { close(): Promise<void> }[] = [runLog.value, deliveries.value];
  const openFile = <T extends { close(): Promise<void> }>(
    file: string,
    open: (path: string) => T,
  ): Result<T, StorageOpenError> => {
    try {
      const store = open(join(options.dataDir, file));
      opened.push(store);
      return { ok: true, value: store };
    } catch (error) {
      for (const store of opened) void store.close();
      return {
        ok: false,
        error: {
          code: 'STORAGE_OPEN_FAILED',
          message: `Could not open ${join(options.dataDir, file)}: ${error instanceof Error ? error.message : String(error)}`,
        },
      };
    }
  };
  const idempotency = openFile(IDEMPOTENCY_FILE, (path) => openSqliteIdempotencyStore({ path }));
  if (!idempotency.ok) return idempotency;
  const agentKeys = openFile(AGENT_KEYS_FILE, (path) => openSqliteAgentKeyStore({ path }));
  if (!agentKeys.ok) return agentKeys;
  const verification = openFile(VERIFICATION_FILE, (path) => openSqliteVerificationStore({ path }));
  if (!verification.ok) return verification;
  const configVersions = openFile(CONFIG_VERSIONS_FILE, (path) =>
    openSqliteConfigVersionStore({ path }),
  );
  if (!configVersions.ok) return configVersions;
  const alerts = openFile(ALERTS_FILE, (path) => openSqliteAlertStore({ path }));
  if (!alerts.ok) return alerts;
  const oauthTokens = openFile(OAUTH_TOKENS_FILE, (path) => openSqliteOAuthTokenStore({ path }));
  if (!oauthTokens.ok) return oauthTokens;
  const backfills = openFile(BACKFILLS_FILE, (path) => openSqliteBackfillStore({ path }));
  if (!backfills.ok) return backfills;
  return {
    ok: true,
    value: {
      runLog: runLog.value,
      idempotency: idempotency.value,
      deliveries: deliveries.value,
      agentKeys: agentKeys.value,
      verification: verification.value,
      configVersions: configVersions.value,
      alerts: alerts.value,
      oauthTokens: oauthTokens.value,
      backfills: backfills.value,
      close: async () => {
        await deliveries.value.close();
        await idempotency.value.close();
        await agentKeys.value.close();
        await verification.value.close();
        await configVersions.value.close();
        await alerts.value.close();
        await oauthTokens.value.close();
        await backfills.value.close();
        await runLog.value.close();
      },
    },
  };
}
