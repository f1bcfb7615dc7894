import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { INPUT_TYPES, INPUT_VALUE_PROBLEMS, coerceInput, isBlankInputValue } from './coerce-input';
import { COERCE_INPUT_CASES, describeCase, rulesOf } from './coerce-input-test-cases';

describe('coerceInput: the shared cases', () => {
  it.each(COERCE_INPUT_CASES.map((entry) => [describeCase(entry), entry] as const))(
    '%s',
    (_title, entry) => {
      expect(coerceInput(rulesOf(entry), entry.raw)).toEqual(
        entry.error === undefined
          ? { ok: true, value: entry.value }
          : { ok: false, code: entry.error },
      );
    },
  );

  it('cover every type and every way a value can be refused', () => {
    expect(new Set(COERCE_INPUT_CASES.map((entry) => entry.type))).toEqual(new Set(INPUT_TYPES));
    expect(new Set(COERCE_INPUT_CASES.map((entry) => entry.error).filter(Boolean))).toEqual(
      new Set(INPUT_VALUE_PROBLEMS),
    );
  });
});

describe('coerceInput: email addresses', () => {
  // The server checked addresses with zod's z.email() before the rule moved here; it must still
  // accept and refuse exactly the same ones.
  const zodEmail = z.email();

  it('accepts and refuses the same addresses as zod', () => {
    const text = fc.oneof(
      fc.emailAddress(),
      fc.string({ maxLength: 30 }),
      fc.stringMatching(/^[a-z.'+_-]{0,6}@[a-z0-9_.-]{0,10}$/),
    );
    fc.assert(
      fc.property(text, (raw) => {
        fc.pre(!isBlankInputValue(raw));
        const ours = coerceInput({ type: 'email', trim: false }, raw);
        expect(ours.ok).toBe(zodEmail.safeParse(raw).success);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isBlankInputValue', () => {
  it.each([undefined, null, '', '  \n', []])('reads %j as blank', (value) => {
    expect(isBlankInputValue(value)).toBe(true);
  });

  it.each([0, false, 'x', [''], {}])('reads %j as a value', (value) => {
    expect(isBlankInputValue(value)).toBe(false);
  });
});
