/**
 * The logic behind the `dataConnectors` component, kept free of the DOM so it can be tested on
 * its own: which connectors to list, how inputs are shown, checked and sent, and how a run's
 * result reads. Shapes follow the server contract (`SALESFORCE_ENDPOINTS` in
 * `shared/src/api/endpoints.ts`).
 */

const LIGHTNING_INPUT_TYPES = {
  string: 'text',
  number: 'number',
  integer: 'number',
  boolean: 'checkbox',
  date: 'date',
  email: 'email',
};

/**
 * Reads the App Builder "connector filter" property: ids separated by commas or spaces.
 *
 * @example parseConnectorFilter('order_lookup, refund') // ['order_lookup', 'refund']
 * @param {string | undefined} text
 * @returns {string[]}
 */
export function parseConnectorFilter(text) {
  if (typeof text !== 'string') {
    return [];
  }
  return text
    .split(/[\s,;]+/)
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
}

/**
 * Keeps the connectors the admin allowed on this page (all when the filter is empty) whose id,
 * name or description contains the search term, in the server's order.
 *
 * @param {object[]} connectors ConnectorView[]
 * @param {{ allowedIds?: string[], searchTerm?: string }} options
 * @returns {object[]}
 */
export function filterConnectors(connectors, { allowedIds = [], searchTerm = '' } = {}) {
  const allowed = new Set(allowedIds);
  const term = searchTerm.trim().toLowerCase();
  return (connectors || []).filter((connector) => {
    if (allowed.size > 0 && !allowed.has(connector.id)) {
      return false;
    }
    if (!term) {
      return true;
    }
    return [connector.id, connector.name, connector.description].some(
      (text) => typeof text === 'string' && text.toLowerCase().includes(term),
    );
  });
}

/**
 * The values the form starts with: what the server resolved from the record's fields.
 *
 * @param {object} connector ConnectorView
 * @returns {Record<string, unknown>}
 */
export function readInitialValues(connector) {
  const values = {};
  for (const input of connector.inputs || []) {
    values[input.name] = input.value === undefined ? null : input.value;
  }
  return values;
}

/**
 * View models for `lightning-input`. Inputs the rep may not change (`prompt: false`) are shown
 * read-only so the rep still sees what the connector will send.
 *
 * @param {object} connector ConnectorView
 * @param {Record<string, unknown>} values current form values
 * @returns {object[]}
 */
export function buildInputFields(connector, values) {
  return (connector.inputs || []).map((input) => {
    const type = LIGHTNING_INPUT_TYPES[input.type] || 'text';
    const value = values[input.name];
    return {
      name: input.name,
      label: input.label || input.name,
      type,
      value: type === 'checkbox' || value === null || value === undefined ? '' : String(value),
      checked: type === 'checkbox' ? readBoolean(value) : false,
      required: input.prompt === true && input.required === true,
      readOnly: input.prompt !== true,
      maxLength: input.maxLength || undefined,
      step: input.type === 'number' ? 'any' : undefined,
      help: input.description || undefined,
    };
  });
}

/**
 * Checks the values the rep can edit, with the same rules the server applies, so that a typo is
 * caught before a callout is spent on it.
 *
 * @param {object[]} inputs ConnectorInputView[]
 * @param {Record<string, unknown>} values
 * @returns {{ name: string, label: string, message: string }[]} one entry per invalid input
 */
export function validateInputValues(inputs, values) {
  const problems = [];
  for (const input of inputs || []) {
    if (input.prompt !== true) {
      continue;
    }
    const message = checkValue(input, values[input.name]);
    if (message) {
      problems.push({ name: input.name, label: input.label || input.name, message });
    }
  }
  return problems;
}

function checkValue(input, value) {
  if (input.type === 'boolean') {
    // A checkbox: what it shows is what is sent.
    return '';
  }
  if (isBlankInputValue(value)) {
    return input.required ? 'Enter a value.' : '';
  }
  const result = coerceInput(rulesFor(input), value);
  return result.ok ? '' : describeProblem(result.code, input);
}

const PROBLEM_MESSAGES = {
  NOT_TEXT: 'Enter text.',
  NOT_EMAIL: 'Enter an email address.',
  PATTERN_MISMATCH: 'The value does not have the expected format.',
  NOT_NUMBER: 'Enter a number.',
  NOT_WHOLE_NUMBER: 'Enter a whole number.',
  NOT_BOOLEAN: 'Choose yes or no.',
  NOT_DATE: 'Enter a date (YYYY-MM-DD).',
  NOT_CALENDAR_DATE: 'Enter a real calendar date.',
};

