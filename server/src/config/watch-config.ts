import { statSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Tells the config store that the config on disk may have changed. It only signals; deciding
 * whether anything really changed (and reloading) is the store's job, via `readSourceSignature`.
 *
 * `fs.watch` alone misses changes in practice: editors that save by writing a temp file and
 * renaming it over the original leave a file watch on a deleted inode, Kubernetes ConfigMaps swap
 * a symlink, and some file systems (network mounts, some containers) send no events at all. So we
 * watch the containing directory, re-establish the watch when it breaks or its inode changes, and
 * also poll cheaply on a timer.
 */

export interface WatchConfigOptions {
  /** Coalesces the bursts of events one save produces. */
  debounceMs?: number;
  /** The fallback poll, for file systems that deliver no events. */
  pollMs?: number;
  /** Set to false to rely on polling alone (file systems whose events are unreliable). */
  fsEvents?: boolean;
}

export interface ConfigWatcher {
  close(): void;
}

export const DEFAULT_DEBOUNCE_MS = 100;
export const DEFAULT_POLL_MS = 2_000;

/**
 * Calls `onSignal` (debounced) whenever the config file or folder at `path` may have changed.
 *
 * @example
 * const watcher = watchConfigSource('config/connectors.json', () => void checkForChanges());
 * // later
 * watcher.close();
 */
export function watchConfigSource(
  path: string,
  onSignal: () => void,
  options: WatchConfigOptions = {},
): ConfigWatcher {
  const absolute = resolve(path);
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;

  let closed = false;
  let watcher: FSWatcher | undefined;
  let watchedIdentity: string | undefined;
  let debounceTimer: NodeJS.Timeout | undefined;

  const signal = (): void => {
    if (closed) return;
    if (debounceTimer) clearTimeout(debounceTimer);
    debounceTimer = setTimeout(() => {
      debounceTimer = undefined;
      if (!closed) onSignal();
    }, debounceMs);
  };

  const stopWatcher = (): void => {
    watcher?.close();
    watcher = undefined;
    watchedIdentity = undefined;
  };

  // Synchronous, so the watch is active when `watchConfigSource` returns: an edit made right
  // after must not slip through before the first event listener exists.
  const establish = (): void => {
    if (options.fsEvents === false) return;
    const target = describeWatchTarget(absolute);
    if (closed) return;
    if (watcher && target?.identity === watchedIdentity) return;
    stopWatcher();
    if (!target) return; // Nothing to watch yet; the poll retries.
    try {
      // persistent: false, so a watcher alone never keeps the process alive.
      const next = watch(target.directory, { persistent: false }, (_event, name) => {
        if (name === null || target.isRelevant(String(name))) signal();
      });
      next.on('error', () => {
        // The watched directory went away or was replaced: drop the watch, let the poll restore it.
        if (watcher === next) stopWatcher();
        signal();
      });
      watcher = next;
      watchedIdentity = target.identity;
    } catch {
      stopWatcher();
    }
  };

  const poll = setInterval(() => {
    establish();
    signal();
  }, pollMs);
  poll.unref();
  establish();

  return {
    close() {
      closed = true;
      clearInterval(poll);
      if (debounceTimer) clearTimeout(debounceTimer);
      stopWatcher();
    },
  };
}

interface WatchTarget {
  directory: string;
  /** Device and inode of the watched directory, to notice when it is replaced. */
  identity: string;
  isRelevant(name: string): boolean;
}

/** Two stats, run at start and on each poll tick only. */
function describeWatchTarget(absolute: string): WatchTarget | undefined {
  const isDirectory = statSync(absolute, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const directory = isDirectory ? absolute : dirname(absolute);
  const stats = statSync(directory, { throwIfNoEntry: false });
  if (!stats) return undefined;
  const file = basename(absolute);
  return {
    directory,
    identity: `${stats.dev}:${stats.ino}`,
    // Names starting with ".." are Kubernetes ConfigMap symlink swaps (..data).
    isRelevant: isDirectory
      ? (name) => name.endsWith('.json') || name.startsWith('..')
      : (name) => name === file || name.startsWith('..'),
  };
}

/**
 * A cheap fingerprint of the config on disk (names, inodes, sizes, modification times), so a
 * reload happens only when something actually changed. The inode catches rename-style saves
 * that keep the size and land within the same timestamp.
 */
export async function readSourceSignature(path: string): Promise<string> {
  const absolute = resolve(path);
  const describe = async (file: string): Promise<string> => {
    try {
      const stats = await stat(file, { bigint: true });
      // A folder's own times change with every editor swap file; its .json entries are listed below.
      if (stats.isDirectory()) return `${stats.dev}:${stats.ino}:d`;
      return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:f`;
    } catch (error) {
      return `missing:${(error as NodeJS.ErrnoException).code ?? ''}`;
    }
  };
  const own = await describe(absolute);
  if (!own.endsWith(':d')) return own;
  let names: string[];
  try {
    names = (await readdir(absolute))
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort();
  } catch {
    return own;
  }
  const parts = await Promise.all(
    names.map(async (name) => `${name}=${await describe(join(absolute, name))}`),
  );
  return [own, ...parts].join('|');
}
