import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { Result } from '../../../shared/src/result';

/**
 * Secrets are referenced by name in the config (`{{secrets.SHOPIFY_TOKEN}}`) and never written
 * there. Values come from the environment (`SECRET_SHOPIFY_TOKEN`) or from a JSON secrets file
 * kept outside the config. Only names with the SECRET_ prefix are read, so a config cannot pull
 * arbitrary server environment (ADMIN_TOKEN, database URLs) into an outbound header.
 */
export interface SecretSource {
  get(name: string): string | undefined;
  /** Every secret value, so that logs and errors can scrub them wherever they appear. */
  values(): string[];
  /** The names that have a value. */
  names(): string[];
  /**
   * Changes whenever `values()` would answer differently, so the redactor can tell in O(1)
   * whether to rebuild its pattern.
   */
  version(): number;
}

export const SECRET_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/;
export const SECRET_ENV_PREFIX = 'SECRET_';

const secretsFileSchema = z.record(z.string().regex(SECRET_NAME_PATTERN), z.string().min(1));

/**
 * Why the secrets did not load. The message names the file and the reason and is shown as it is
 * (log, /health), so it never holds a value from the file.
 */
export interface SecretsLoadError {
  code: 'SECRETS_FILE_UNREADABLE' | 'SECRETS_FILE_NOT_JSON' | 'SECRETS_FILE_INVALID';
  message: string;
}

export type LoadSecretsResult = Result<SecretSource, SecretsLoadError>;

export function createSecretSource(values: Record<string, string>): SecretSource {
  const map = new Map(Object.entries(values).filter(([, value]) => value.length > 0));
  return {
    get: (name) => map.get(name),
    values: () => [...map.values()],
    names: () => [...map.keys()],
    version: () => 0,
  };
}

/** Reads secrets from the environment and, when given, a JSON file (`{"NAME": "value"}`). */
export function loadSecrets(env: NodeJS.ProcessEnv, secretsFile?: string): LoadSecretsResult {
  const values: Record<string, string> = {};
  if (secretsFile) {
    let text: string;
    try {
      text = readFileSync(secretsFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      return {
        ok: false,
        error: {
          code: 'SECRETS_FILE_UNREADABLE',
          message: `cannot read secrets file ${secretsFile} (${reason})`,
        },
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The parser's message quotes the text around the error, which holds secrets: only say so.
      return {
        ok: false,
        error: {
          code: 'SECRETS_FILE_NOT_JSON',
          message: `cannot read secrets file ${secretsFile} (invalid JSON)`,
        },
      };
    }
    const result = secretsFileSchema.safeParse(parsed);
    if (!result.success) {
      // Never echo the file's content: it holds the secrets.
      const keys = result.error.issues.map((issue) => issue.path.join('.') || '(top level)');
      return {
        ok: false,
        error: {
          code: 'SECRETS_FILE_INVALID',
          message: `secrets file ${secretsFile} must be an object of NAME: "value" with uppercase names; check ${keys.join(', ')}`,
        },
      };
    }
    Object.assign(values, result.data);
  }
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(SECRET_ENV_PREFIX) && value) {
      const name = key.slice(SECRET_ENV_PREFIX.length);
      if (SECRET_NAME_PATTERN.test(name)) values[name] = value;
    }
  }
  return { ok: true, value: createSecretSource(values) };
}
