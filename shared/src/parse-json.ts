import type { Result } from './result';

/** JSON.parse as a value: text that is not JSON is an expected answer from a server, not a bug. */
export function parseJson(text: string): Result<unknown, { message: string }> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: { message: (error as Error).message } };
  }
}
