import { REDACTED_MASK } from '../render/render-request';
import { SECRET_MASK, isSensitiveKey } from './redact';
import type { Redactor } from './redact';
import { mapArrayItems, mapObjectValues } from './map-values';

/**
 * The one redaction policy of a run, built once when the run knows its values, and applied to
 * everything that leaves the server: the API answer, every write-back (ticket fields, tags,
 * notes, Salesforce fields), the message, errors and the run record. Two layers:
 * - secrets, in every form they take on the wire (as is, Basic- and URL-encoded, runtime OAuth
 *   tokens), become `[secret]`: the server's redactor knows them all;
 * - values the config marks `redact` (inputs and outputs) become `[redacted]` wherever they
 *   appear, also inside longer text (an echoed body, a message) and in their JSON- and
 *   URL-encoded forms.
 * Write-backs are rendered from the masked scope, so what the run log records as written is
 * exactly what was sent.
 */
export interface RunRedaction {
  text(value: string): string;
  /**
   * Every string in a value. `byKey` also masks whatever sits under a credential-looking key
   * (`token`, `password`…), as the log does; answers and write-backs keep the config's own names.
   */
  deep<T>(value: T, options?: { byKey?: boolean }): T;
}

/** Shorter values (a "1", a "no") would mask unrelated text. */
const MIN_REDACTED_LENGTH = 3;
const MAX_DEPTH = 20;

function formsOf(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined || text.length < MIN_REDACTED_LENGTH) return [];
  const forms = new Set([text, JSON.stringify(text).slice(1, -1), encodeURIComponent(text)]);
  return [...forms].filter((form) => form.length >= MIN_REDACTED_LENGTH);
}

export function createRunRedaction(secrets: Redactor, redacted: readonly unknown[]): RunRedaction {
  const forms = [...new Set(redacted.flatMap(formsOf))].sort((a, b) => b.length - a.length);
  const pattern = forms.length
    ? new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'), 'g')
    : undefined;
  const textWith = (redactSecrets: (text: string) => string) => (value: string) => {
    const masked = redactSecrets(value);
    return pattern ? masked.replace(pattern, REDACTED_MASK) : masked;
  };
  const text = (value: string): string => textWith(secrets.textRedactor())(value);
  const deep = <T>(value: T, text: (value: string) => string, byKey: boolean, depth = 0): T => {
    if (depth > MAX_DEPTH) return '[too deep]' as T;
    if (typeof value === 'string') return text(value) as T;
    if (Array.isArray(value)) {
      return mapArrayItems(value, (item) => deep(item, text, byKey, depth + 1)) as T;
    }
    if (value instanceof Error) return secrets.redactDeep(value);
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return mapObjectValues(value, (item, key) =>
        // Like the server's redactor, credential-looking keys are masked whatever they hold.
        byKey && isSensitiveKey(key) && item !== null && item !== undefined && item !== ''
          ? SECRET_MASK
          : deep(item, text, byKey, depth + 1),
      ) as T;
    }
    // A number or boolean that is itself a redacted value is masked whole.
    if ((typeof value === 'number' || typeof value === 'boolean') && pattern) {
      const asText = String(value);
      return (asText.replace(pattern, REDACTED_MASK) === asText ? value : REDACTED_MASK) as T;
    }
    return value;
  };
  return {
    text,
    deep: (value, options) =>
      deep(value, textWith(secrets.textRedactor()), options?.byKey ?? false),
  };
}
