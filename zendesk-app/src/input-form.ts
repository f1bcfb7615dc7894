import type { ConnectorInputView, ConnectorView } from '../../shared/src/api/answer-schemas';
import { INPUT_TYPES, coerceInput, isBlankInputValue } from '../../shared/src/inputs/coerce-input';
import type {
  InputType,
  InputValueProblem,
  PatternTester,
} from '../../shared/src/inputs/coerce-input';
import { customFieldPath } from './zaf-client';
import { STRINGS } from './strings';
import { describePatternMismatch } from '../../shared/src/inputs/describe-input-problem';

/**
 * The inputs form: which inputs the agent may edit (`prompt` ones; the others are shown
 * read-only because the server reads them from the saved ticket and ignores the browser), what
 * they start from, and validation before sending.
 *
 * The validation is the server's own (shared/src/inputs/coerce-input.ts), so an agent sees a
 * problem next to the field instead of a 422 after a round trip. The server checks again either
 * way: nothing here is trusted.
 */

export interface FormField {
  name: string;
  label: string;
  description: string;
  type: string;
  required: boolean;
  editable: boolean;
  source: string | null;
  pattern: string | null;
  maxLength: number | null;
  /** Drop spaces around the typed value (the input's `trim`, on unless the config turns it off). */
  trim: boolean;
  /** The text the field starts with. */
  value: string;
  /** True when the value came from the open ticket form rather than the saved ticket. */
  fromOpenTicket: boolean;
  /** The admin's words for a valid value, and an example ("e.g. #1001"). */
  hint: string | null;
  example: string | null;
}

/** Sources ZAF can read from the open ticket form, by their connector-config name. */
const ZAF_TICKET_PATHS: Record<string, string> = {
  'ticket.id': 'ticket.id',
  'ticket.subject': 'ticket.subject',
  'ticket.description': 'ticket.description',
  'ticket.status': 'ticket.status',
  'ticket.priority': 'ticket.priority',
  'ticket.type': 'ticket.type',
  'ticket.tags': 'ticket.tags',
  'ticket.external_id': 'ticket.externalId',
  'ticket.requester.id': 'ticket.requester.id',
  'ticket.requester.email': 'ticket.requester.email',
  'ticket.requester.name': 'ticket.requester.name',
  'ticket.organization.id': 'ticket.organization.id',
  'ticket.organization.name': 'ticket.organization.name',
};

const CUSTOM_FIELD_SOURCE = /^ticket\.custom_fields\.([0-9]{1,20})$/;

/** The ZAF `get` path for an input source, when the open ticket form has it. */
export function zafPathForSource(source: string | null): string | undefined {
  if (!source) return undefined;
  const custom = CUSTOM_FIELD_SOURCE.exec(source);
  if (custom) return customFieldPath(custom[1] as string);
  return ZAF_TICKET_PATHS[source];
}

/** The ZAF event that fires when the agent edits the source in the ticket form. */
export function zafChangeEventForSource(source: string | null): string | undefined {
  if (!source) return undefined;
  const custom = CUSTOM_FIELD_SOURCE.exec(source);
  if (custom) return `ticket.custom_field_${custom[1]}.changed`;
  if (source === 'ticket.subject') return 'ticket.subject.changed';
  return undefined;
}

/** Paths worth reading live: only the editable inputs, because only those are sent. */
export function livePathsFor(connector: ConnectorView): string[] {
  const paths = connector.inputs
    .filter((input) => input.prompt)
    .map((input) => zafPathForSource(input.source))
    .filter((path): path is string => path !== undefined);
  return [...new Set(paths)];
}

/** How a value shows in a text field; arrays join with spaces as the server joins them. */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * @param live values read from the open ticket form, keyed by ZAF path. For editable inputs a
 *   non-blank live value wins over the server's (saved) value: the agent may have just typed it.
 */
export function buildFormFields(
  connector: ConnectorView,
  live: Readonly<Record<string, unknown>> = {},
): FormField[] {
  return connector.inputs
    .filter((input) => !input.source?.startsWith('comment.'))
    .map((input) => {
      const path = input.prompt ? zafPathForSource(input.source) : undefined;
      const liveValue = path === undefined ? undefined : live[path];
      // "Not saved yet" only when the open form really differs from the saved ticket.
      const fromOpenTicket =
        !isBlankInputValue(liveValue) && displayValue(liveValue) !== displayValue(input.value);
      return {
        name: input.name,
        label: input.label,
        description: input.description,
        type: input.type,
        required: input.required,
        editable: input.prompt,
        source: input.source,
        pattern: input.pattern,
        maxLength: input.maxLength,
        trim: input.trim,
        value: displayValue(fromOpenTicket ? liveValue : input.value),
        fromOpenTicket,
        hint: input.hint ?? null,
        example: input.example ?? null,
      };
    });
}