function describeProblem(code, input) {
  if (code === 'TOO_LONG') {
    return `Use at most ${input.maxLength} characters.`;
  }
  return PROBLEM_MESSAGES[code] || 'The value is not valid.';
}

/**
 * The rules an input's value is held to, as the server sends them (`trim` is on unless the
 * input's config turns it off).
 */
function rulesFor(input) {
  return {
    type: Object.prototype.hasOwnProperty.call(LIGHTNING_INPUT_TYPES, input.type)
      ? input.type
      : 'string',
    trim: input.trim !== false,
    maxLength: input.maxLength,
    pattern: input.pattern,
  };
}

function readBoolean(value) {
  const result = coerceInput({ type: 'boolean' }, value);
  return result.ok && result.value === true;
}

// ---------------------------------------------------------------------------------------------
// A copy of shared/src/inputs/coerce-input.ts, the rules the server coerces and checks every
// input value with: this component cannot import TypeScript from outside force-app. The jest
// suite (__tests__/dataConnectorsUtils.test.js) runs it against shared/src/inputs/
// coerce-input-cases.json, the same cases the server's rules are tested with, so a rule changed
// there and not here fails `npm run test:lwc`. One difference: `pattern` is the pattern's text,
// compiled here.
// ---------------------------------------------------------------------------------------------

/** zod 4's `z.email()` pattern, as the server uses it. */
const EMAIL =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// An ISO 8601 date-time; without a zone it is read as UTC, so the user's time zone never matters.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
// Plain decimal notation only: Number() alone would also take "0x10", "0b11" and "  ".
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/**
 * Longer values are left to the server (which checks patterns in linear time): a browser's
 * engine backtracks, and a long hostile value from the record could keep it busy.
 */
const BROWSER_PATTERN_MAX_LENGTH = 200;

/**
 * Whether a value counts as absent (the server then uses the input's source or default).
 *
 * @param {unknown} value
 * @returns {boolean}
 */
export function isBlankInputValue(value) {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/**
 * Coerces a non-blank value to an input's declared type, as the server does.
 *
 * @example coerceInput({ type: 'integer' }, ' 42 ') // { ok: true, value: 42 }
 * @param {{ type: string, trim?: boolean, maxLength?: number | null, pattern?: string | null }} rules
 * @param {unknown} raw
 * @returns {{ ok: true, value: string | number | boolean } | { ok: false, code: string }}
 */
export function coerceInput(rules, raw) {
  let value = raw;
  if (Array.isArray(value)) {
    value = value.map(String).join(' ');
  }
  if (typeof value === 'string' && rules.trim !== false) {
    value = value.trim();
  }
  switch (rules.type) {
    case 'number':
    case 'integer':
      return coerceNumber(rules, value);
    case 'boolean':
      return coerceBoolean(value);
    case 'date':
      return coerceDate(value);
    default:
      return coerceText(rules, value);
  }
}

function coerceText(rules, value) {
  if (typeof value === 'object' || value === undefined) {
    return { ok: false, code: 'NOT_TEXT' };
  }
  const text = String(value);
  if (rules.maxLength !== null && rules.maxLength !== undefined && text.length > rules.maxLength) {
    return { ok: false, code: 'TOO_LONG' };
  }
  if (rules.type === 'email' && !EMAIL.test(text)) {
    return { ok: false, code: 'NOT_EMAIL' };
  }
  if (!matchesPattern(rules.pattern, text)) {
    return { ok: false, code: 'PATTERN_MISMATCH' };
  }
  return { ok: true, value: text };
}

function coerceNumber(rules, value) {
  let number = NaN;
  if (typeof value === 'number') {
    number = value;
  } else if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    number = Number(value);
  }
  if (!Number.isFinite(number)) {
    return { ok: false, code: 'NOT_NUMBER' };
  }
  if (rules.type === 'integer' && !Number.isSafeInteger(number)) {
    return { ok: false, code: 'NOT_WHOLE_NUMBER' };
  }
  if (!matchesPattern(rules.pattern, String(number))) {
    return { ok: false, code: 'PATTERN_MISMATCH' };
  }
  return { ok: true, value: number };
}

function coerceBoolean(value) {
  if (typeof value === 'boolean') {
    return { ok: true, value };
  }
  const word = String(value).toLowerCase();
  if (TRUE_WORDS.includes(word)) {
    return { ok: true, value: true };
  }
  if (FALSE_WORDS.includes(word)) {
    return { ok: true, value: false };
  }
  return { ok: false, code: 'NOT_BOOLEAN' };
}

