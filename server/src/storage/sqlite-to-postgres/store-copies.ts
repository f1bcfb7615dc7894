import {
  AGENT_KEYS_FILE,
  ALERTS_FILE,
  BACKFILLS_FILE,
  CONFIG_VERSIONS_FILE,
  DELIVERIES_FILE,
  IDEMPOTENCY_FILE,
  OAUTH_TOKENS_FILE,
  RUN_LOG_FILE,
  VERIFICATION_FILE,
} from '../open-sqlite-storage';
import type { Row, StoreCopy } from './copy-sqlite-to-postgres';

/**
 * Each SQLite store's tables mapped to the PostgreSQL tables of ../postgres/migrations. The copy
 * goes table to table rather than through the stores' interfaces because those do not carry
 * everything: agent keys are stored by hash, config versions get new ids and times when
 * recorded, the delivery queue's states and step marks and the alerts' counters have no setter.
 */

/** Idempotency keys live a day (runs/sqlite-idempotency-store.ts): older ones are not copied. */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const asIs = (row: Row): Row => row;

/**
 * A delivery that was running when the server stopped becomes due at once, its lease ended: its
 * step marks are copied with it, so the steps that finished (an issue created, a note written)
 * are skipped when it resumes, and a step found 'started' is known to have been interrupted.
 */
function resumeRunning(row: Row, { nowMs }: { nowMs: number }): Row {
  return { ...row, state: 'queued', next_attempt_at: nowMs, lease_token: null, lease_until: null };
}

/** payload, last_error and a step's result are JSON text in both databases, copied as they are. */
const DELIVERY_COLUMNS =
  'id, system, workflow_id, dedupe_key, target_type, target_id, payload, state, attempts, next_attempt_at, outcome, message, last_error, received_at, updated_at, finished_at, lease_token, lease_until';

