import { formatConfigIssues } from './format-config-issues';
import { loadConfigSource } from './load-config';
import type { CompileConfigFn, ConfigSchema, LoadConfigResult } from './load-config';
import type { LocatedIssue } from './located-issue';
import { readSourceSignature, watchConfigSource } from './watch-config';
import type { ConfigWatcher } from './watch-config';

/**
 * Holds the last good compiled config and reloads it when the files change.
 *
 * A broken edit never takes connectors down: the store keeps serving what last loaded cleanly
 * and records the error for the health endpoint and the log. This includes files caught halfway
 * through a write, which are simply invalid JSON (every prefix of a JSON object is).
 */

export interface ConfigLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ConfigStoreOptions<TCompiled> {
  /** A JSON file or a folder of `*.json` files. */
  path: string;
  schema: ConfigSchema;
  compile: CompileConfigFn<TCompiled>;
  logger?: ConfigLogger;
  debounceMs?: number;
  pollMs?: number;
  /** Set to false to rely on polling alone (see `watchConfigSource`). */
  fsEvents?: boolean;
  /** Called after every load attempt, successful or not, with its result. */
  onChange?: (result: LoadConfigResult<TCompiled>) => void;
}

export interface ConfigStatus {
  /** The latest load attempt succeeded. */
  ok: boolean;
  /** When the config being served was loaded (ISO 8601); absent until one loads. */
  loadedAt?: string;
  /** The files the served config came from. */
  files: string[];
  warnings: LocatedIssue[];
  /** The latest failed attempt, while it is the latest attempt. */
  lastError?: { at: string; issues: LocatedIssue[] };
}

export interface ConfigStore<TCompiled> {
  /** The last good compiled config, or undefined when none has loaded yet. */
  current(): TCompiled | undefined;
  status(): ConfigStatus;
  /** Loads the config now; the first call is the initial load. */
  reload(): Promise<LoadConfigResult<TCompiled>>;
  /**
   * Loads the config as it would be with `overrides` (file texts by absolute path) in place of
   * the files on disk, and changes nothing: what the console checks an edit with.
   */
  validate(overrides: ReadonlyMap<string, string>): Promise<LoadConfigResult<TCompiled>>;
  /** The texts of the files the served config was read from. */
  sources(): readonly { file: string; text: string }[];
  /** Starts reloading on file changes. Idempotent. */
  watch(): void;
  close(): void;
}

interface GoodState<TCompiled> {
  compiled: TCompiled;
  sources: { file: string; text: string }[];
  loadedAt: string;
  files: string[];
  warnings: LocatedIssue[];
}

/**
 * @example
 * const store = createConfigStore({
 *   path: env.CONNECTORS_CONFIG,
 *   compile: (config) => compileConfig(config, { secrets }),
 *   logger,
 * });
 * const first = await store.reload();
 * if (!first.ok) console.error(formatConfigIssues(first.error.issues));
 * store.watch();
 */
export function createConfigStore<TCompiled>(
  options: ConfigStoreOptions<TCompiled>,
): ConfigStore<TCompiled> {
  const { path, schema, compile, logger, onChange } = options;

  let good: GoodState<TCompiled> | undefined;
  let lastError: { at: string; issues: LocatedIssue[] } | undefined;
  let attempted = false;
  let watcher: ConfigWatcher | undefined;
  let closed = false;

  // The source signature the latest load started from; a watch signal with the same signature
  // is a spurious event (or our own poll) and needs no reload.
  let loadedSignature: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let watchReloadQueued = false;

  const runLoad = async (): Promise<LoadConfigResult<TCompiled>> => {
    // Taken before reading, so a write that lands during the load changes the signature again
    // and triggers one more reload instead of being missed.
    loadedSignature = await readSourceSignature(path);
    let result: LoadConfigResult<TCompiled>;
    try {
      result = await loadConfigSource(path, { schema, compile });
    } catch (error) {
      // A bug in loading or compiling must not crash the process from a file watcher.
      logger?.error('connector config load crashed', { error });
      result = {
        ok: false,
        error: {
          issues: [
            {
              file: path,
              path: '$',
              message: `The config could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
              hint: 'this is a server bug; the previous config stays active',
              severity: 'error',
            },
          ],
        },
      };
    }
    record(result);
    if (onChange && !closed) onChange(result);
    return result;
  };

  const record = (result: LoadConfigResult<TCompiled>): void => {
    attempted = true;
    const at = new Date().toISOString();
    if (result.ok) {
      const loaded = result.value;
      good = {
        compiled: loaded.compiled,
        sources: loaded.sources,
        loadedAt: at,
        files: loaded.files,
        warnings: loaded.warnings,
      };
      lastError = undefined;
      logger?.info('connector config loaded', {
        files: loaded.files,
        connectors: loaded.config.connectors.length,
        connections: Object.keys(loaded.config.connections).length,
      });
      if (loaded.warnings.length > 0) {
        logger?.warn(`connector config warnings:\n${formatConfigIssues(loaded.warnings)}`, {
          warnings: loaded.warnings,
        });
      }
      return;
    }
    const { issues } = result.error;
    lastError = { at, issues };
    const consequence = good
      ? `connector config reload failed; still serving the config loaded at ${good.loadedAt}`
      : 'connector config failed to load; no connectors are available';
    logger?.error(`${consequence}:\n${formatConfigIssues(issues)}`, { issues });
  };

  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  };

  const onWatchSignal = async (): Promise<void> => {
    if (closed || watchReloadQueued) return;
    const signature = await readSourceSignature(path);
    if (closed || watchReloadQueued || signature === loadedSignature) return;
    watchReloadQueued = true;
    void enqueue(() => {
      watchReloadQueued = false;
      return runLoad();
    });
  };

  return {
    current: () => good?.compiled,
    status: () => ({
      ok: attempted && lastError === undefined,
      ...(good ? { loadedAt: good.loadedAt } : {}),
      files: good?.files ?? [],
      warnings: good?.warnings ?? [],
      ...(lastError ? { lastError } : {}),
    }),
    reload: () => enqueue(runLoad),
    validate: (overrides) => loadConfigSource(path, { schema, compile }, overrides),
    sources: () => good?.sources ?? [],
    watch() {
      if (watcher || closed) return;
      watcher = watchConfigSource(path, () => void onWatchSignal(), {
        ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
        ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        ...(options.fsEvents !== undefined ? { fsEvents: options.fsEvents } : {}),
      });
    },
    close() {
      closed = true;
      watcher?.close();
      watcher = undefined;
    },
  };
}
