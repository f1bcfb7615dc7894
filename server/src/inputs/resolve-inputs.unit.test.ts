import { describe, expect, it } from 'vitest';
import {
  COERCE_INPUT_CASES,
  describeCase,
} from '../../../shared/src/inputs/coerce-input-test-cases';
import type { CompiledConnector } from '../compile/compiled-model';
import { compileTestConnector } from '../test-support/test-config';
import { prefillInput, resolveInputs } from './resolve-inputs';
import type { ResolveInputsResult } from './resolve-inputs';

function connectorWithInputs(inputs: Record<string, unknown>[]): CompiledConnector {
  return compileTestConnector({ connector: { inputs } });
}

const readFrom =
  (context: Record<string, unknown>) =>
  (source: string): unknown =>
    context[source];

/** Resolves one input named "v" of the given definition from a ticket field holding `raw`. */
function resolveOne(def: Record<string, unknown>, raw: unknown): ResolveInputsResult {
  const connector = connectorWithInputs([{ name: 'v', source: 'ticket.custom_fields.1', ...def }]);
  return resolveInputs(connector, readFrom({ 'ticket.custom_fields.1': raw }), {});
}

function valueOf(def: Record<string, unknown>, raw: unknown): unknown {
  const result = resolveOne(def, raw);
  if (!result.ok)
    throw new Error(
      `expected ${JSON.stringify(raw)} to resolve: ${result.error.problems[0]?.message}`,
    );
  return result.value.values.v;
}

function problemOf(
  def: Record<string, unknown>,
  raw: unknown,
): { code: string; message: string } | undefined {
  const result = resolveOne(def, raw);
  return result.ok
    ? undefined
    : {
        code: result.error.problems[0]?.code ?? '',
        message: result.error.problems[0]?.message ?? '',
      };
}

describe('resolveInputs: the shared input cases', () => {
  // The rules are shared/src/inputs/coerce-input.ts; this holds the server's use of them (RE2
  // patterns, the config's trim and maxLength, its messages) to the same cases as the apps.
  const MESSAGES: Record<string, string> = {
    NOT_TEXT: 'V must be text',
    TOO_LONG: 'V must be at most',
    NOT_EMAIL: 'V must be an email address',
    PATTERN_MISMATCH: 'V is not in the expected format',
    NOT_NUMBER: 'V must be a number',
    NOT_WHOLE_NUMBER: 'V must be a whole number',
    NOT_BOOLEAN: 'V must be true or false',
    NOT_DATE: 'V must be a date (YYYY-MM-DD)',
    NOT_CALENDAR_DATE: 'V must be a real calendar date',
  };

  it.each(COERCE_INPUT_CASES.map((entry) => [describeCase(entry), entry] as const))(
    '%s',
    (_title, entry) => {
      const def = {
        type: entry.type,
        ...(entry.trim === undefined ? {} : { trim: entry.trim }),
        ...(entry.maxLength === undefined ? {} : { maxLength: entry.maxLength }),
        ...(entry.pattern === undefined ? {} : { pattern: entry.pattern }),
      };
      if (entry.error === undefined) {
        expect(valueOf(def, entry.raw)).toEqual(entry.value);
      } else {
        const problem = problemOf(def, entry.raw);
        expect(problem?.code).toBe('INPUT_INVALID');
        expect(problem?.message.startsWith(MESSAGES[entry.error] ?? '?')).toBe(true);
      }
    },
  );
});

describe('resolveInputs: length limits', () => {
  it('holds a typed (prompt) value to 1000 characters unless the config says otherwise', () => {
    expect(problemOf({ prompt: true }, 'x'.repeat(1001))).toEqual({
      code: 'INPUT_INVALID',
      message: 'V must be at most 1000 characters',
    });
    expect(valueOf({ prompt: true }, 'x'.repeat(1000))).toHaveLength(1000);
    expect(valueOf({ prompt: true, maxLength: 5000 }, 'x'.repeat(5000))).toHaveLength(5000);
  });

  it('holds a value read from the ticket to 100000 characters', () => {
    expect(valueOf({}, 'x'.repeat(100_000))).toHaveLength(100_000);
    expect(problemOf({}, 'x'.repeat(100_001))?.message).toContain('at most 100000 characters');
  });
});

