/**
 * Redaction shared by the logger, the run log and the error serializer. Two nets: any known secret
 * value is masked wherever it appears (a token echoed back in an upstream error body, say), and
 * values under credential-looking keys are masked whatever they hold.
 */
export const SECRET_MASK = '[secret]';

const SENSITIVE_KEYS =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|password|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|token)$/i;

export interface Redactor {
  redactText(text: string): string;
  redactDeep<T>(value: T): T;
}

export function createRedactor(secretValues: () => readonly string[]): Redactor {
  const redactText = (text: string): string => {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    const values = [...secretValues()].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
    for (const value of values) {
      if (out.includes(value)) out = out.split(value).join(SECRET_MASK);
      const encoded = encodeURIComponent(value);
      if (encoded !== value && out.includes(encoded)) out = out.split(encoded).join(SECRET_MASK);
      const base64 = Buffer.from(value).toString('base64');
      if (out.includes(base64)) out = out.split(base64).join(SECRET_MASK);
    }
    return out;
  };
  const redactDeep = <T>(value: T, depth = 0): T => {
    if (depth > 20) return value;
    if (typeof value === 'string') return redactText(value) as T;
    if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1)) as T;
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          SENSITIVE_KEYS.test(key) && item !== null && item !== undefined && item !== ''
            ? SECRET_MASK
            : redactDeep(item, depth + 1),
        ]),
      ) as T;
    }
    return value;
  };
  return { redactText, redactDeep: (value) => redactDeep(value) };
}
