import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledInput } from '../../server/src/compile/compiled-model';
import { coerceInputValue } from '../../server/src/inputs/resolve-inputs';
import { COERCE_INPUT_CASES, describeCase } from '../../shared/src/inputs/coerce-input-test-cases';
import {
  buildFormFields,
  checkFieldValue,
  livePathsFor,
  validateForm,
  zafChangeEventForSource,
  zafPathForSource,
} from './input-form';
import type { FormField } from './input-form';
import {
  JIRA_CREATE,
  JIRA_FROM_COMMENT,
  ORDER_LOOKUP,
  buildConnector,
  buildInput,
} from './test-fixtures';

const ORDER_PATH = 'ticket.customField:custom_field_360001000001';

function field(overrides: Partial<FormField> = {}): FormField {
  return {
    name: 'value',
    label: 'Value',
    description: '',
    type: 'string',
    required: true,
    editable: true,
    source: null,
    pattern: null,
    maxLength: null,
    trim: true,
    value: '',
    fromOpenTicket: false,
    hint: null,
    example: null,
    ...overrides,
  };
}

describe('prefilling the form', () => {
  it('prefers the unsaved value in the open ticket form over the saved one', () => {
    const [order] = buildFormFields(ORDER_LOOKUP, { [ORDER_PATH]: '#2002' });
    expect(order).toMatchObject({ value: '#2002', fromOpenTicket: true, editable: true });
  });

  it('does not call a value unsaved when the open form holds what is saved', () => {
    const [order] = buildFormFields(ORDER_LOOKUP, { [ORDER_PATH]: '#1001' });
    expect(order).toMatchObject({ value: '#1001', fromOpenTicket: false });
  });

  it('falls back to the server’s value when the open form has none', () => {
    const [order] = buildFormFields(ORDER_LOOKUP, { [ORDER_PATH]: '' });
    expect(order).toMatchObject({ value: '#1001', fromOpenTicket: false });
  });

  it('shows inputs the agent cannot edit read-only, with the server’s value', () => {
    const fields = buildFormFields(JIRA_CREATE, { 'ticket.subject': 'Typed but unsaved' });
    expect(fields.map((f) => [f.name, f.editable, f.value])).toEqual([
      ['summary', true, 'Typed but unsaved'],
      ['ticket_id', false, '4'],
    ]);
  });

  it('never turns a live value into a read-only input’s value: the server reads those itself', () => {
    const connector = buildConnector({
      inputs: [buildInput({ prompt: false, value: '#1001' })],
    });
    expect(buildFormFields(connector, { [ORDER_PATH]: '#9999' })[0]?.value).toBe('#1001');
  });

  it('leaves comment inputs out of the form: the picked comment fills them', () => {
    expect(buildFormFields(JIRA_FROM_COMMENT)).toEqual([]);
  });

  it('reads live values only for editable inputs, each path once', () => {
    expect(livePathsFor(ORDER_LOOKUP)).toEqual([ORDER_PATH]);
    expect(livePathsFor(JIRA_CREATE)).toEqual(['ticket.subject']);
    expect(livePathsFor(JIRA_FROM_COMMENT)).toEqual([]);
  });

  it('maps sources to ZAF paths and change events', () => {
    expect(zafPathForSource('ticket.custom_fields.42')).toBe('ticket.customField:custom_field_42');
    expect(zafPathForSource('ticket.requester.email')).toBe('ticket.requester.email');
    expect(zafPathForSource('ticket.external_id')).toBe('ticket.externalId');
    expect(zafPathForSource('agent.email')).toBeUndefined();
    expect(zafPathForSource(null)).toBeUndefined();
    expect(zafChangeEventForSource('ticket.custom_fields.42')).toBe(
      'ticket.custom_field_42.changed',
    );
    expect(zafChangeEventForSource('ticket.subject')).toBe('ticket.subject.changed');
    expect(zafChangeEventForSource('ticket.tags')).toBeUndefined();
  });

  it('shows arrays as the server joins them', () => {
    const connector = buildConnector({
      inputs: [buildInput({ source: 'ticket.tags', pattern: null, value: ['vip', 'order'] })],
    });
    expect(buildFormFields(connector)[0]?.value).toBe('vip order');
  });
});

