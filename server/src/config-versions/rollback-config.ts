import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, basename, resolve, relative, isAbsolute } from 'node:path';
import type { Result } from '../../../shared/src/result';
import type { ConfigVersionStore, ConfigVersionSummary } from './config-version-store';

export interface RollbackError {
  code: 'CONFIG_VERSION_NOT_FOUND' | 'CONFIG_VERSION_ELSEWHERE' | 'CONFIG_WRITE_FAILED';
  message: string;
}

/** Inside the config path (the file itself, or a file in the config folder)? */
function isWithin(configPath: string, file: string): boolean {
  const root = resolve(configPath);
  const target = resolve(file);
  if (target === root) return true;
  const rel = relative(root, target);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Replaces a config file in one step (a temporary file in the same folder, renamed over it): the
 * watcher, and a reader such as `connectors check`, sees the old text or the new, never half.
 */
export async function writeFileAtomically(
  file: string,
  text: string,
): Promise<Result<null, { code: 'CONFIG_WRITE_FAILED'; message: string }>> {
  const target = resolve(file);
  const temporary = join(
    dirname(target),
    `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, target);
    return { ok: true, value: null };
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    return {
      ok: false,
      error: {
        code: 'CONFIG_WRITE_FAILED',
        message: `Could not write ${file}: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}

/** The files of a config folder the server loads: `*.json`, not hidden (editor swap files). */
export async function listConfigFolderFiles(folder: string): Promise<string[]> {
  const root = resolve(folder);
  const names = await readdir(root).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .map((name) => join(root, name));
}

/** Removes the config folder's files not in `kept` (absolute paths). */
export async function removeConfigFilesOtherThan(
  folder: string,
  kept: ReadonlySet<string>,
): Promise<void> {
  for (const file of await listConfigFolderFiles(folder)) {
    if (!kept.has(file)) await rm(file, { force: true });
  }
}

/**
 * Writes a version's files back, each atomically (a temporary file renamed over it), and records
 * the rollback as a version of its own. The running server's watcher then loads them like any
 * edit, so an invalid result (a secret since removed, say) keeps the last good config serving.
 */
export async function rollbackConfig(options: {
  store: ConfigVersionStore;
  versionId: number;
  configPath: string;
  author: string;
}): Promise<Result<ConfigVersionSummary, RollbackError>> {
  const version = await options.store.get(options.versionId);
  if (!version) {
    return {
      ok: false,
      error: {
        code: 'CONFIG_VERSION_NOT_FOUND',
        message: `There is no config version ${options.versionId}; "connectors history" lists them.`,
      },
    };
  }
  const outside = version.files.find((entry) => !isWithin(options.configPath, entry.file));
  if (outside) {
    return {
      ok: false,
      error: {
        code: 'CONFIG_VERSION_ELSEWHERE',
        message: `Version ${version.id} was read from ${outside.file}, outside ${options.configPath} (CONNECTORS_CONFIG changed since): restore that file by hand.`,
      },
    };
  }
  // In a config folder, a file added after that version would still load: it goes too (it is
  // kept in the later versions, so rolling forward brings it back).
  const folder = await stat(resolve(options.configPath)).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (folder) {
    await removeConfigFilesOtherThan(
      options.configPath,
      new Set(version.files.map((entry) => resolve(entry.file))),
    );
  }
  for (const entry of version.files) {
    const written = await writeFileAtomically(entry.file, entry.text);
    if (!written.ok) return written;
  }
  const recorded = await options.store.record({
    author: `${options.author}: rollback to v${version.id}`,
    connectors: version.connectors,
    files: version.files,
  });
  return { ok: true, value: recorded.version };
}
