import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Logger } from '../logging/logger';
import type { ConfigVersion, ConfigVersionFile, ConfigVersionStore } from './config-version-store';
import {
  listConfigFolderFiles,
  removeConfigFilesOtherThan,
  writeFileAtomically,
} from './rollback-config';

/**
 * Several instances, one config (docs/deploy.md): every accepted config is a version in the
 * shared store, and each instance serves the newest. An edit or a rollback made through one
 * instance writes its files there and records a version; the others hear of it (a notice, or
 * their poll) and write the same files into their own config path, whose watcher then loads them
 * as it loads any edit. A config that would not load is never recorded, so a broken edit leaves
 * every instance on the last good one.
 *
 * Files are matched by name: the config file itself, or each JSON file of the config folder, so
 * instances may keep their config at different paths.
 */

/** Where each of a version's files goes in this instance's config path. */
async function placeFiles(
  configPath: string,
  files: readonly ConfigVersionFile[],
): Promise<{ folder: boolean; placed: ConfigVersionFile[] }> {
  const folder = await stat(resolve(configPath)).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!folder) {
    // One file: a version of a folder config cannot be served from a file path, and the reverse.
    return {
      folder,
      placed: files.length === 1 ? [{ file: configPath, text: files[0]!.text }] : [],
    };
  }
  return {
    folder,
    placed: files.map((entry) => ({
      file: join(resolve(configPath), basename(entry.file)),
      text: entry.text,
    })),
  };
}

function sameFiles(a: readonly ConfigVersionFile[], b: readonly ConfigVersionFile[]): boolean {
  const key = (files: readonly ConfigVersionFile[]) =>
    files
      .map((entry) => `${basename(entry.file)}\u0000${entry.text}`)
      .sort()
      .join('\u0001');
  return key(a) === key(b);
}

/** Writes a version's files into this instance's config path; false if they cannot go there. */
async function writeVersion(configPath: string, version: ConfigVersion): Promise<boolean> {
  const { folder, placed } = await placeFiles(configPath, version.files);
  if (placed.length === 0) return false;
  if (folder) await removeConfigFilesOtherThan(configPath, new Set(placed.map((e) => e.file)));
  for (const entry of placed) {
    const written = await writeFileAtomically(entry.file, entry.text);
    if (!written.ok) return false;
  }
  return true;
}

/** The newest modification time of the config's files on disk (ms), or 0. */
async function newestChangeOnDisk(configPath: string): Promise<number> {
  const root = resolve(configPath);
  const info = await stat(root).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const file of await listConfigFolderFiles(root)) {
    const changed = await stat(file).catch(() => undefined);
    if (changed) newest = Math.max(newest, changed.mtimeMs);
  }
  return newest;
}

export interface ConfigFollowerOptions {
  store: ConfigVersionStore;
  configPath: string;
  /** The files the instance serves now (the config store's sources). */
  served: () => readonly ConfigVersionFile[];
  /** Loads the config path again (the config store's reload). */
  reload: () => Promise<unknown>;
  logger?: Logger;
}

/**
 * At start, before the config is first loaded: an instance that was down while the config
 * changed takes the newest version, unless its own files changed after that version was made
 * (a deploy that brought new files: those are then recorded and reach the others).
 */
export async function adoptNewestConfigVersion(
  options: Pick<ConfigFollowerOptions, 'store' | 'configPath' | 'logger'>,
): Promise<boolean> {
  const [newest] = await options.store.list(1);
  if (!newest) return false;
  const version = await options.store.get(newest.id);
  if (!version) return false;
  const { placed } = await placeFiles(options.configPath, version.files);
  const onDisk = await Promise.all(
    placed.map(async (entry) => ({
      file: entry.file,
      text: await readFile(entry.file, 'utf8').catch(() => ''),
    })),
  );
  if (placed.length > 0 && sameFiles(onDisk, version.files)) return false;
  if ((await newestChangeOnDisk(options.configPath)) > Date.parse(version.at)) return false;
  const written = await writeVersion(options.configPath, version);
  if (written) {
    options.logger?.info('took the newest config version from the database', {
      version: version.id,
    });
  }
  return written;
}

export interface ConfigFollower {
  /** Look for a newer version now (a notice arrived). */
  check(): Promise<void>;
  close(): void;
}

/**
 * Follows the store: on each check (a notice from another instance, or every `pollMs` in case a
 * notice was lost), serves the newest version if it is not what this instance serves.
 */
export function followConfigVersions(
  options: ConfigFollowerOptions & { pollMs?: number },
): ConfigFollower {
  let lastSeen = 0;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const look = async () => {
    const [newest] = await options.store.list(1);
    if (!newest || newest.id === lastSeen) return;
    const version = await options.store.get(newest.id);
    if (!version) return;
    lastSeen = version.id;
    if (sameFiles(options.served(), version.files)) return;
    if (!(await writeVersion(options.configPath, version))) {
      options.logger?.warn('could not serve the newest config version here', {
        version: version.id,
        configPath: options.configPath,
      });
      return;
    }
    options.logger?.info('serving the config version another instance recorded', {
      version: version.id,
      author: version.author,
    });
    await options.reload();
  };
  const check = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await look().catch((error: unknown) =>
          options.logger?.warn('could not read the config versions', {
            message: error instanceof Error ? error.message : String(error),
          }),
        );
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void check(), options.pollMs ?? 2_000);
  timer.unref();
  return {
    check,
    close: () => {
      closed = true;
      clearInterval(timer);
    },
  };
}

/**
 * The store, telling the other instances of each new version as it is recorded (a console edit,
 * a rollback, a file changed on this instance's disk).
 */
export function announceNewVersions(
  store: ConfigVersionStore,
  announce: (versionId: number) => Promise<void>,
  logger?: Logger,
): ConfigVersionStore {
  return {
    ...store,
    record: async (entry) => {
      const recorded = await store.record(entry);
      if (recorded.added) {
        // The others also poll: a notice that fails to go out only delays them.
        await announce(recorded.version.id).catch((error: unknown) =>
          logger?.warn('could not announce the config version', {
            version: recorded.version.id,
            message: error instanceof Error ? error.message : String(error),
          }),
        );
      }
      return recorded;
    },
  };
}
