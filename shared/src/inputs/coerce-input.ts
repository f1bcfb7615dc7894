/**
 * How a value for a connector input, from a ticket field or typed by an agent, becomes its
 * declared type, or why it cannot. The rules live here once: the server applies them to every
 * value before it gets near a request, and the Zendesk sidebar applies the same ones before it
 * sends, so an agent sees a problem next to the field instead of a 422 after a round trip.
 *
 * The Salesforce component cannot import TypeScript, so it keeps a plain-JS copy
 * (`salesforce-lwc/.../dataConnectorsUtils/dataConnectorsUtils.js`). Both this module's test and
 * the component's jest suite run `coerce-input-cases.json`, so a rule changed here and not there
 * fails one of them: add a case whenever a rule changes.
 *
 * Pure code without Node or DOM APIs, so both the server and the browser bundle can use it.
 *
 * @example
 * coerceInput({ type: 'integer' }, ' 42 ') // { ok: true, value: 42 }
 * coerceInput({ type: 'integer' }, '0x10') // { ok: false, code: 'NOT_NUMBER' }
 */

export const INPUT_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'email'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** Why a value was refused. Stable: the Salesforce copy and the shared cases use these names. */
export const INPUT_VALUE_PROBLEMS = [
  'NOT_TEXT',
  'TOO_LONG',
  'NOT_EMAIL',
  'PATTERN_MISMATCH',
  'NOT_NUMBER',
  'NOT_WHOLE_NUMBER',
  'NOT_BOOLEAN',
  'NOT_DATE',
  'NOT_CALENDAR_DATE',
] as const;
export type InputValueProblem = (typeof INPUT_VALUE_PROBLEMS)[number];

/** A compiled pattern: RE2 on the server (linear time), a RegExp in a browser. */
export interface PatternTester {
  test(text: string): boolean;
}

/** What a value is held to: its input's declared type and limits. */
export interface InputRules {
  type: InputType;
  /** Trim text before checking it (the config's `trim`); on unless set to false. */
  trim?: boolean;
  /** The longest text a `string` or `email` input takes; the other types ignore it. */
  maxLength?: number | null;
  /** Checked on the text, or on a number's text (`String(12.5)`), after the type's own rules. */
  pattern?: PatternTester | null;
}

export type CoercedInput =
  { ok: true; value: string | number | boolean } | { ok: false; code: InputValueProblem };

/**
 * zod 4's `z.email()` pattern, which the server checked addresses with before this module: a
 * practical subset of RFC 5322 (no quoted local parts, no IP literals, a top-level domain of two
 * or more letters) that catches typos without refusing addresses people really use.
 */
const EMAIL =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** An ISO 8601 date-time; without a zone it is read as UTC, so no machine's time zone matters. */
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/**
 * Plain decimal notation only: `Number()` alone would also take "0x10", "0b11" and "  ",
 * turning a typo in an order number into a different, valid-looking number.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Whether a value counts as absent: then the input falls back to its next source or its default,
 * or is reported missing when required. Callers check this before `coerceInput`.
 */
export function isBlankInputValue(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** Coerces a non-blank raw value (from a ticket field or a form) to an input's declared type. */
export function coerceInput(rules: InputRules, raw: unknown): CoercedInput {
  let value: unknown = raw;
  // A multi-select field or the ticket's tags: the words, as one text.
  if (Array.isArray(value)) value = value.map(String).join(' ');
  if (typeof value === 'string' && rules.trim !== false) value = value.trim();
  switch (rules.type) {
    case 'string':
    case 'email':
      return coerceText(rules, value);
    case 'number':
    case 'integer':
      return coerceNumber(rules, value);
    case 'boolean':
      return coerceBoolean(value);
    case 'date':
      return coerceDate(value);
  }
}

function coerceText(rules: InputRules, value: unknown): CoercedInput {
  if (typeof value === 'object' || value === undefined) return { ok: false, code: 'NOT_TEXT' };
  const text = String(value);
  if (rules.maxLength != null && text.length > rules.maxLength) {
    return { ok: false, code: 'TOO_LONG' };
  }
  if (rules.type === 'email' && !EMAIL.test(text)) return { ok: false, code: 'NOT_EMAIL' };
  if (rules.pattern && !rules.pattern.test(text)) return { ok: false, code: 'PATTERN_MISMATCH' };
  return { ok: true, value: text };
}

function coerceNumber(rules: InputRules, value: unknown): CoercedInput {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && DECIMAL.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isFinite(number)) return { ok: false, code: 'NOT_NUMBER' };
  // Beyond 2^53 neighbouring whole numbers share one double: "9007199254740993" would be sent as
  // ...992, a different order or ticket.
  if (rules.type === 'integer' && !Number.isSafeInteger(number)) {
    return { ok: false, code: 'NOT_WHOLE_NUMBER' };
  }
  if (rules.pattern && !rules.pattern.test(String(number))) {
    return { ok: false, code: 'PATTERN_MISMATCH' };
  }
  return { ok: true, value: number };
}

function coerceBoolean(value: unknown): CoercedInput {
  if (typeof value === 'boolean') return { ok: true, value };
  const word = String(value).toLowerCase();
  if (TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  return { ok: false, code: 'NOT_BOOLEAN' };
}

/** `YYYY-MM-DD`, or the UTC date of an ISO 8601 date-time. */
function coerceDate(value: unknown): CoercedInput {
  // Only ISO forms: `new Date()` alone reads "1" or "March 5" as dates in 2001.
  if (typeof value !== 'string') return { ok: false, code: 'NOT_DATE' };
  const dateTime = DATE_TIME.exec(value);
  if (!DATE_ONLY.test(value) && !dateTime) return { ok: false, code: 'NOT_DATE' };
  const day = dateTime ? (dateTime[1] as string) : value;
  const midnight = new Date(`${day}T00:00:00Z`);
  // `Date` rolls "2023-02-29" over to March 1st instead of refusing it.
  if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day) {
    return { ok: false, code: 'NOT_CALENDAR_DATE' };
  }
  if (!dateTime) return { ok: true, value: day };
  // The time part can still be impossible ("T25:00Z").
  const instant = new Date(dateTime[2] ? value : `${value}Z`);
  if (Number.isNaN(instant.getTime())) return { ok: false, code: 'NOT_DATE' };
  return { ok: true, value: instant.toISOString().slice(0, 10) };
}