/** The comment-reading inputs, shown as "the comment you picked" rather than as fields. */
export function commentInputs(connector: ConnectorView): ConnectorInputView[] {
  return connector.inputs.filter((input) => input.source?.startsWith('comment.') ?? false);
}

export type FieldCheck =
  { ok: true; value: string | number | boolean } | { ok: false; message: string };

/**
 * Longer values are left to the server, which checks patterns in linear time: the browser's
 * engine backtracks, and a long hostile value from the ticket could keep the agent's tab busy.
 * (The server sends only patterns without nested repetition, which bounds the rest.)
 */
const BROWSER_PATTERN_MAX_LENGTH = 200;

function compilePattern(pattern: string | null): PatternTester | null {
  if (pattern === null) return null;
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, 'u');
  } catch {
    // The server compiled it already; a pattern this browser cannot compile is left to it.
    return null;
  }
  return { test: (text) => text.length > BROWSER_PATTERN_MAX_LENGTH || compiled.test(text) };
}

/** A type this sidebar does not know yet (a newer server) is checked as text; the server decides. */
function readInputType(type: string): InputType {
  return (INPUT_TYPES as readonly string[]).includes(type) ? (type as InputType) : 'string';
}

function describeProblem(field: FormField, code: InputValueProblem): string {
  switch (code) {
    case 'NOT_TEXT':
      return STRINGS.validation.text;
    case 'TOO_LONG':
      return STRINGS.validation.maxLength(field.maxLength ?? 0);
    case 'NOT_EMAIL':
      return STRINGS.validation.email;
    case 'PATTERN_MISMATCH':
      return describePatternMismatch(field);
    case 'NOT_NUMBER':
      return STRINGS.validation.number;
    case 'NOT_WHOLE_NUMBER':
      return STRINGS.validation.integer;
    case 'NOT_BOOLEAN':
      return STRINGS.validation.boolean;
    case 'NOT_DATE':
      return STRINGS.validation.date;
    case 'NOT_CALENDAR_DATE':
      return STRINGS.validation.realDate;
  }
}

/**
 * Checks one non-blank value against its input's type, pattern and length, by the server's rules
 * (shared/src/inputs/coerce-input.ts), and returns the value to send: a number, a boolean, a date
 * as `YYYY-MM-DD`, or the text (trimmed unless the input's `trim` is off, as the server does).
 */
export function checkFieldValue(field: FormField, raw: string): FieldCheck {
  const coerced = coerceInput(
    {
      type: readInputType(field.type),
      trim: field.trim,
      maxLength: field.maxLength,
      pattern: compilePattern(field.pattern),
    },
    raw,
  );
  return coerced.ok ? coerced : { ok: false, message: describeProblem(field, coerced.code) };
}

export interface FieldError {
  name: string;
  label: string;
  message: string;
}

export type FormCheck =
  | { ok: true; inputs: Record<string, string | number | boolean> }
  | { ok: false; errors: FieldError[] };

/**
 * Validates the editable fields and returns what to send. A blank optional field is left out,
 * so the server falls back to its own prefill exactly as it would without the app.
 */
export function validateForm(
  fields: readonly FormField[],
  values: Readonly<Record<string, string>>,
): FormCheck {
  const inputs: Record<string, string | number | boolean> = {};
  const errors: FieldError[] = [];
  for (const field of fields) {
    if (!field.editable) continue;
    const raw = values[field.name] ?? field.value;
    if (raw.trim() === '') {
      if (field.required) {
        errors.push({ name: field.name, label: field.label, message: STRINGS.validation.required });
      }
      continue;
    }
    const check = checkFieldValue(field, raw);
    if (check.ok) inputs[field.name] = check.value;
    else errors.push({ name: field.name, label: field.label, message: check.message });
  }
  return errors.length ? { ok: false, errors } : { ok: true, inputs };
}