describe('resolveInputs: patterns run in linear time', () => {
  it('answers a hostile value against a pattern that hangs a backtracking engine', () => {
    expect(problemOf({ pattern: '^(a+)+$' }, `${'a'.repeat(50_000)}!`)?.code).toBe('INPUT_INVALID');
    expect(valueOf({ pattern: '^(a+)+$' }, 'aaa')).toBe('aaa');
  });
});

describe('resolveInputs: strings', () => {
  it('trims by default and keeps spaces when trim is off', () => {
    expect(valueOf({}, '  #1001 ')).toBe('#1001');
    expect(valueOf({ trim: false }, '  #1001 ')).toBe('  #1001 ');
  });

  it('joins a list (ticket tags) with spaces', () => {
    expect(valueOf({}, ['vip', 'order'])).toBe('vip order');
  });

  it('refuses objects, overlong values and values that do not match the pattern', () => {
    expect(problemOf({}, { a: 1 })).toEqual({ code: 'INPUT_INVALID', message: 'V must be text' });
    expect(problemOf({ maxLength: 3 }, 'abcd')).toEqual({
      code: 'INPUT_INVALID',
      message: 'V must be at most 3 characters',
    });
    expect(problemOf({ label: 'Order number', pattern: '^#?[0-9]{1,12}$' }, '1001; DROP')).toEqual({
      code: 'INPUT_INVALID',
      message: 'Order number is not in the expected format',
    });
    expect(valueOf({ pattern: '^#?[0-9]{1,12}$' }, '#1001')).toBe('#1001');
  });

  it('turns numbers from the ticket into text', () => {
    expect(valueOf({}, 1001)).toBe('1001');
  });
});

describe('resolveInputs: numbers', () => {
  it.each([
    ['12.5', 12.5],
    [' 42 ', 42],
    ['-3', -3],
    ['1e3', 1000],
    [7, 7],
  ])('reads %j as %j', (raw, expected) => {
    expect(valueOf({ type: 'number' }, raw)).toBe(expected);
  });

  it.each(['abc', '0x10', '0b11', '12abc', '1,000', 'Infinity', '--1'])('refuses %j', (raw) => {
    expect(problemOf({ type: 'number' }, raw)).toEqual({
      code: 'INPUT_INVALID',
      message: 'V must be a number',
    });
  });

  it('accepts only safe whole numbers for integers', () => {
    expect(valueOf({ type: 'integer' }, '1001')).toBe(1001);
    expect(problemOf({ type: 'integer' }, '12.5')?.message).toBe('V must be a whole number');
    expect(problemOf({ type: 'integer' }, '9007199254740993')?.message).toBe(
      'V must be a whole number',
    );
  });
});

describe('resolveInputs: booleans, dates and emails', () => {
  it.each([
    ['yes', true],
    ['ON', true],
    ['1', true],
    [true, true],
    ['no', false],
    ['False', false],
    [0, false],
  ])('reads %j as %j', (raw, expected) => {
    expect(valueOf({ type: 'boolean' }, raw)).toBe(expected);
  });

  it('refuses a word that is neither true nor false', () => {
    expect(problemOf({ type: 'boolean' }, 'maybe')?.message).toBe('V must be true or false');
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2024-01-01T23:30:00Z', '2024-01-01'],
    ['2024-01-01T23:30:00-05:00', '2024-01-02'],
    ['2024-01-01T23:30:00.000+0000', '2024-01-01'],
    ['2024-01-01T23:30', '2024-01-01'],
  ])('reads the date %j as %j', (raw, expected) => {
    expect(valueOf({ type: 'date' }, raw)).toBe(expected);
  });

  it.each(['2023-02-29', '2024-04-31', '2024-13-01', '2024-01-01T25:00Z'])(
    'refuses %j, which is no calendar date',
    (raw) => {
      expect(problemOf({ type: 'date' }, raw)?.code).toBe('INPUT_INVALID');
    },
  );

  it.each(['1', 'March 5', '01/02/2024', 'tomorrow', '2024-1-5'])(
    'refuses the loose date %j',
    (raw) => {
      expect(problemOf({ type: 'date' }, raw)).toEqual({
        code: 'INPUT_INVALID',
        message: 'V must be a date (YYYY-MM-DD)',
      });
    },
  );

  it('checks email addresses', () => {
    expect(valueOf({ type: 'email' }, ' ana@example.com ')).toBe('ana@example.com');
    expect(problemOf({ type: 'email' }, 'ana@')).toEqual({
      code: 'INPUT_INVALID',
      message: 'V must be an email address',
    });
  });
});

