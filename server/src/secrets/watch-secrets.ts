import { readSourceSignature, watchConfigSource } from '../config/watch-config';
import type { WatchConfigOptions } from '../config/watch-config';
import type { Logger } from '../logging/logger';
import type { ReloadableSecrets } from './reloadable-secrets';

/**
 * Re-reads the secrets file when it changes, with the config's watcher (directory watch plus a
 * poll, so editors' rename-saves and Kubernetes secret volumes that swap a symlink are seen).
 * `onChanged` runs after values changed: the server recompiles the config then, so a connector
 * whose secret just appeared (or went away) is marked available (or unavailable) at once.
 */
export async function watchSecretsFile(options: {
  path: string;
  secrets: ReloadableSecrets;
  logger: Logger;
  onChanged: () => void;
  watch?: WatchConfigOptions;
}): Promise<{ close(): void }> {
  const { path, secrets, logger } = options;
  let signature = await readSourceSignature(path);
  let checking = false;
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const next = await readSourceSignature(path);
      if (next === signature) return;
      signature = next;
      const result = secrets.reload();
      if (!result.ok) {
        // The message names the file and the reason, never a value.
        logger.error(
          `secrets reload failed; still using the secrets loaded at ${secrets.status().loadedAt}: ${result.error.message}`,
          { code: result.error.code },
        );
        return;
      }
      if (!result.value.changed) return;
      logger.info('secrets reloaded', { file: path, names: result.value.names });
      options.onChanged();
    } finally {
      checking = false;
    }
  };
  return watchConfigSource(path, () => void check(), options.watch ?? {});
}
