import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_CONFIG_FORMAT as format } from '../helpdesks/helpdesk-registry';

const { connectorConfigSchema } = format.schemas;
import { createSecretSource } from '../secrets/secret-source';
import { compileConfig } from './compile-config';

/**
 * Property tests: whatever an admin writes, validation answers with issues that point at a place
 * in the file; it never throws.
 */

const NUM_RUNS = 300;
const example: unknown = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../config/connectors.json', import.meta.url)), 'utf8'),
);
const secrets = createSecretSource({ SHOPIFY_TOKEN: 'shop-token-1234', JIRA_EMAIL: 'a@b.c' });

type JsonPath = (string | number)[];

function pathsOf(value: unknown, at: JsonPath = []): JsonPath[] {
  const children = Array.isArray(value)
    ? value.map((item, index) => pathsOf(item, [...at, index]))
    : value !== null && typeof value === 'object'
      ? Object.entries(value).map(([key, item]) => pathsOf(item, [...at, key]))
      : [];
  return [at, ...children.flat()];
}

/** Replaces the value at `path`; a path an earlier mutation removed is left alone. */
function replaceAt(root: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return copy;
    node = (node as Record<string | number, unknown>)[key];
  }
  if (node === null || typeof node !== 'object') return copy;
  (node as Record<string | number, unknown>)[path.at(-1) as string | number] = replacement;
  return copy;
}

/** Strings an admin plausibly writes wrong: broken templates, secrets in odd places, bad JMESPath. */
const suspiciousString = fc.constantFrom(
  '{{inputs.order_number}}',
  '{{inputs.nope}}',
  '{{secrets.SHOPIFY_TOKEN}}',
  '{{secrets.MISSING}}',
  '{{secrets.lower}}',
  '{{outputs.issue_key}}',
  '{{outputs.nope}}',
  '{{error.message}}',
  '{{error.stack}}',
  '{{connection.project_key}}',
  '{{ticket.id}}',
  '{{',
  '{{inputs.}}',
  '}}',
  'orders[0',
  'length(@)',
  "join(' ', [a, b])",
  '',
  '/',
  '/x?y',
  'open',
  'Open',
  'urgent',
  'GET',
  'POST',
  'json',
  'form',
  'text',
  'https://127.0.0.1',
  'http://example.com/a?b',
  'ftp://x',
  '*.example.com',
  'ticket.subject',
  'ticket.custom_fields.1',
  'record.Name',
  'shopify_demo',
  'jira_demo',
  'unknown_conn',
  '^[0-9+$',
);
const replacement = fc.oneof(
  { weight: 3, arbitrary: suspiciousString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

const examplePaths = pathsOf(example);
const stringPaths = examplePaths.filter(
  (path) =>
    typeof path.reduce<unknown>(
      (node, key) => (node as Record<string | number, unknown>)[key],
      example,
    ) === 'string',
);
// Mostly string-for-string swaps, which pass the schema and exercise the compile step.
const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...stringPaths), suspiciousString) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...examplePaths), replacement) },
);
const mutatedExample = fc
  .array(mutation, { minLength: 1, maxLength: 4 })
  .map((mutations) =>
    mutations.reduce((config, [path, value]) => replaceAt(config, path, value), example),
  );

function expectIssuesWithPaths(raw: unknown): void {
  const parsed = connectorConfigSchema.safeParse(raw);
  if (!parsed.success) {
    expect(parsed.error.issues.length).toBeGreaterThan(0);
    for (const issue of parsed.error.issues) expect(Array.isArray(issue.path)).toBe(true);
    return;
  }
  const result = compileConfig(parsed.data, { format, secrets });
  const issues = result.ok ? result.value.warnings : result.error.issues;
  if (!result.ok) expect(issues.some((issue) => issue.severity === 'error')).toBe(true);
  for (const issue of issues) {
    expect(issue.path.length).toBeGreaterThan(0);
    expect(['connections', 'connectors', 'workflows', 'macros']).toContain(issue.path[0]);
    expect(issue.message).not.toBe('');
  }
}

describe('config validation with arbitrary input', () => {
  it('answers arbitrary JSON with issues, never an exception', () => {
    fc.assert(fc.property(fc.jsonValue(), expectIssuesWithPaths), { numRuns: NUM_RUNS });
  });

  it('answers a mutated example config with issues that name a place, never an exception', () => {
    fc.assert(fc.property(mutatedExample, expectIssuesWithPaths), { numRuns: NUM_RUNS });
  });
});