function coerceDate(value) {
  if (typeof value !== 'string') {
    return { ok: false, code: 'NOT_DATE' };
  }
  const dateTime = DATE_TIME.exec(value);
  if (!DATE_ONLY.test(value) && !dateTime) {
    return { ok: false, code: 'NOT_DATE' };
  }
  const day = dateTime ? dateTime[1] : value;
  const midnight = new Date(`${day}T00:00:00Z`);
  // Date rolls "2023-02-29" over to March 1st instead of refusing it.
  if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day) {
    return { ok: false, code: 'NOT_CALENDAR_DATE' };
  }
  if (!dateTime) {
    return { ok: true, value: day };
  }
  const instant = new Date(dateTime[2] ? value : `${value}Z`);
  if (Number.isNaN(instant.getTime())) {
    return { ok: false, code: 'NOT_DATE' };
  }
  return { ok: true, value: instant.toISOString().slice(0, 10) };
}

function matchesPattern(pattern, text) {
  if (pattern === null || pattern === undefined || text.length > BROWSER_PATTERN_MAX_LENGTH) {
    return true;
  }
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch (error) {
    // A pattern JavaScript cannot compile is the server's to judge, not a reason to block the rep.
    return true;
  }
}

/**
 * The `inputs` object of the run request. Only inputs the rep may edit are sent: the server
 * resolves the others from the record itself and refuses values for them.
 *
 * @param {object[]} inputs ConnectorInputView[]
 * @param {Record<string, unknown>} values
 * @returns {Record<string, string | number | boolean | null>}
 */
export function buildRunInputs(inputs, values) {
  const body = {};
  for (const input of inputs || []) {
    if (input.prompt === true) {
      body[input.name] = valueToSend(input, values[input.name]);
    }
  }
  return body;
}

function valueToSend(input, value) {
  if (input.type === 'boolean') {
    return readBoolean(value);
  }
  if (isBlankInputValue(value)) {
    return null;
  }
  const result = coerceInput(rulesFor(input), value);
  // A refused value is sent as typed: the server then refuses it with its own message.
  return result.ok ? result.value : String(value);
}

/**
 * The toast for a run that reached the external system.
 *
 * @param {string} connectorName
 * @param {object} result RunResultView
 * @returns {{ title: string, message: string, variant: 'success' | 'info' | 'error' }}
 */
export function describeRunResult(connectorName, result) {
  const outcome = result && result.outcome;
  const message = (result && result.message) || '';
  if (outcome === 'success') {
    return { title: connectorName, message: message || 'Done.', variant: 'success' };
  }
  if (outcome === 'empty') {
    return { title: connectorName, message: message || 'Nothing was found.', variant: 'info' };
  }
  const detail = message || (result && result.error && result.error.message) || 'It failed.';
  return { title: `${connectorName} failed`, message: detail, variant: 'error' };
}

/**
 * Output rows to show. Values marked `redacted` arrive already masked by the server and are
 * shown exactly as sent.
 *
 * @param {object} result RunResultView
 * @returns {{ name: string, label: string, display: string, redacted: boolean }[]}
 */
export function buildOutputRows(result) {
  return ((result && result.outputs) || []).map((output) => ({
    name: output.name,
    label: output.label || output.name,
    display: formatValue(output.value),
    redacted: output.redacted === true,
  }));
}

/**
 * @param {unknown} value
 * @returns {string}
 */
export function formatValue(value) {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}

/**
 * One line on what happened to the record, or '' when the connector writes nothing.
 *
 * @param {object} result RunResultView
 * @returns {string}
 */
export function describeWrites(result) {
  const writes = result && result.writes;
  if (!writes) {
    return '';
  }
  const reason = writes.error && writes.error.message;
  const changes = readWriteChanges(writes.changes);
  const notEditable = changes.skipped.map(describeFieldName).join(', ');
  if (writes.status === 'written') {
    return changes.fields.length > 0
      ? `Saved to this record: ${changes.fields.map(describeFieldName).join(', ')}.${
          notEditable ? ` Not saved, because you cannot edit ${notEditable}.` : ''
        }`
      : 'Saved to this record.';
  }
  if (writes.status === 'failed') {
    return `Not saved to this record${reason ? `: ${reason}` : '.'}`;
  }
  if (writes.status === 'skipped') {
    if (reason) {
      return `Nothing was saved to this record: ${reason}`;
    }
    if (result.dryRun) {
      return 'Test run: nothing was saved to this record.';
    }
    return notEditable
      ? `Nothing was saved: you cannot edit ${notEditable}.`
      : 'Nothing was saved.';
  }
  return '';
}

/**
 * The server's record of a Salesforce write: `{ fields: { API name: value }, skipped?: [{ field,
 * reason }] }` (server/src/helpdesks/salesforce/salesforce-helpdesk.ts, describeChanges).
 */
