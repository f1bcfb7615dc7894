import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { RunRecord } from '../../server/src/run-log/run-record';
import { openSqliteRunLogStore } from '../../server/src/run-log/sqlite-run-log-store';
import { RUN_LOG_FILE } from '../../server/src/storage/open-sqlite-storage';
import { nodeArgsFor } from '../support/entry-bundle';

/** A run log in `dataDir` holding `runs`, as the server would have written it. */
export async function writeRunLog(dataDir: string, runs: readonly RunRecord[]): Promise<void> {
  const opened = openSqliteRunLogStore({ path: join(dataDir, RUN_LOG_FILE), retentionDays: 7 });
  if (!opened.ok) throw new Error(opened.error.message);
  for (const run of runs) await opened.value.record(run);
  await opened.value.close();
}

/**
 * `npm run connectors -- <args>` as an admin runs it: the real CLI in a child process, in sandbox
 * mode (no helpdesk settings from the caller's environment), reading the data folder given.
 */
export function runConnectorsCli(dataDir: string, ...args: string[]) {
  return runConnectorsCliWith({ dataDir }, ...args);
}

/**
 * The same, with a config of the test's own (`CONNECTORS_CONFIG`) or more environment (such as
 * DATABASE_URL).
 */
export function runConnectorsCliWith(
  options: { dataDir: string; configPath?: string; env?: Record<string, string> },
  ...args: string[]
) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'silent',
  };
  for (const name of Object.keys(env)) {
    // The caller's DATABASE_URL too: without one of the test's own, the CLI is on SQLite files.
    if (/^(ZENDESK|SALESFORCE|CONNECTORS_CONFIG|DATABASE_)/.test(name)) delete env[name];
  }
  if (options.configPath !== undefined) env.CONNECTORS_CONFIG = options.configPath;
  Object.assign(env, options.env);
  const result = spawnSync(
    process.execPath,
    [...nodeArgsFor('server/src/cli/connectors-cli.ts'), ...args],
    { env, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, out: result.stdout, err: result.stderr };
}
