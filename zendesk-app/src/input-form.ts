import * as z from 'zod/mini';
import type { ConnectorInputView, ConnectorView } from '../../shared/src/api/api-contracts';
import { customFieldPath } from './zaf-client';
import { STRINGS } from './strings';

/**
 * The inputs form: which inputs the agent may edit (`prompt` ones; the others are shown
 * read-only because the server reads them from the saved ticket and ignores the browser), what
 * they start from, and validation before sending.
 *
 * The validation mirrors the server's `coerceInputValue` (server/src/inputs/resolve-inputs.ts)
 * rule for rule, so an agent sees a problem next to the field instead of a 422 after a round
 * trip. The server checks again either way: nothing here is trusted.
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
  /** The text the field starts with. */
  value: string;
  /** True when the value came from the open ticket form rather than the saved ticket. */
  fromOpenTicket: boolean;
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

function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
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
      const fromOpenTicket = !isBlank(liveValue);
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
        value: displayValue(fromOpenTicket ? liveValue : input.value),
        fromOpenTicket,
      };
    });
}

/** The comment-reading inputs, shown as "the comment you picked" rather than as fields. */
export function commentInputs(connector: ConnectorView): ConnectorInputView[] {
  return connector.inputs.filter((input) => input.source?.startsWith('comment.') ?? false);
}

export type FieldCheck =
  { ok: true; value: string | number | boolean } | { ok: false; message: string };

const emailSchema = z.email();
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
// Plain decimals only, as on the server: Number() alone would take "0x10" or "  ".
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Longer values are left to the server, which checks patterns in linear time: the browser's
 * engine backtracks, and a long hostile value from the ticket could keep the agent's tab busy.
 * (The server sends only patterns without nested repetition, which bounds the rest.)
 */
const BROWSER_PATTERN_MAX_LENGTH = 200;

function compilePattern(pattern: string | null): RegExp | undefined {
  if (pattern === null) return undefined;
  try {
    return new RegExp(pattern, 'u');
  } catch {
    // The server compiled it already; a pattern this browser cannot compile is left to it.
    return undefined;
  }
}

/** Checks one non-blank value against its input's type, pattern and length, as the server does. */
export function checkFieldValue(field: FormField, raw: string): FieldCheck {
  const text = raw.trim();
  const pattern =
    text.length > BROWSER_PATTERN_MAX_LENGTH ? undefined : compilePattern(field.pattern);
  switch (field.type) {
    case 'number':
    case 'integer': {
      const number = DECIMAL.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(number)) return { ok: false, message: STRINGS.validation.number };
      if (field.type === 'integer' && !Number.isSafeInteger(number)) {
        return { ok: false, message: STRINGS.validation.integer };
      }
      if (pattern && !pattern.test(String(number))) {
        return { ok: false, message: STRINGS.validation.pattern(field.pattern ?? '') };
      }
      return { ok: true, value: number };
    }
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, message: STRINGS.validation.boolean };
    }
    case 'date': {
      const dateTime = DATE_TIME.exec(text);
      if (!DATE_ONLY.test(text) && !dateTime)
        return { ok: false, message: STRINGS.validation.date };
      const day = dateTime ? (dateTime[1] as string) : text;
      const midnight = new Date(`${day}T00:00:00Z`);
      if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day) {
        return { ok: false, message: STRINGS.validation.realDate };
      }
      return { ok: true, value: text };
    }
    default: {
      if (field.maxLength !== null && text.length > field.maxLength) {
        return { ok: false, message: STRINGS.validation.maxLength(field.maxLength) };
      }
      if (field.type === 'email' && !emailSchema.safeParse(text).success) {
        return { ok: false, message: STRINGS.validation.email };
      }
      if (pattern && !pattern.test(text)) {
        return { ok: false, message: STRINGS.validation.pattern(field.pattern ?? '') };
      }
      return { ok: true, value: text };
    }
  }
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