describe('validating before sending', () => {
  const [order] = buildFormFields(ORDER_LOOKUP) as [FormField];

  it('sends the typed values of editable inputs only', () => {
    const fields = buildFormFields(JIRA_CREATE);
    expect(validateForm(fields, { summary: '  Wish lists  ', ticket_id: '999' })).toEqual({
      ok: true,
      inputs: { summary: 'Wish lists' },
    });
  });

  it('names a required input left blank', () => {
    expect(validateForm([order], { order_number: '   ' })).toEqual({
      ok: false,
      errors: [{ name: 'order_number', label: 'Order number', message: 'is required' }],
    });
  });

  it('leaves a blank optional input out, so the server uses its own prefill', () => {
    expect(validateForm([{ ...order, required: false }], { order_number: '' })).toEqual({
      ok: true,
      inputs: {},
    });
  });

  it('rejects a value that does not match the pattern, in words and not as a regex', () => {
    const result = validateForm([order], { order_number: 'abc' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]?.message).toBe('is not in the expected format');
    const withExample = { ...order, example: '#1001', hint: 'with or without #' };
    expect(checkFieldValue(withExample, 'abc')).toEqual({
      ok: false,
      message: 'should look like “#1001”',
    });
    expect(checkFieldValue({ ...order, hint: 'with or without #' }, 'abc')).toEqual({
      ok: false,
      message: 'is not in the expected form: with or without #',
    });
  });

  it('uses the form’s starting value when the agent did not touch the field', () => {
    expect(validateForm([order], {})).toEqual({ ok: true, inputs: { order_number: '#1001' } });
  });

  it('checks maxLength, email, integer, boolean and calendar dates', () => {
    expect(checkFieldValue(field({ maxLength: 3 }), 'abcd')).toEqual({
      ok: false,
      message: 'must be at most 3 characters',
    });
    expect(checkFieldValue(field({ type: 'email' }), 'a@b')).toMatchObject({ ok: false });
    expect(checkFieldValue(field({ type: 'email' }), 'a@example.com')).toMatchObject({ ok: true });
    expect(checkFieldValue(field({ type: 'integer' }), '1.5')).toMatchObject({ ok: false });
    expect(checkFieldValue(field({ type: 'integer' }), ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(checkFieldValue(field({ type: 'number' }), '0x10')).toMatchObject({ ok: false });
    expect(checkFieldValue(field({ type: 'boolean' }), 'Yes')).toEqual({ ok: true, value: true });
    expect(checkFieldValue(field({ type: 'date' }), '2026-02-30')).toMatchObject({ ok: false });
    expect(checkFieldValue(field({ type: 'date' }), '2026-02-28')).toMatchObject({ ok: true });
  });

  it('keeps the spaces around a value when the input turns trim off, as the server does', () => {
    expect(checkFieldValue(field(), '  a b  ')).toEqual({ ok: true, value: 'a b' });
    expect(checkFieldValue(field({ trim: false }), '  a b  ')).toEqual({
      ok: true,
      value: '  a b  ',
    });
  });
});

describe('the shared input cases', () => {
  // The agent types text, and the sidebar always trims it (the view carries no `trim`): the
  // cases of that kind must come out exactly as on the server.
  const typedCases = COERCE_INPUT_CASES.filter(
    (entry) => typeof entry.raw === 'string' && entry.trim !== false,
  );

  it.each(typedCases.map((entry) => [describeCase(entry), entry] as const))(
    '%s',
    (_title, entry) => {
      const check = checkFieldValue(
        field({
          type: entry.type,
          pattern: entry.pattern ?? null,
          maxLength: entry.maxLength ?? null,
        }),
        entry.raw as string,
      );
      expect(check.ok ? { value: check.value } : { error: true }).toEqual(
        entry.error === undefined ? { value: entry.value } : { error: true },
      );
    },
  );
});

describe('the same rules as the server', () => {
  // The sidebar must never accept what the server refuses, nor refuse what it accepts.
  const cases: { type: string; pattern: string | null; maxLength: number | null }[] = [
    { type: 'string', pattern: '^#?[0-9]{1,12}$', maxLength: null },
    { type: 'string', pattern: null, maxLength: 5 },
    { type: 'email', pattern: null, maxLength: null },
    { type: 'integer', pattern: null, maxLength: null },
    { type: 'number', pattern: '^[0-9]+$', maxLength: null },
    { type: 'boolean', pattern: null, maxLength: null },
    { type: 'date', pattern: null, maxLength: null },
  ];
  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.stringMatching(/^#?[0-9]{1,14}$/),
    fc.stringMatching(/^[+-]?[0-9]{0,4}(\.[0-9]{0,3})?(e[+-]?[0-9])?$/),
    fc.constantFrom('yes', 'No', 'on', 'true ', '2026-02-28', '2026-13-01', '2026-02-28T10:00Z'),
    fc.emailAddress(),
  );

  for (const spec of cases) {
    it(`agrees with coerceInputValue on ${spec.type}${spec.pattern ? ` matching ${spec.pattern}` : ''}${spec.maxLength ? ` up to ${spec.maxLength}` : ''}`, () => {
      const compiled = {
        def: {
          name: 'value',
          type: spec.type,
          required: true,
          prompt: true,
          trim: true,
          redact: false,
          ...(spec.pattern ? { pattern: spec.pattern } : {}),
          ...(spec.maxLength ? { maxLength: spec.maxLength } : {}),
        },
        pattern: spec.pattern ? new RegExp(spec.pattern, 'u') : undefined,
      } as unknown as CompiledInput;
      fc.assert(
        fc.property(text, (raw) => {
          fc.pre(raw.trim() !== '');
          const server = coerceInputValue(compiled, raw);
          const app = checkFieldValue(field(spec), raw);
          expect(app.ok).toBe(server.ok);
        }),
        { numRuns: 300 },
      );
    });
  }
});
