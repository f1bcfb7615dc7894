import { existsSync } from 'node:fs';
import type { ServerEnv } from './env/parse-env';
import { loadSecrets } from './secrets/secret-source';
import type { LoadSecretsResult } from './secrets/secret-source';

/** Files under DATA_DIR. */
// The databases' files are named in storage/open-storage.ts.

/** The sandbox's well-known demo credentials, used only when no secrets file is configured. */
export const SANDBOX_SECRETS_FILE = 'config/sandbox.secrets.json';

/** The secrets file the server reads (and watches), if any. */
export function serverSecretsFile(env: ServerEnv): string | undefined {
  return (
    env.secretsFile ??
    (env.mode === 'sandbox' && existsSync(SANDBOX_SECRETS_FILE) ? SANDBOX_SECRETS_FILE : undefined)
  );
}

export function loadServerSecrets(env: ServerEnv): LoadSecretsResult {
  return loadSecrets(process.env, serverSecretsFile(env));
}
