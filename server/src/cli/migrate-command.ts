import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ServerEnv } from '../env/parse-env';
import { openSqliteStorage } from '../storage/open-sqlite-storage';
import { createPostgresPool, describePostgresError } from '../storage/postgres/connect-postgres';
import { runMigrations } from '../storage/postgres/run-migrations';
import {
  copySecretFiles,
  copyStore,
  findMissingTables,
  findNonEmptyTables,
} from '../storage/sqlite-to-postgres/copy-sqlite-to-postgres';
import type {
  SecretFileCopy,
  SecretFileReport,
  StoreCopy,
  StoreReport,
  TableReport,
} from '../storage/sqlite-to-postgres/copy-sqlite-to-postgres';
import { findRunningServer } from '../storage/sqlite-to-postgres/find-running-server';
import { STORE_COPIES } from '../storage/sqlite-to-postgres/store-copies';
import { SESSION_KEY_FILE } from '../helpdesks/zendesk/identity/agent-session';
import { ZENDESK_TOKEN_FILE } from '../helpdesks/zendesk/zendesk-token-store';
import type { CommandOutput } from './agent-keys-command';
import { parseCliOptions } from './parse-cli-options';

export const MIGRATE_USAGE = `  npm run connectors -- migrate [--force]
      move a stopped server's SQLite data (DATA_DIR) into the PostgreSQL in DATABASE_URL
      (and DATABASE_SCHEMA); --force adds to a database that already holds data, keeping
      the rows it has`;

/**
 * The keys the server drew for itself, server_secrets rows on PostgreSQL. Without the rotated
 * Zendesk refresh token the instances would present the one in the environment, which Zendesk
 * deleted at the first refresh, and lose Zendesk.
 */
const SECRET_FILE_COPIES: readonly SecretFileCopy[] = [
  { label: 'sidebar session key', file: SESSION_KEY_FILE, name: 'session-key' },
  { label: 'rotated Zendesk tokens', file: ZENDESK_TOKEN_FILE, name: 'zendesk-oauth-tokens' },
];

const fail = (code: number, stderr: string, stdout = ''): CommandOutput => ({
  code,
  stdout,
  stderr,
});

/**
 * `migrate`: from one instance on SQLite files to PostgreSQL. The server must be stopped (a run
 * or delivery arriving after the copy would be lost); the schema is migrated first, then each
 * store is copied in its own transaction. A target that already holds data is refused unless
 * --force, and even then nothing in it is overwritten, so the command is safe to run again.
 */
