import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileConfig } from '../compile/compile-config';
import { formatConfigIssues } from '../config/format-config-issues';
import { loadConfigSource } from '../config/load-config';
import type { ConfigSources } from '../console/edit-connector';
import type { ConfigVersionStore } from '../config-versions/config-version-store';
import { openPostgresConfigVersionStore } from '../config-versions/postgres-config-version-store';
import { openSqliteConfigVersionStore } from '../config-versions/sqlite-config-version-store';
import type { ServerEnv } from '../env/parse-env';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import type { SecretSource } from '../secrets/secret-source';
import { CONFIG_VERSIONS_FILE } from '../storage/open-sqlite-storage';
import { openPostgresStore } from '../storage/postgres/open-postgres-store';

/**
 * The config files as the CLI writes them: the same checks and atomic write as a console edit,
 * and a config version by the CLI. A running server sees the file change and reloads it.
 */
export async function openConfigFiles(
  env: ServerEnv,
  secrets: SecretSource,
): Promise<(ConfigSources & { close(): Promise<void> }) | { error: string }> {
  const format = BUILT_IN_CONFIG_FORMAT;
  const load = (overrides?: ReadonlyMap<string, string>) =>
    loadConfigSource(
      env.configPath,
      {
        schema: format.schemas.connectorConfigSchema,
        compile: (config) => compileConfig(config, { format, secrets }),
      },
      overrides,
    );
  const current = await load();
  if (!current.ok) {
    return {
      error: `${env.configPath} does not load now, so nothing was added; fix it first:\n${formatConfigIssues(current.error.issues)}`,
    };
  }
  let versions: ConfigVersionStore;
  if (env.database) {
    const opened = await openPostgresStore(env.database, (pool) =>
      openPostgresConfigVersionStore({ pool }),
    );
    if (!opened.ok) return { error: opened.error };
    versions = opened.value;
  } else {
    mkdirSync(env.dataDir, { recursive: true });
    versions = openSqliteConfigVersionStore({ path: join(env.dataDir, CONFIG_VERSIONS_FILE) });
  }
  return {
    configPath: env.configPath,
    sources: () => current.value.sources,
    validate: (overrides) => load(overrides),
    reload: async () => undefined,
    versions,
    close: () => versions.close(),
  };
}