function readWriteChanges(changes) {
  const isObject = (value) => !!value && typeof value === 'object' && !Array.isArray(value);
  if (!isObject(changes)) {
    return { fields: [], skipped: [] };
  }
  return {
    fields: isObject(changes.fields) ? Object.keys(changes.fields) : [],
    skipped: Array.isArray(changes.skipped)
      ? changes.skipped
          .filter((entry) => isObject(entry) && typeof entry.field === 'string')
          .map((entry) => entry.field)
      : [],
  };
}

/**
 * A field's API name in plain words, for reps who know the label, not the API name (the page
 * has no field labels without another Lightning Data Service call).
 *
 * @example describeFieldName('Payment_Status__c') // 'Payment Status'
 */
export function describeFieldName(apiName) {
  return String(apiName)
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

/**
 * Text for the confirmation step of connectors that change data elsewhere.
 *
 * @param {object} connector ConnectorView
 * @returns {string}
 */
export function describeConfirmation(connector) {
  return `"${connector.name}" sends a ${connector.method} request that can change data in another system. Run it?`;
}

/**
 * Text for the confirmation of a macro with a step that changes data elsewhere. One
 * confirmation covers every step, so it names the connectors the macro runs.
 *
 * @param {object} macro MacroView
 * @returns {string}
 */
export function describeMacroConfirmation(macro) {
  const names = ((macro && macro.connectors) || []).map((connector) => connector.name);
  const runs = names.length > 0 ? ` It runs ${names.join(', ')}.` : '';
  return `"${macro.name}" can change data in another system and on this record.${runs} Run it?`;
}

/**
 * The toast for a macro that ran (its failure path included).
 *
 * @param {string} macroName
 * @param {object} result MacroResultView
 * @returns {{ title: string, message: string, variant: 'success' | 'error' }}
 */
export function describeMacroResult(macroName, result) {
  const message = (result && result.message) || '';
  if (result && result.outcome === 'success') {
    return { title: macroName, message: message || 'Done.', variant: 'success' };
  }
  const detail = message || (result && result.error && result.error.message) || 'It failed.';
  return { title: `${macroName} failed`, message: detail, variant: 'error' };
}

const STEP_OUTCOME_ICONS = {
  success: 'utility:success',
  empty: 'utility:info',
  failed: 'utility:error',
};

/**
 * One row per step the macro ran, in order, for the result list.
 *
 * @param {object} result MacroResultView
 * @returns {{ key: string, stepId: string, outcome: string, message: string, icon: string }[]}
 */
export function buildMacroStepRows(result) {
  return ((result && result.steps) || []).map((step, index) => ({
    key: `${index}-${step.stepId}`,
    stepId: step.stepId,
    outcome: step.outcome,
    message: step.message || '',
    icon: STEP_OUTCOME_ICONS[step.outcome] || 'utility:info',
  }));
}

/**
 * Whether a step of the macro wrote to the record (a write step, or a connector's own
 * write-back), so the record page should reload its fields.
 *
 * @param {object} result MacroResultView
 * @returns {boolean}
 */
export function macroWroteToRecord(result) {
  return ((result && result.steps) || []).some((step) => {
    if (step.outcome === 'failed' || !step.writes) {
      return false;
    }
    return step.type === 'write' || step.writes.status === 'written';
  });
}

/**
 * A random version-4 UUID for an Idempotency-Key. `crypto.randomUUID` where the browser has it,
 * else built from `crypto.getRandomValues`.
 *
 * @returns {string}
 */
export function newIdempotencyKey() {
  const cryptoApi = globalThis.crypto;
  if (cryptoApi && typeof cryptoApi.randomUUID === 'function') {
    return cryptoApi.randomUUID();
  }
  const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One Idempotency-Key per click, kept until that click gets an answer: when Apex throws (a
 * timeout, the server unreachable, a refusal) and the rep clicks again with the same request,
 * the same key goes out, so a run that did happen is answered from the server's record instead
 * of running twice. A request that got its answer, or a different request (other inputs, now
 * confirmed), gets a new key.
 *
 * @example
 * const keys = createClickKeys();
 * const key = keys.keyFor(request); // …call Apex with key…; on an answer: keys.settle(request)
 */
export function createClickKeys() {
  const pending = new Map();
  const fingerprint = (request) => JSON.stringify(request);
  return {
    keyFor(request) {
      const id = fingerprint(request);
      if (!pending.has(id)) {
        pending.set(id, newIdempotencyKey());
      }
      return pending.get(id);
    },
    settle(request) {
      pending.delete(fingerprint(request));
    },
  };
}
