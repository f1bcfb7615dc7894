import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigVersionStore } from '../config-versions/config-version-store';
import { describeVersionChanges } from '../config-versions/describe-version-diff';
import { rollbackConfig } from '../config-versions/rollback-config';
import { openPostgresConfigVersionStore } from '../config-versions/postgres-config-version-store';
import { openSqliteConfigVersionStore } from '../config-versions/sqlite-config-version-store';
import { CONFIG_VERSIONS_FILE } from '../storage/open-sqlite-storage';
import { openPostgresStore } from '../storage/postgres/open-postgres-store';
import type { StoreLocation } from '../storage/storage';
import type { CommandOutput } from './agent-keys-command';

export const CONFIG_HISTORY_USAGE = `  npm run connectors -- history [<version>]
      the configs the server accepted (newest first), or one version's changes as a diff
  npm run connectors -- rollback <version>
      write that version's files back (the running server reloads them); itself a new version`;

const VERSION = /^[1-9][0-9]{0,9}$/;

async function withStore(
  where: StoreLocation,
  use: (store: ConfigVersionStore) => Promise<CommandOutput>,
): Promise<CommandOutput> {
  if (where.database) {
    const opened = await openPostgresStore(where.database, (pool) =>
      openPostgresConfigVersionStore({ pool }),
    );
    if (!opened.ok) return { code: 1, stdout: '', stderr: `${opened.error}\n` };
    try {
      return await use(opened.value);
    } finally {
      await opened.value.close();
    }
  }
  const path = join(where.dataDir, CONFIG_VERSIONS_FILE);
  if (!existsSync(path)) {
    return {
      code: 0,
      stdout: `No config versions yet (${path} does not exist): the server keeps one each time it accepts the config.\n`,
      stderr: '',
    };
  }
  const store = openSqliteConfigVersionStore({ path });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** `history [N]`: the list, or version N's diff against the version before it. */
export function runHistoryCommand(where: StoreLocation, args: string[]): Promise<CommandOutput> {
  const [id, ...extra] = args;
  if (extra.length > 0 || (id !== undefined && !VERSION.test(id))) {
    return Promise.resolve({
      code: 2,
      stdout: '',
      stderr: `connectors history: give at most one version number\nusage:\n${CONFIG_HISTORY_USAGE}\n`,
    });
  }
  return withStore(where, async (store) => {
    if (id === undefined) {
      const versions = await store.list(50);
      const lines = versions.map(
        (version) =>
          `v${version.id}  ${version.at.replace('T', ' ').slice(0, 19)} UTC  ${version.connectors} connectors  ${version.author}`,
      );
      return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
    }
    const version = await store.get(Number(id));
    if (!version) return { code: 1, stdout: '', stderr: `There is no config version ${id}.\n` };
    const diff = await describeVersionChanges(store, version);
    return {
      code: 0,
      stdout: `v${version.id}  ${version.at}  ${version.author}\n${diff || '(no change in the files)\n'}`,
      stderr: '',
    };
  });
}

/** `rollback N`: writes version N's files over the config, recorded as a version. */
export function runRollbackCommand(
  where: StoreLocation,
  configPath: string,
  args: string[],
): Promise<CommandOutput> {
  const [id, ...extra] = args;
  if (id === undefined || extra.length > 0 || !VERSION.test(id)) {
    return Promise.resolve({
      code: 2,
      stdout: '',
      stderr: `connectors rollback: give one version number\nusage:\n${CONFIG_HISTORY_USAGE}\n`,
    });
  }
  return withStore(where, async (store) => {
    const rolled = await rollbackConfig({
      store,
      versionId: Number(id),
      configPath,
      author: 'CLI',
    });
    if (!rolled.ok) return { code: 1, stdout: '', stderr: `${rolled.error.message}\n` };
    return {
      code: 0,
      stdout: `Wrote version ${id} back to ${configPath}; it is v${rolled.value.id}. A running server reloads it within a second ("connectors check" validates it).\n`,
      stderr: '',
    };
  });
}