describe('resolveInputs: required values and defaults', () => {
  it('reports a required value whose source is empty, naming the source', () => {
    expect(problemOf({ label: 'Order number' }, '   ')).toEqual({
      code: 'INPUT_MISSING',
      message: 'Order number is required, and the ticket has none',
    });
  });

  it('leaves an optional empty value out', () => {
    const result = resolveOne({ required: false }, '');
    expect(result).toEqual({ ok: true, value: { values: {}, redacted: new Set() } });
  });

  it('falls back to the default when the source is empty', () => {
    expect(valueOf({ type: 'integer', default: 5 }, undefined)).toBe(5);
    expect(valueOf({ default: 'fallback' }, [])).toBe('fallback');
  });

  it('lists redacted inputs', () => {
    const result = resolveOne({ redact: true }, 'secret-ish');
    expect(result.ok && [...result.value.redacted]).toEqual(['v']);
  });

  it('reports every problem at once', () => {
    const connector = connectorWithInputs([
      { name: 'a', source: 'ticket.subject' },
      { name: 'b', type: 'integer', source: 'ticket.id' },
    ]);
    const result = resolveInputs(connector, readFrom({ 'ticket.id': 'x' }), { c: 1 });
    expect(
      result.ok ? [] : result.error.problems.map((problem) => [problem.input, problem.code]),
    ).toEqual([
      ['c', 'INPUT_UNKNOWN'],
      ['a', 'INPUT_MISSING'],
      ['b', 'INPUT_INVALID'],
    ]);
  });
});

describe('resolveInputs: a list of sources', () => {
  const connector = connectorWithInputs([
    {
      name: 'order',
      label: 'Order number',
      source: ['ticket.custom_fields.1', 'record.Order_Number__c', 'ticket.subject'],
    },
  ]);
  const resolve = (context: Record<string, unknown>) =>
    resolveInputs(connector, readFrom(context), {});

  it('uses the first source with a non-blank value', () => {
    expect(
      resolve({ 'ticket.custom_fields.1': '#1001', 'record.Order_Number__c': '#2002' }),
    ).toMatchObject({ ok: true, value: { values: { order: '#1001' } } });
    expect(
      resolve({ 'ticket.custom_fields.1': '  ', 'record.Order_Number__c': '#2002' }),
    ).toMatchObject({ ok: true, value: { values: { order: '#2002' } } });
    expect(resolve({ 'ticket.subject': 'Order #3003' })).toMatchObject({
      ok: true,
      value: { values: { order: 'Order #3003' } },
    });
  });

  it('names every source it tried when none has a value', () => {
    expect(resolve({ 'ticket.custom_fields.1': null })).toEqual({
      ok: false,
      error: {
        problems: [
          {
            input: 'order',
            code: 'INPUT_MISSING',
            message: 'Order number is required, and the ticket or the record has none',
          },
        ],
      },
    });
  });

  it('pre-fills from the first non-blank source, else the default', () => {
    const [input] = connectorWithInputs([
      { name: 'v', source: ['record.A__c', 'record.B__c'], default: 'none' },
    ]).inputs;
    if (!input) throw new Error('no input');
    expect(prefillInput(input, readFrom({ 'record.A__c': [], 'record.B__c': 'b' }))).toBe('b');
    expect(prefillInput(input, readFrom({}))).toBe('none');
  });

  it('names the sources when the caller tries to set the input', () => {
    const result = resolveInputs(connector, readFrom({ 'ticket.subject': 'x' }), { order: '1' });
    expect(result.ok ? '' : result.error.problems[0]?.message).toBe(
      'input "order" comes from ticket.custom_fields.1, record.Order_Number__c or ticket.subject and cannot be set by the caller',
    );
  });
});

