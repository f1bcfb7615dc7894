/**
 * Runs `load` on the first call and gives its promise to every call after, for work done once
 * and only when first needed: an `import()` of a package a server may never use, a bundle built
 * when a page is first opened. A rejection is not kept: the next call runs `load` again.
 *
 * @example
 * const loadSdk = loadOnce(() => import('@modelcontextprotocol/server'));
 * const { fromJsonSchema } = await loadSdk();
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
