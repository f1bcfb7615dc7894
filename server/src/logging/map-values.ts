/**
 * Maps an object's or an array's values, copying only when one changes: redaction and capping
 * walk every run record and log line, and almost always change nothing, so copying every object
 * on the way was most of their cost and garbage. Callers treat what they get as read-only; it may
 * be the value they passed.
 */

/**
 * Own enumerable string keys; a "__proto__" key stays a plain key in a copy, never its prototype.
 * Anything but a plain object (a URL, a Buffer, a class) is always copied into one, as before:
 * kept as is, its own `toJSON` would decide what JSON.stringify writes, unredacted.
 */
export function mapObjectValues(
  value: object,
  map: (item: unknown, key: string) => unknown,
): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const prototype: unknown = Object.getPrototypeOf(source);
  if (prototype !== Object.prototype && prototype !== null) return copyMapped(source, map, 0, {});
  // for-in, not Object.keys: V8 reads `source[key]` of a for-in key through the object's enum
  // cache, a fast field load, where a key from an array is a megamorphic lookup on the record's
  // many shapes (21k instructions a run in the benchmark, docs/performance.md). A plain object
  // (its prototype Object.prototype or null, checked above) has only own keys to enumerate.
  let index = 0;
  for (const key in source) {
    const item = source[key];
    const mapped = map(item, key);
    if (mapped !== item) {
      const copy: Record<string, unknown> = {};
      const keys = Object.keys(source);
      for (let before = 0; before < index; before += 1) {
        const earlier = keys[before] as string;
        setOwn(copy, earlier, source[earlier]);
      }
      setOwn(copy, key, mapped);
      return copyMapped(source, map, index + 1, copy, keys);
    }
    index += 1;
  }
  return source;
}

/** Maps the keys from `start` on into `copy`. */
function copyMapped(
  source: Record<string, unknown>,
  map: (item: unknown, key: string) => unknown,
  start: number,
  copy: Record<string, unknown>,
  keys: readonly string[] = Object.keys(source),
): Record<string, unknown> {
  for (let index = start; index < keys.length; index += 1) {
    const key = keys[index] as string;
    setOwn(copy, key, map(source[key], key));
  }
  return copy;
}

export function mapArrayItems<T>(items: readonly T[], map: (item: T) => unknown): unknown[] {
  let copy: unknown[] | undefined;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as T;
    const mapped = map(item);
    if (copy === undefined) {
      if (mapped === item) continue;
      copy = items.slice(0, index);
    }
    copy.push(mapped);
  }
  return copy ?? (items as unknown[]);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[key] = value;
}
