import type { Result } from '../../../shared/src/result';
import type { LoadSecretsResult, SecretSource, SecretsLoadError } from './secret-source';

/**
 * Secrets that can be rotated without a restart: the server re-reads its secrets file when it
 * changes (the same watcher as the config). A file that does not load keeps the current values
 * serving, as a broken config does.
 *
 * Values that were replaced stay in `values()`, so that the redactor keeps masking them: a log
 * line or upstream error written after the rotation can still carry the old token.
 */
export interface ReloadableSecrets extends SecretSource {
  /** Re-reads the source. `changed` is false when the values are the same as before. */
  reload(): Result<SecretsReloaded, SecretsLoadError>;
  status(): SecretsStatus;
}

export interface SecretsReloaded {
  changed: boolean;
  /** How many secrets have a value after the reload. */
  names: number;
}

export interface SecretsStatus {
  ok: boolean;
  loadedAt: string;
  /** The last failed reload, while the previous values keep serving. Never holds a value. */
  lastError?: { at: string; message: string };
}

/** Old values kept for masking; a rotation every day for years stays far below this. */
const MAX_RETIRED_VALUES = 1_000;

export function createReloadableSecrets(
  load: () => LoadSecretsResult,
  now: () => Date = () => new Date(),
): Result<ReloadableSecrets, SecretsLoadError> {
  const first = load();
  if (!first.ok) return first;
  let current = first.value;
  let loadedAt = now().toISOString();
  let lastError: SecretsStatus['lastError'];
  const retired = new Set<string>();
  let version = 0;

  const fingerprint = (source: SecretSource, names: readonly string[]): string =>
    JSON.stringify(names.map((name) => [name, source.get(name) ?? null]));
  let currentNames = current.names();

  return {
    ok: true,
    value: {
      get: (name) => current.get(name),
      values: () => [...current.values(), ...retired],
      names: () => current.names(),
      version: () => version,
      reload() {
        const next = load();
        if (!next.ok) {
          lastError = { at: now().toISOString(), message: next.error.message };
          return next;
        }
        lastError = undefined;
        const nextNames = next.value.names();
        const union = [...new Set([...currentNames, ...nextNames])];
        const changed = fingerprint(current, union) !== fingerprint(next.value, union);
        if (changed) {
          const kept = new Set(next.value.values());
          for (const value of current.values()) if (!kept.has(value)) retired.add(value);
          while (retired.size > MAX_RETIRED_VALUES) {
            retired.delete(retired.values().next().value as string);
          }
          current = next.value;
          currentNames = nextNames;
          version += 1;
          loadedAt = now().toISOString();
        }
        return { ok: true, value: { changed, names: nextNames.length } };
      },
      status: () => ({
        ok: lastError === undefined,
        loadedAt,
        ...(lastError ? { lastError } : {}),
      }),
    },
  };
}