describe('resolveInputs: values the agent types', () => {
  const connector = connectorWithInputs([
    { name: 'order', source: 'ticket.custom_fields.1', prompt: true },
    { name: 'email', type: 'email', source: 'ticket.requester.email' },
  ]);
  const context = readFrom({
    'ticket.custom_fields.1': '#1001',
    'ticket.requester.email': 'ana@example.com',
  });

  it('lets a prompt input be typed over its source', () => {
    expect(resolveInputs(connector, context, { order: '#2002' })).toMatchObject({
      ok: true,
      value: { values: { order: '#2002', email: 'ana@example.com' } },
    });
  });

  it('pre-fills a prompt input from its source when the agent leaves it blank', () => {
    expect(resolveInputs(connector, context, { order: ' ' })).toMatchObject({
      ok: true,
      value: { values: { order: '#1001' } },
    });
  });

  it('refuses a value for an input that comes from the ticket', () => {
    const result = resolveInputs(connector, context, { email: 'attacker@example.com' });
    expect(result).toEqual({
      ok: false,
      error: {
        problems: [
          {
            input: 'email',
            code: 'INPUT_NOT_EDITABLE',
            message:
              'input "email" comes from ticket.requester.email and cannot be set by the caller',
          },
        ],
      },
    });
  });

  it('refuses an input the connector does not have', () => {
    const provided = JSON.parse('{"__proto__": "x", "extra": 1}') as Record<string, unknown>;
    const result = resolveInputs(connector, context, provided);
    expect(
      result.ok ? [] : result.error.problems.map((problem) => [problem.input, problem.code]),
    ).toEqual([
      ['__proto__', 'INPUT_UNKNOWN'],
      ['extra', 'INPUT_UNKNOWN'],
    ]);
  });

  it('checks typed values like any other', () => {
    const typed = connectorWithInputs([{ name: 'n', type: 'integer', prompt: true }]);
    expect(resolveInputs(typed, readFrom({}), { n: '12' })).toMatchObject({
      ok: true,
      value: { values: { n: 12 } },
    });
    expect(resolveInputs(typed, readFrom({}), { n: 'twelve' })).toMatchObject({
      ok: false,
      error: { problems: [{ input: 'n', code: 'INPUT_INVALID' }] },
    });
  });
});

describe('resolveInputs: words for agents', () => {
  const withInput = (input: Record<string, unknown>) =>
    compileTestConnector({
      connector: {
        inputs: [{ name: 'order_number', type: 'string', prompt: true, ...input }],
      },
    });
  const problemFor = (connector: CompiledConnector, value: string) => {
    const result = resolveInputs(connector, () => undefined, { order_number: value });
    return result.ok ? undefined : result.error.problems[0]?.message;
  };

  it('names an input without a label in words, and never shows its pattern', () => {
    const connector = withInput({ pattern: '^#?[0-9]{1,12}$' });
    expect(problemFor(connector, 'abc')).toBe('Order number is not in the expected format');
  });

  it('uses the admin’s example, else the hint, for a value of the wrong form', () => {
    expect(
      problemFor(withInput({ pattern: '^#?[0-9]{1,12}$', example: '#1001', hint: 'digits' }), 'x'),
    ).toBe('Order number should look like “#1001”');
    expect(
      problemFor(
        withInput({ pattern: '^#?[0-9]{1,12}$', hint: 'the order number, with or without #' }),
        'x',
      ),
    ).toBe('Order number is not in the expected form: the order number, with or without #');
  });
});
