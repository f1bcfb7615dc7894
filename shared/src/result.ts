/**
 * The one shape of an expected outcome across the project (style.md: expected failures are
 * values): `{ ok: true, value }` or `{ ok: false, error }`, the error carrying a stable code.
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
