import { coerceInput, isBlankInputValue } from '../../../shared/src/inputs/coerce-input';
import { memoizePerObject } from '../../../shared/src/memoize-per-object';
import type { InputValueProblem } from '../../../shared/src/inputs/coerce-input';
import type { CompiledConnector, CompiledInput } from '../compile/compiled-model';
import { describePatternMismatch } from '../../../shared/src/inputs/describe-input-problem';
import { humanizeName } from '../../../shared/src/humanize-name';
import type { Result } from '../../../shared/src/result';

/** Per compiled connector, which never changes: every run looks its inputs up by name. */
const inputsByName = memoizePerObject(
  (connector: CompiledConnector): ReadonlyMap<string, CompiledInput> =>
    new Map(connector.inputs.map((input) => [input.def.name, input])),
);

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

/** The inputs a run sends, and which of them the run log masks. */
export interface ResolvedInputs {
  values: Record<string, unknown>;
  redacted: Set<string>;
}

export type ResolveInputsResult = Result<ResolvedInputs, { problems: InputProblem[] }>;

export type CoerceResult = Result<unknown, { message: string }>;

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

/** The text after the input's label in an `INPUT_INVALID` problem. */
function describeProblem(input: CompiledInput, code: InputValueProblem): string {
  switch (code) {
    case 'NOT_TEXT':
      return 'must be text';
    case 'TOO_LONG':
      return `must be at most ${effectiveMaxLength(input.def)} characters`;
    case 'NOT_EMAIL':
      return 'must be an email address';
    case 'PATTERN_MISMATCH':
      // Words for the agent, never the regular expression (the admin has it in the config).
      return describePatternMismatch(input.def);
    case 'NOT_NUMBER':
      return 'must be a number';
    case 'NOT_WHOLE_NUMBER':
      return 'must be a whole number';
    case 'NOT_BOOLEAN':
      return 'must be true or false';
    case 'NOT_DATE':
      return 'must be a date (YYYY-MM-DD)';
    case 'NOT_CALENDAR_DATE':
      return 'must be a real calendar date';
  }
}

/**
 * Coerces a raw value (from a ticket field or a form) to an input's declared type, by the rules
 * in shared/src/inputs/coerce-input.ts, with the pattern checked in linear time (RE2).
 */
export function coerceInputValue(input: CompiledInput, raw: unknown): CoerceResult {
  const coerced = coerceInput(
    {
      type: input.def.type,
      trim: input.def.trim,
      maxLength: effectiveMaxLength(input.def),
      pattern: input.pattern ?? null,
    },
    raw,
  );
  return coerced.ok
    ? { ok: true, value: coerced.value }
    : { ok: false, error: { message: describeProblem(input, coerced.code) } };
}

/**
 * The value an input starts from before the agent edits it: the first of its sources with a
 * non-blank value, else its default. A source of the other helpdesk reads as undefined, so a
 * list such as `["ticket.custom_fields.1", "record.Order_Number__c"]` picks the one that applies.
 */
export function prefillInput(input: CompiledInput, read: SourceReader): unknown {
  for (const source of input.sources) {
    const value = read(source);
    if (!isBlankInputValue(value)) return value;
  }
  return input.def.default;
}

/** "a", "a or b", "a, b or c": the sources named in messages, in the order they are tried. */
function describeSources(sources: readonly string[]): string {
  return sources.length <= 1
    ? (sources[0] ?? '')
    : `${sources.slice(0, -1).join(', ')} or ${sources.at(-1) ?? ''}`;
}

/** Where an input is read from, in the agent's words: "the ticket", "the comment", … */
function describeEmptySources(sources: readonly string[]): string {
  const places = [...new Set(sources.map(placeOf))];
  if (places.length === 0) return '';
  return `, and ${places.join(' or ')} has none`;
}

function placeOf(source: string): string {
  if (source.startsWith('comment.')) return 'the comment';
  if (source.startsWith('record.')) return 'the record';
  if (source.startsWith('agent.')) return 'your user profile';
  return 'the ticket';
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
  const known = inputsByName(connector);
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
    const raw = !isBlankInputValue(override)
      ? override
      : isBlankInputValue(typed)
        ? prefillInput(input, read)
        : typed;
    if (isBlankInputValue(raw)) {
      if (required) {
        problems.push({
          input: name,
          code: 'INPUT_MISSING',
          message: `${label ?? humanizeName(name)} is required${describeEmptySources(input.sources)}`,
        });
      }
      continue;
    }
    const coerced = coerceInputValue(input, raw);
    if (!coerced.ok) {
      problems.push({
        input: name,
        code: 'INPUT_INVALID',
        message: `${label ?? humanizeName(name)} ${coerced.error.message}`,
      });
      continue;
    }
    values[name] = coerced.value;
  }
  return problems.length
    ? { ok: false, error: { problems } }
    : { ok: true, value: { values, redacted } };
}
