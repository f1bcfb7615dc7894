/**
 * Redaction shared by the logger, the run log and the error serializer. Two nets: any known secret
 * value is masked wherever it appears (a token echoed back in an upstream error body, say), and
 * values under credential-looking keys are masked whatever they hold.
 */
import { mapArrayItems, mapObjectValues } from './map-values';

export const SECRET_MASK = '[secret]';

/**
 * Matched against the key lowercased with "-" and "_" removed, by its ending, so vendor headers
 * such as X-Shopify-Access-Token, Private-Token or X-Goog-Api-Key count as well as `accessToken`.
 */
const SENSITIVE_KEY_ENDINGS = /(authorization|cookie|password|passwd|secret|token|apikey)$/;
const MAX_DEPTH = 20;
/** Shorter base64 fragments could match unrelated text. */
const MIN_BASE64_FRAGMENT = 8;

/** Keys repeat from record to record (the same headers and fields every run): asked once each. */
const sensitiveKeys = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 10_000;

export function isSensitiveKey(key: string): boolean {
  let sensitive = sensitiveKeys.get(key);
  if (sensitive === undefined) {
    sensitive = SENSITIVE_KEY_ENDINGS.test(key.toLowerCase().replace(/[-_]/g, ''));
    // Keys an upstream makes up (ids as keys) must not grow this without end.
    if (sensitiveKeys.size >= MAX_REMEMBERED_KEYS) sensitiveKeys.clear();
    sensitiveKeys.set(key, sensitive);
  }
  return sensitive;
}

/**
 * The forms a secret takes once encoded: percent-encoded (URL and form style) and base64. A
 * secret inside a longer base64 text (the password in `Basic base64(user:password)`) encodes
 * differently depending on its byte offset mod 3, so the stable middle of each of the three
 * alignments is masked; at most two bytes at either end stay visible.
 */
function encodedForms(value: string): string[] {
  const forms = new Set<string>([
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
  ]);
  const bytes = Buffer.from(value);
  forms.add(bytes.toString('base64'));
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const firstGroup = offset === 0 ? 0 : 1;
    const endGroup = Math.floor((offset + bytes.length) / 3);
    const fragment = encoded.slice(firstGroup * 4, endGroup * 4);
    if (fragment.length >= MIN_BASE64_FRAGMENT) {
      forms.add(fragment);
      forms.add(fragment.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  forms.delete(value);
  // Longest first, so a full encoding is masked before a fragment of it.
  return [...forms].sort((a, b) => b.length - a.length);
}

export interface Redactor {
  redactText(text: string): string;
  redactDeep<T>(value: T): T;
  /**
   * `redactText` for one synchronous pass over many strings (a record, a scope): it checks for
   * changed secrets once, not once per string. Take a fresh one for every pass, so that secrets
   * learnt meanwhile (an OAuth token fetched by the run) are masked.
   */
  textRedactor(): (text: string) => string;
}

/**
 * @param cacheKey changes whenever the values do (default: the values joined); pass a cheaper one
 *   when the list is long (runtime tokens carry a version number instead).
 */
export function createRedactor(
  secretValues: () => readonly string[],
  cacheKey?: () => string,
): Redactor {
  // Every form of every secret in one pattern, rebuilt only when the secrets change: this runs
  // on every string of every log line and run record, so it must cost one scan, not dozens.
  let builtFor: string | undefined;
  let pattern: RegExp | undefined;
  // A text shorter than every form holds none: most of a record's strings (ids, statuses, field
  // names) are, and skipping them saves the scan's set-up on each.
  let shortest = 0;
  const currentPattern = (): RegExp | undefined => {
    const key = cacheKey ? cacheKey() : secretValues().join('\u0000');
    if (key !== builtFor) {
      const values = secretValues().filter((value) => value.length >= 4);
      const forms = new Set<string>();
      for (const value of values) {
        forms.add(value);
        for (const form of encodedForms(value)) forms.add(form);
      }
      // Longest first: at any position the longest form wins, so a secret that contains
      // another (or a full encoding that contains a fragment) is masked whole.
      const sorted = [...forms].sort((a, b) => b.length - a.length);
      shortest = sorted.at(-1)?.length ?? 0;
      pattern = sorted.length
        ? new RegExp(
            sorted.map((form) => form.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'),
            'g',
          )
        : undefined;
      builtFor = key;
    }
    return pattern;
  };
  const noSecrets = (text: string): string => text;
  // The cache key lists every secret, so checking it per string would cost more than the scan.
  const textRedactor = (): ((text: string) => string) => {
    const current = currentPattern();
    if (!current) return noSecrets;
    const least = shortest;
    return (text) => (text.length < least ? text : text.replace(current, SECRET_MASK));
  };
  const redactText = (text: string): string => textRedactor()(text);
  const redactDeep = <T>(value: T, redactText: (text: string) => string, depth = 0): T => {
    // Past the limit nothing is inspected, so nothing is let through either (cycles end here too).
    if (depth > MAX_DEPTH) return '[too deep]' as T;
    if (typeof value === 'string') return redactText(value) as T;
    if (Array.isArray(value))
      return mapArrayItems(value, (item) => redactDeep(item, redactText, depth + 1)) as T;
    // An Error's name and message are not own enumerable properties: copied as a plain object
    // they would vanish, and with them the reason for a failure.
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return {
        name: value.name,
        message: redactText(value.message),
        ...(typeof code === 'string' ? { code } : {}),
      } as T;
    }
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return mapObjectValues(value, (item, key) =>
        isSensitiveKey(key) && item !== null && item !== undefined && item !== ''
          ? SECRET_MASK
          : redactDeep(item, redactText, depth + 1),
      ) as T;
    }
    return value;
  };
  return {
    redactText,
    redactDeep: (value) => redactDeep(value, textRedactor()),
    textRedactor,
  };
}
