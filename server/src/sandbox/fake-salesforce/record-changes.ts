import type { StoredRecord } from '../seed/salesforce-seed';
import { salesforceErrors } from './salesforce-replies';
import type { SalesforceReply } from './salesforce-replies';
import { findFieldDef } from './sobject-schemas';
import type { FakeFieldDef, FakeObjectDef } from './sobject-schemas';

/**
 * Applies a PATCH to a record the way the sObject Rows resource does: every key must name a
 * field of the object, be writable, and hold a value of the field's type; then the org's
 * validation rules run on the record as it would be saved. Any failure leaves the record as it
 * was (a PATCH is all or nothing).
 */

export interface FakeValidationRule {
  object: string;
  /** The field the error is shown on (`fields` in the error); omit for a record-level error. */
  field?: string;
  message: string;
  /** True when the record, with the update applied, breaks the rule. */
  rejects(record: Readonly<Record<string, unknown>>): boolean;
}

/** The sandbox org's one validation rule, there so the rejection path can be tried. */
export const DEFAULT_VALIDATION_RULES: readonly FakeValidationRule[] = [
  {
    object: 'Case',
    field: 'Tracking_Number__c',
    message: 'value too long',
    rejects: (record) =>
      typeof record.Tracking_Number__c === 'string' && record.Tracking_Number__c.length > 30,
  },
];

const ID_PATTERN = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEXT_TYPES = new Set(['string', 'textarea', 'picklist', 'email', 'reference', 'id']);

/** Salesforce's timestamp format: ISO 8601 with milliseconds and a +0000 offset. */
export function formatSalesforceTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  if (value !== null && typeof value === 'object') return 'START_OBJECT';
  if (typeof value === 'string') return 'VALUE_STRING';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  return typeof value === 'boolean' ? `VALUE_${String(value).toUpperCase()}` : 'VALUE_NULL';
}

function parserError(javaType: string, value: unknown): SalesforceReply {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return salesforceErrors.jsonParser(
    `Cannot deserialize instance of ${javaType} from ${jsonTypeOf(value)} value ${shown} or request may be missing a required field`,
  );
}

/** Converts one JSON value to what the field stores, or the error Salesforce would give. */
function coerceValue(
  def: FakeFieldDef,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; reply: SalesforceReply } {
  if (value === null) {
    // A checkbox cannot be empty; Salesforce stores null as false.
    if (def.type === 'boolean') return { ok: true, value: false };
    if (!def.nillable) return { ok: false, reply: salesforceErrors.requiredFieldMissing(def.name) };
    return { ok: true, value: null };
  }
  if (def.type === 'boolean') {
    return typeof value === 'boolean'
      ? { ok: true, value }
      : { ok: false, reply: parserError('boolean', value) };
  }
  if (def.type === 'double') {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof number === 'number' && Number.isFinite(number)
      ? { ok: true, value: number }
      : { ok: false, reply: parserError('double', value) };
  }
  if (TEXT_TYPES.has(def.type)) {
    if (typeof value === 'object') return { ok: false, reply: parserError('string', value) };
    const text = String(value);
    if (text.length > def.length) {
      return { ok: false, reply: salesforceErrors.stringTooLong(def, text) };
    }
    if (def.type === 'reference' && !ID_PATTERN.test(text)) {
      return { ok: false, reply: salesforceErrors.malformedId(def, text) };
    }
    if (def.type === 'email' && text !== '' && !EMAIL_PATTERN.test(text)) {
      return { ok: false, reply: salesforceErrors.invalidEmail(def, text) };
    }
    return { ok: true, value: text };
  }
  return { ok: false, reply: parserError(def.type, value) };
}

export type ApplyUpdateResult =
  { ok: true; record: StoredRecord } | { ok: false; reply: SalesforceReply };

export function applyRecordUpdate(
  objectDef: FakeObjectDef,
  record: StoredRecord,
  body: unknown,
  rules: readonly FakeValidationRule[],
  now: Date,
): ApplyUpdateResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, reply: parserError('SObject', body) };
  }
  const entries = Object.entries(body as Record<string, unknown>).filter(
    ([key]) => key !== 'attributes',
  );
  const defs: [FakeFieldDef, unknown][] = [];
  for (const [key, value] of entries) {
    const def = findFieldDef(objectDef, key);
    if (!def) {
      return { ok: false, reply: salesforceErrors.unknownUpdateField(key, objectDef.name) };
    }
    defs.push([def, value]);
  }
  const readOnly = defs.filter(([def]) => !def.updateable).map(([def]) => def.name);
  if (readOnly.length > 0) return { ok: false, reply: salesforceErrors.notUpdateable(readOnly) };
  const changes: Record<string, unknown> = {};
  for (const [def, value] of defs) {
    const coerced = coerceValue(def, value);
    if (!coerced.ok) return coerced;
    changes[def.name] = coerced.value;
  }
  const candidate = { ...record, ...changes };
  const broken = rules.filter((rule) => rule.object === objectDef.name && rule.rejects(candidate));
  if (broken.length > 0) {
    return {
      ok: false,
      reply: salesforceErrors.customValidation(
        broken.map((rule) => ({
          message: rule.message,
          ...(rule.field ? { field: rule.field } : {}),
        })),
      ),
    };
  }
  const stamp = formatSalesforceTime(now);
  return {
    ok: true,
    record: { ...candidate, LastModifiedDate: stamp, SystemModstamp: stamp } as StoredRecord,
  };
}
