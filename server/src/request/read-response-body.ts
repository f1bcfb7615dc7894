/**
 * What an upstream answer's bytes become: text, and JSON when the media type says so. The bytes
 * are counted as they arrive (collect-response.ts), so a hostile or broken upstream cannot make us
 * buffer more than `maxBytes`, and a Content-Length above the limit is refused before reading a
 * byte (`exceedsDeclaredLength`).
 */

/** Kept for logs when the body is not what it claims to be (invalid JSON). */
export const LOGGED_BODY_LIMIT = 4096;

export function exceedsDeclaredLength(
  contentLength: string | undefined,
  maxBytes: number,
): boolean {
  if (contentLength === undefined || !/^\d+$/.test(contentLength.trim())) return false;
  return Number(contentLength) > maxBytes;
}

export interface DecodedBody {
  bodyText: string;
  json: unknown | undefined;
  /** The JSON nests deeper than MAX_JSON_DEPTH: it was not parsed. */
  tooDeep?: true;
}

/**
 * No API a connector reads nests its answers anywhere near this deep, and past it the recursive
 * code that reads answers (JMESPath, JSON.stringify in the run log) would exhaust the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests deeper than `max`: no allocation, strings skipped. */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  // Nesting deeper than `max` needs more than `max` opening brackets; most answers have a
  // handful, which `indexOf` counts far faster than the walk below reads every character.
  if (countUpTo(text, '{', max + 1) + countUpTo(text, '[', max + 1) <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \\ */) i += 1;
      else if (code === 34 /* " */) inString = false;
    } else if (code === 34) {
      inString = true;
    } else if (code === 91 /* [ */ || code === 123 /* { */) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === 93 /* ] */ || code === 125 /* } */) {
      depth -= 1;
    }
  }
  return false;
}

/** How many times `char` occurs in `text`, counting no further than `limit`. */
function countUpTo(text: string, char: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count < limit; at = text.indexOf(char, at + 1)) {
    count += 1;
  }
  return count;
}

/**
 * Text is decoded as UTF-8 (JSON must be UTF-8 per RFC 8259). JSON is parsed only when the media type says
 * so (`application/json` or any `+json` suffix); invalid JSON gives `json: undefined` and a truncated text.
 */
export function decodeBody(bytes: Buffer, contentType: string | null): DecodedBody {
  const bodyText = new TextDecoder('utf-8').decode(bytes);
  if (!isJsonMediaType(contentType) || bodyText.trim() === '') {
    return { bodyText, json: undefined };
  }
  if (jsonNestsDeeperThan(bodyText, MAX_JSON_DEPTH)) {
    return { bodyText: bodyText.slice(0, LOGGED_BODY_LIMIT), json: undefined, tooDeep: true };
  }
  try {
    return { bodyText, json: JSON.parse(bodyText) as unknown };
  } catch {
    return { bodyText: bodyText.slice(0, LOGGED_BODY_LIMIT), json: undefined };
  }
}

export function isJsonMediaType(contentType: string | null): boolean {
  if (contentType === null) return false;
  // Found with indexOf rather than split: every upstream answer comes through here, and each
  // split went through V8's runtime (docs/performance.md).
  const parameters = contentType.indexOf(';');
  const essence = (parameters === -1 ? contentType : contentType.slice(0, parameters))
    .trim()
    .toLowerCase();
  const slash = essence.indexOf('/');
  if (slash === -1) return false;
  const next = essence.indexOf('/', slash + 1);
  const subtype = essence.slice(slash + 1, next === -1 ? undefined : next);
  return subtype === 'json' || subtype.endsWith('+json');
}
