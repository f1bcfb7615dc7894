/** `load` behind a once: call it to load (or get what was loaded), `started` to look without loading. */
export interface LoadOnce<T> {
  (): Promise<T>;
  /**
   * The load under way or done, or undefined if none was asked for (or the last one failed):
   * for a close that should release what was loaded without loading it first.
   */
  started(): Promise<T> | undefined;
}

/**
 * Runs `load` on the first call and gives its promise to every call after, for work done once
 * and only when first needed: an `import()` of a package a server may never use, a bundle built
 * when a page is first opened. A rejection is not kept: the next call runs `load` again.
 *
 * @example
 * const loadSdk = loadOnce(() => import('@modelcontextprotocol/server'));
 * const { fromJsonSchema } = await loadSdk();
 */
export function loadOnce<T>(load: () => Promise<T>): LoadOnce<T> {
  let loading: Promise<T> | undefined;
  const get = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return Object.assign(get, { started: () => loading });
}