export const STORE_COPIES: readonly StoreCopy[] = [
  {
    store: 'run log',
    file: RUN_LOG_FILE,
    tables: [
      {
        table: 'runs',
        label: 'runs',
        // The same columns and the same details text (run-log/stored-run.ts maps both); only the
        // time becomes a timestamp and dry_run a boolean.
        select:
          'SELECT id, connector_id, target_system, target_id, outcome, started_at, error_code, source, actor, dry_run, details FROM runs',
        convert: (row) =>
          row.source === null || row.actor === null
            ? undefined
            : {
                ...row,
                started_at: new Date(Number(row.started_at)),
                dry_run: row.dry_run === 1,
              },
        // Rows whose details were not JSON when the columns were added: the log skips them.
        leftOut: 'damaged',
      },
    ],
  },
  {
    store: 'delivery queue',
    file: DELIVERIES_FILE,
    tables: [
      {
        table: 'deliveries',
        label: 'queued deliveries',
        select: `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE state = 'queued'`,
        convert: asIs,
      },
      {
        table: 'deliveries',
        label: 'interrupted deliveries (due again)',
        select: `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE state = 'running'`,
        convert: resumeRunning,
      },
      {
        table: 'deliveries',
        label: 'dead letters',
        select: `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE state = 'dead'`,
        convert: asIs,
      },
      {
        table: 'deliveries',
        label: 'finished deliveries',
        select: `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE state = 'completed'`,
        convert: asIs,
      },
      {
        table: 'delivery_steps',
        label: 'step marks',
        // In the order they were recorded: PostgreSQL numbers them (seq) as SQLite's rowid did.
        select:
          'SELECT delivery_id, step_id, state, result, updated_at FROM delivery_steps ORDER BY rowid',
        convert: asIs,
      },
      {
        table: 'webhook_replay_guard',
        label: 'replay guards',
        select: 'SELECT signature, workflow_id, delivery_id, expires_at FROM webhook_replay_guard',
        convert: (row, { nowMs }) => (Number(row.expires_at) > nowMs ? row : undefined),
        leftOut: 'expired',
      },
    ],
  },
  {
    store: 'idempotency keys',
    file: IDEMPOTENCY_FILE,
    tables: [
      {
        table: 'idempotency',
        label: 'keys',
        // Opening the SQLite store already forgot the keys still in progress and marked the ones
        // sent by the stopped server 'unknown', so a caller's retry is not sent a second time.
        select: 'SELECT scope, key, fingerprint, state, result, created_at FROM idempotency',
        convert: (row, { nowMs }) =>
          nowMs - Number(row.created_at) < IDEMPOTENCY_TTL_MS ? row : undefined,
        leftOut: 'expired',
      },
    ],
  },
  {
    store: 'agent keys',
    file: AGENT_KEYS_FILE,
    tables: [
      {
        table: 'agent_keys',
        label: 'keys',
        // The secret's hash: the keys the agents hold go on working.
        select:
          'SELECT name, secret_hash, connector_ids, prefix, created_at, revoked_at, last_used_at FROM agent_keys',
        convert: asIs,
      },
    ],
  },
  {
    store: 'verification',
    file: VERIFICATION_FILE,
    tables: [
      {
        table: 'verification_hashing_key',
        label: 'hashing key',
        // The key the codes already sent were hashed with, so they still check.
        select: 'SELECT id, key FROM hashing_key',
        convert: asIs,
      },
      {
        table: 'verification_codes',
        label: 'codes and verified requesters',
        select:
          'SELECT ticket_key, requester_email, code_hash, expires_at, tries_used, verified_until FROM verification_codes',
        convert: asIs,
      },
      {
        table: 'verification_sends',
        label: 'sends',
        select: 'SELECT requester_email, sent_at FROM verification_sends',
        convert: asIs,
        keyless: true,
      },
    ],
  },
  {
    store: 'config versions',
    file: CONFIG_VERSIONS_FILE,
    tables: [
      {
        table: 'config_versions',
        label: 'versions',
        // Their numbers are kept (admins refer to "v12"), and new ones continue after them.
        select: 'SELECT id, at, author, hash, connectors, files FROM config_versions',
        convert: asIs,
        keepsIdentity: true,
        after: `SELECT setval(pg_get_serial_sequence('config_versions', 'id'), GREATEST((SELECT MAX(id) FROM config_versions), 1), (SELECT MAX(id) FROM config_versions) IS NOT NULL)`,
      },
    ],
  },
  {
    store: 'alerts',
    file: ALERTS_FILE,
    tables: [
      {
        table: 'alert_state',
        label: 'connector states',
        select:
          'SELECT connector_id, failures_in_a_row, incident_since, incident_reason, paused_since, last_failure FROM alert_state',
        convert: asIs,
      },
      {
        table: 'alert_runs',
        label: 'recent runs',
        select: 'SELECT connector_id, at_ms, failed FROM alert_runs',
        convert: (row) => ({ ...row, failed: row.failed === 1 }),
        keyless: true,
      },
    ],
  },
  {
    store: 'backfills',
    file: BACKFILLS_FILE,
    tables: [
      {
        table: 'backfills',
        label: 'backfills',
        // With their saved cursors, so a running one goes on from where it was; its deliveries
        // (the progress) come with the delivery queue. A reader lease belonged to the stopped
        // server and is not copied: any instance reads on.
        select:
          'SELECT id, connector_id, system, target_type, query_kind, query_text, state, cursor, enumerated, total, created_at, updated_at, finished_at, error FROM backfills',
        convert: (row) => ({ ...row, enumerated: row.enumerated === 1 }),
      },
    ],
  },
  {
    store: 'OAuth tokens',
    file: OAUTH_TOKENS_FILE,
    tables: [
      {
        table: 'oauth_tokens',
        label: 'connections',
        // Sealed as they are: the same TOKEN_ENCRYPTION_KEY opens them.
        select:
          'SELECT connection_id, client_key, state, sealed, connected_at, connected_by, connected_as, reconnect_since, reconnect_reason, updated_at FROM oauth_tokens',
        convert: asIs,
      },
    ],
  },
];
