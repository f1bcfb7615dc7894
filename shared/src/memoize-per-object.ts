/**
 * `compute`, worked out once per key object and kept while the key lives. For what a run
 * derives from compiled config (a connector, its connection, a template's parts): a compiled
 * object never changes, a reload compiles new ones, and the old ones' values go with them.
 *
 * @example
 * const inputsByName = memoizePerObject((connector: CompiledConnector) => new Map(…));
 */
export function memoizePerObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const values = new WeakMap<K, V>();
  return (key) => {
    let value = values.get(key);
    if (value === undefined) {
      value = compute(key);
      values.set(key, value);
    }
    return value;
  };
}
