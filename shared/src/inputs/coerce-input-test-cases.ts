import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { INPUT_TYPES, INPUT_VALUE_PROBLEMS } from './coerce-input';
import type { InputRules } from './coerce-input';

/**
 * Test support: `coerce-input-cases.json`, read and checked, for the suites that hold an
 * implementation of the input rules to it (shared, server, sidebar; the Salesforce component
 * reads the same file from its jest suite). A malformed case fails loudly here rather than
 * passing by testing nothing.
 */

const caseSchema = z
  .strictObject({
    type: z.enum(INPUT_TYPES),
    trim: z.boolean().optional(),
    maxLength: z.number().int().positive().optional(),
    pattern: z.string().optional(),
    raw: z.unknown(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    error: z.enum(INPUT_VALUE_PROBLEMS).optional(),
    why: z.string().optional(),
  })
  .refine((entry) => (entry.value === undefined) !== (entry.error === undefined), {
    message: 'a case has either a value or an error',
  });

export type CoerceInputCase = z.infer<typeof caseSchema>;

const casesFileSchema = z.strictObject({
  $comment: z.string(),
  cases: z.array(caseSchema).min(1),
});

export const COERCE_INPUT_CASES: readonly CoerceInputCase[] = casesFileSchema.parse(
  JSON.parse(readFileSync(new URL('./coerce-input-cases.json', import.meta.url), 'utf8')),
).cases;

/** The case's rules, its pattern compiled as a browser would (the server uses RE2). */
export function rulesOf(entry: CoerceInputCase): InputRules {
  return {
    type: entry.type,
    ...(entry.trim === undefined ? {} : { trim: entry.trim }),
    maxLength: entry.maxLength ?? null,
    pattern: entry.pattern === undefined ? null : new RegExp(entry.pattern, 'u'),
  };
}

/** A test title: `integer "12.5" (maxLength 3) → NOT_WHOLE_NUMBER`. */
export function describeCase(entry: CoerceInputCase): string {
  const rules = [
    entry.trim === false ? 'no trim' : '',
    entry.maxLength === undefined ? '' : `maxLength ${entry.maxLength}`,
    entry.pattern === undefined ? '' : `pattern ${entry.pattern}`,
  ].filter(Boolean);
  const outcome = entry.error ?? JSON.stringify(entry.value);
  return `${entry.type} ${JSON.stringify(entry.raw)}${rules.length ? ` (${rules.join(', ')})` : ''} → ${outcome}`;
}
