import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyTemplate } from '../../server/src/templates/apply-template';
import { loadTemplates } from '../../server/src/templates/load-templates';
import { compileTestConfig } from '../../server/src/test-support/test-config';
import type { TemplateParameter } from '../../shared/src/templates/template-schema';

/** The library as a whole: every template loads, compiles as added, and has its fixture test. */

const { templates, issues } = loadTemplates();

/** A value of the right shape for each blank: its example, else one per kind. */
function sampleValue(parameter: TemplateParameter): string | undefined {
  if (parameter.example !== undefined) return parameter.example;
  if (parameter.default !== undefined) return undefined;
  switch (parameter.kind) {
    case 'zendeskTicketField':
      return '360001000002';
    case 'salesforceField':
      return 'Description';
    case 'url':
      return 'https://api.example.com';
    default:
      return parameter.required ? 'example' : undefined;
  }
}

describe('the template library', () => {
  it('loads every template without an issue, at least 15 of them', () => {
    expect(issues).toEqual([]);
    expect(templates.length).toBeGreaterThanOrEqual(15);
  });

  it.each(templates.map((template) => [template.id, template] as const))(
    '%s compiles as added, cites its sources, and has a fixture test',
    (id, template) => {
      const values = Object.fromEntries(
        template.parameters.map((parameter) => [parameter.name, sampleValue(parameter)]),
      );
      const applied = applyTemplate(template, { values });
      expect(applied.ok ? undefined : applied.error).toBeUndefined();
      if (!applied.ok) return;
      const secrets = Object.fromEntries(applied.value.secrets.map((s) => [s.name, 'secret']));
      const compiled = compileTestConfig(
        {
          connections: { [applied.value.connectionId]: applied.value.connection },
          connectors: [applied.value.connector],
        },
        secrets,
      );
      expect(compiled.ok ? [] : compiled.error.issues).toEqual([]);
      if (compiled.ok) expect(compiled.value.warnings).toEqual([]);
      const method = String(
        (applied.value.connector.request as { method?: string }).method ?? 'GET',
      );
      // A read sent as POST (a GraphQL query, a search endpoint) says so with "confirm": false,
      // as docs/connectors.md (Confirmation) describes; nothing it does needs a guard.
      const readOnly = applied.value.connector.confirm === false;
      if (!['GET', 'HEAD'].includes(method) && !readOnly) {
        // A template that changes something says how it avoids doing it twice.
        expect(template.sideEffects?.guard).toBeTruthy();
      }
      expect(existsSync(`test/templates/${id.replaceAll('_', '-')}.template.test.ts`)).toBe(true);
    },
  );
});
