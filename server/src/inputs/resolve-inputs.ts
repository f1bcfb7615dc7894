import * as z from 'zod';
import type { CompiledConnector, CompiledInput } from '../compile/compiled-model';

/**
 * Resolves a connector's inputs from the run context (ticket, record, comment, agent) and from
 * values the agent typed. Everything here is untrusted: values are coerced to the declared type
 * and checked against the pattern before they get anywhere near a request.
 */

/** Reads a source path such as `ticket.requester.email`; undefined when the context has none. */
export type SourceReader = (source: string) => unknown;

export interface InputProblem {
  input: string;
  code: 'INPUT_MISSING' | 'INPUT_INVALID' | 'INPUT_NOT_EDITABLE' | 'INPUT_UNKNOWN';
  message: string;
}

export type ResolveInputsResult =
  | { ok: true; values: Record<string, unknown>; redacted: Set<string> }
  | { ok: false; problems: InputProblem[] };

export type CoerceResult = { ok: true; value: unknown } | { ok: false; message: string };

const emailSchema = z.email();
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** An ISO 8601 date-time; without a zone it is read as UTC, so the server's time zone never matters. */
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
 * What an agent may type when the config sets no `maxLength`: enough for any order number, search
 * or summary, and small enough that one agent cannot push megabytes into a request and the log.
 */
export const DEFAULT_PROMPT_MAX_LENGTH = 1000;
/** The ceiling for every text input, from the ticket or typed (the config's own limit). */
export const MAX_INPUT_LENGTH = 100_000;

/** The length limit an input's text values are held to. */
export function effectiveMaxLength(def: CompiledInput['def']): number {
  return def.maxLength ?? (def.prompt ? DEFAULT_PROMPT_MAX_LENGTH : MAX_INPUT_LENGTH);
}

function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** Coerces a raw value (from a ticket field or a form) to an input's declared type. */
export function coerceInputValue(input: CompiledInput, raw: unknown): CoerceResult {
  const def = input.def;
  let value: unknown = raw;
  if (Array.isArray(value)) value = value.map(String).join(' ');
  if (typeof value === 'string' && def.trim) value = value.trim();
  switch (def.type) {
    case 'string':
    case 'email': {
      if (typeof value === 'object') return { ok: false, message: 'must be text' };
      const text = String(value);
      const maxLength = effectiveMaxLength(def);
      if (text.length > maxLength) {
        return { ok: false, message: `must be at most ${maxLength} characters` };
      }
      if (def.type === 'email' && !emailSchema.safeParse(text).success) {
        return { ok: false, message: 'must be an email address' };
      }
      if (input.pattern && !input.pattern.test(text)) {
        return { ok: false, message: `must match ${def.pattern}` };
      }
      return { ok: true, value: text };
    }
    case 'number':
    case 'integer': {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && DECIMAL.test(value.trim())
            ? Number(value)
            : NaN;
      if (!Number.isFinite(number)) return { ok: false, message: 'must be a number' };
      if (def.type === 'integer' && !Number.isSafeInteger(number)) {
        return { ok: false, message: 'must be a whole number' };
      }
      if (input.pattern && !input.pattern.test(String(number))) {
        return { ok: false, message: `must match ${def.pattern}` };
      }
      return { ok: true, value: number };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const word = String(value).toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    }
    case 'date': {
      // Only ISO forms: `new Date()` alone reads "1" or "March 5" as dates in 2001.
      const dateTime = typeof value === 'string' ? DATE_TIME.exec(value) : null;
      if (typeof value !== 'string' || (!DATE_ONLY.test(value) && !dateTime)) {
        return { ok: false, message: 'must be a date (YYYY-MM-DD)' };
      }
      const day = dateTime ? (dateTime[1] as string) : value;
      const midnight = new Date(`${day}T00:00:00Z`);
      if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day) {
        return { ok: false, message: 'must be a real calendar date' };
      }
      if (!dateTime) return { ok: true, value: day };
      const date = new Date(dateTime[2] ? value : `${value}Z`);
      if (Number.isNaN(date.getTime()))
        return { ok: false, message: 'must be a date (YYYY-MM-DD)' };
      return { ok: true, value: date.toISOString().slice(0, 10) };
    }
  }
}

/**
 * The value an input starts from before the agent edits it: the first of its sources with a
 * non-blank value, else its default. A source of the other helpdesk reads as undefined, so a
 * list such as `["ticket.custom_fields.1", "record.Order_Number__c"]` picks the one that applies.
 */
export function prefillInput(input: CompiledInput, read: SourceReader): unknown {
  for (const source of input.sources) {
    const value = read(source);
    if (!isBlank(value)) return value;
  }
  return input.def.default;
}

/** "a", "a or b", "a, b or c": the sources named in messages, in the order they are tried. */
function describeSources(sources: readonly string[]): string {
  return sources.length <= 1
    ? (sources[0] ?? '')
    : `${sources.slice(0, -1).join(', ')} or ${sources.at(-1) ?? ''}`;
}

function describeEmptySources(sources: readonly string[]): string {
  if (sources.length === 0) return '';
  return sources.length === 1
    ? ` (read from ${describeSources(sources)}, which is empty)`
    : ` (read from ${describeSources(sources)}, none of which has a value)`;
}

/**
 * @param provided values the agent typed, keyed by input name. Only `prompt` inputs may be set
 *   this way: the others come from the ticket as the server loaded it, never from the browser.
 * @param overrides values a workflow or macro step supplies (rendered from its own config), for
 *   any input. They come from the server's config, never from a request body, so they may
 *   replace a source; they are still coerced and checked like every other value.
 */
export function resolveInputs(
  connector: CompiledConnector,
  read: SourceReader,
  provided: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>> = {},
): ResolveInputsResult {
  const problems: InputProblem[] = [];
  const values: Record<string, unknown> = {};
  const redacted = new Set<string>();
  const known = new Map(connector.inputs.map((input) => [input.def.name, input]));
  for (const name of Object.keys(provided)) {
    const input = known.get(name);
    if (!input) {
      problems.push({
        input: name,
        code: 'INPUT_UNKNOWN',
        message: `connector has no input "${name}"`,
      });
    } else if (!input.def.prompt) {
      problems.push({
        input: name,
        code: 'INPUT_NOT_EDITABLE',
        message: `input "${name}" comes from ${input.sources.length ? describeSources(input.sources) : 'its default'} and cannot be set by the caller`,
      });
    }
  }
  for (const name of Object.keys(overrides)) {
    if (!known.has(name)) {
      problems.push({
        input: name,
        code: 'INPUT_UNKNOWN',
        message: `connector has no input "${name}"`,
      });
    }
  }
  for (const input of connector.inputs) {
    const { name, label, prompt, required } = input.def;
    if (input.def.redact) redacted.add(name);
    const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
    const typed = prompt && Object.hasOwn(provided, name) ? provided[name] : undefined;
    const raw = !isBlank(override) ? override : isBlank(typed) ? prefillInput(input, read) : typed;
    if (isBlank(raw)) {
      if (required) {
        problems.push({
          input: name,
          code: 'INPUT_MISSING',
          message: `${label ?? name} is required${describeEmptySources(input.sources)}`,
        });
      }
      continue;
    }
    const coerced = coerceInputValue(input, raw);
    if (!coerced.ok) {
      problems.push({
        input: name,
        code: 'INPUT_INVALID',
        message: `${label ?? name} ${coerced.message}`,
      });
      continue;
    }
    values[name] = coerced.value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, values, redacted };
}