export async function runMigrateCommand(
  env: ServerEnv,
  args: string[],
  plans: readonly StoreCopy[] = STORE_COPIES,
): Promise<CommandOutput> {
  const parsed = parseCliOptions(args, { force: { type: 'boolean' } });
  if (!parsed.ok || parsed.value.positionals.length > 0) {
    const problem = parsed.ok ? 'takes no arguments besides --force' : parsed.error;
    return fail(2, `connectors migrate: ${problem}\nusage:\n${MIGRATE_USAGE}\n`);
  }
  const force = parsed.value.values.force === true;
  if (!env.database) {
    return fail(
      2,
      `connectors migrate: set DATABASE_URL to the PostgreSQL to move to (and DATABASE_SCHEMA when it is not "public"); DATA_DIR (${resolve(env.dataDir)}) names the SQLite files to move.\n`,
    );
  }
  const files = plans.map((plan) => plan.file);
  if (!files.some((file) => existsSync(resolve(env.dataDir, file)))) {
    return fail(
      1,
      `Nothing to move: ${resolve(env.dataDir)} has none of ${files.join(', ')}. Set DATA_DIR to the server's data folder.\n`,
    );
  }
  const running = await findRunningServer({ port: env.port, dataDir: env.dataDir, files });
  if (running) return fail(1, `${running}\nNothing was copied.\n`);

  // Opening the SQLite stores as the server would brings each file to this version's layout and
  // applies what a restart applies (requests in flight forgotten, leases ended), so what is
  // copied is what a restarted server would have seen.
  const local = openSqliteStorage({
    dataDir: env.dataDir,
    runLogRetentionDays: env.runLogRetentionDays,
  });
  if (!local.ok) return fail(1, `${local.error.message}\nNothing was copied.\n`);
  await local.value.close();

  const { url, schema } = env.database;
  const pool = createPostgresPool({ url, schema, max: 2 });
  try {
    const migrated = await runMigrations(pool, schema);
    if (!migrated.ok) return fail(1, `${migrated.error.message}\nNothing was copied.\n`);
    const tables = [
      ...plans.flatMap((plan) => plan.tables.map((table) => table.table)),
      'server_secrets',
    ];
    const missing = new Set(await findMissingTables(pool, tables));
    const nonEmpty = await findNonEmptyTables(
      pool,
      [...new Set(tables)].filter((table) => !missing.has(table)),
    );
    if (nonEmpty.length > 0 && !force) {
      return fail(
        1,
        `The PostgreSQL schema "${schema}" already holds data (in ${nonEmpty.join(', ')}): nothing was copied.\n` +
          'If a migrate stopped halfway, or this is a second data folder to add, run it again with --force:\n' +
          'rows already there are kept as they are and only the missing ones are added.\n',
      );
    }
    const header =
      `Moving ${resolve(env.dataDir)} to PostgreSQL (schema "${schema}", ` +
      `${migrated.value.applied.length > 0 ? `migrations applied: ${migrated.value.applied.join(', ')}` : `migrations up to date at ${migrated.value.current}`}).\n`;
    const reports: StoreReport[] = [];
    const context = { nowMs: Date.now() };
    for (const plan of plans) {
      try {
        reports.push(await copyStore(pool, env.dataDir, plan, context));
      } catch (error) {
        return fail(
          1,
          `${error instanceof Error ? error.message : String(error)}\nThe stores listed were copied; run again with --force to copy the rest.\n`,
          `${header}${formatReports(reports)}`,
        );
      }
    }
    const secrets = await copySecretFiles(pool, env.dataDir, SECRET_FILE_COPIES);
    const kept = reports.filter((report) => report.status === 'not-on-postgres');
    return {
      code: 0,
      stdout:
        `${header}${formatReports(reports)}${formatSecretReports(secrets)}\n` +
        `Done. Start the server with DATABASE_URL${schema === 'public' ? '' : ' and DATABASE_SCHEMA'} set; keep ${resolve(env.dataDir)} as a backup until it runs well.\n` +
        (kept.length > 0
          ? `This version keeps the ${kept.map((report) => report.store).join(' and the ')} in DATA_DIR: start one instance on this folder to keep ${kept.length > 1 ? 'them' : 'it'}.\n`
          : ''),
      stderr: '',
    };
  } catch (error) {
    return fail(1, `PostgreSQL failed: ${describePostgresError(error)}\n`);
  } finally {
    await pool.end();
  }
}

const count = (n: number) => n.toLocaleString('en-US');

function describeTable(table: TableReport): string {
  const there = table.read - table.inserted;
  const notes = [
    ...(there > 0 ? [`${count(there)} there already`] : []),
    ...(table.skipped > 0
      ? [`${count(table.skipped)} left out${table.leftOut ? ` (${table.leftOut})` : ''}`]
      : []),
  ];
  return `${table.label}: ${count(table.inserted)}${notes.length > 0 ? ` new, ${notes.join(', ')}` : ''}`;
}

/** One line per store: what was copied, or why nothing was. */
export function formatReports(reports: readonly StoreReport[]): string {
  const width = Math.max(0, ...reports.map((report) => `${report.store} (${report.file})`.length));
  return reports
    .map((report) => {
      const name = `${report.store} (${report.file})`.padEnd(width);
      if (report.status === 'no-file') return `  ${name}  nothing to copy (no file)\n`;
      if (report.status === 'not-on-postgres') {
        return `  ${name}  not copied: this version keeps it in DATA_DIR (no PostgreSQL table ${report.missing.join(', ')})\n`;
      }
      return `  ${name}  ${report.tables.map(describeTable).join(', ')}\n`;
    })
    .join('');
}

const SECRET_STATUS: Record<SecretFileReport['status'], string> = {
  copied: 'copied',
  'there-already': 'not copied: the database has one already (kept)',
  'no-file': 'nothing to copy (no file)',
  'not-on-postgres': 'not copied: this version keeps it in DATA_DIR',
};

function formatSecretReports(reports: readonly SecretFileReport[]): string {
  const width = Math.max(0, ...reports.map((report) => `${report.label} (${report.file})`.length));
  return reports
    .map(
      (report) =>
        `  ${`${report.label} (${report.file})`.padEnd(width)}  ${SECRET_STATUS[report.status]}\n`,
    )
    .join('');
}
