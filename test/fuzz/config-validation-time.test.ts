import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileConfig } from '../../server/src/compile/compile-config';
import { loadConfigSource } from '../../server/src/config/load-config';
import { BUILT_IN_CONFIG_FORMAT as format } from '../../server/src/helpdesks/helpdesk-registry';
import { createSecretSource } from '../../server/src/secrets/secret-source';

/**
 * The config path the server takes on every save (read the file → locate JSON syntax errors →
 * schema → compile) must answer any text with issues, never throw, and never hang: a watcher
 * that hangs on a half-written file would freeze reloads. Each load is time-bounded.
 */
const LOAD_BUDGET_MS = 500;
const dir = mkdtempSync(join(tmpdir(), 'dc-fuzz-config-'));
const file = join(dir, 'connectors.json');
const example = readFileSync('config/connectors.json', 'utf8');
const secrets = createSecretSource(
  JSON.parse(readFileSync('config/sandbox.secrets.json', 'utf8')) as Record<string, string>,
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadTimed(text: string) {
  writeFileSync(file, text);
  const started = performance.now();
  const result = await loadConfigSource(file, {
    schema: format.schemas.connectorConfigSchema,
    compile: (config) => compileConfig(config, { format, secrets }),
  });
  return { result, ms: performance.now() - started };
}

function expectBoundedIssues({ result, ms }: Awaited<ReturnType<typeof loadTimed>>): void {
  expect(ms).toBeLessThan(LOAD_BUDGET_MS);
  if (result.ok) return;
  expect(result.error.issues.length).toBeGreaterThan(0);
  for (const issue of result.error.issues) {
    expect(issue.path.startsWith('$')).toBe(true);
    expect(issue.message).not.toBe('');
  }
}

/** Text an editor can leave behind: prefixes, doubled brackets, long runs of one character. */
const pathologicalText = fc.oneof(
  fc.nat({ max: example.length }).map((end) => example.slice(0, end)),
  fc.nat({ max: 20_000 }).map((depth) => '['.repeat(depth)),
  fc.nat({ max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.nat({ max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc
    .tuple(fc.constantFrom('"', '\\', '{{', '}}', ',', ' ', '\n', '/*'), fc.nat({ max: 50_000 }))
    .map(([piece, times]) => piece.repeat(times)),
  fc.string({ maxLength: 2_000 }),
);

/** A valid file whose templates, JMESPath and patterns are long or deeply nested. */
const heavyValues = fc
  .tuple(
    fc.constantFrom('{{', '}}', '{{inputs.order_number}}', '((', '[', 'a|', '\\', '$', '.*'),
    fc.integer({ min: 100, max: 5_000 }),
    fc.constantFrom('name', 'path', 'pattern', 'message'),
  )
  .map(([piece, times, field]) => {
    const config = JSON.parse(example) as {
      connectors: {
        request: { path: string };
        response: { outputs: { path: string }[] };
        inputs: { pattern?: string }[];
        messages?: { success?: string };
      }[];
    };
    const connector = config.connectors[0];
    const value = piece.repeat(times);
    if (connector && field === 'path') connector.request.path = `/${value}`;
    if (connector?.response.outputs[0] && field === 'name')
      connector.response.outputs[0].path = value;
    if (connector?.inputs[0] && field === 'pattern') connector.inputs[0].pattern = value;
    if (connector && field === 'message') connector.messages = { success: value };
    return JSON.stringify(config);
  });

describe('config validation is time-bounded', () => {
  it(`answers truncated, deeply nested and repetitive text within ${LOAD_BUDGET_MS} ms, with issues`, async () => {
    await fc.assert(
      fc.asyncProperty(pathologicalText, async (text) =>
        expectBoundedIssues(await loadTimed(text)),
      ),
      { numRuns: 60 },
    );
  });

  it(`answers long or nested templates, JMESPath and patterns within ${LOAD_BUDGET_MS} ms`, async () => {
    await fc.assert(
      fc.asyncProperty(heavyValues, async (text) => expectBoundedIssues(await loadTimed(text))),
      { numRuns: 40 },
    );
  });
});
