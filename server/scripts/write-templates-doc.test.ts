import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../src/templates/load-templates';
import { renderTemplatesDoc, TEMPLATES_DOC_PATH } from './write-templates-doc';

describe('docs/templates.md', () => {
  it('is what npm run templates:doc makes of the library (run it after changing a template)', () => {
    expect(readFileSync(TEMPLATES_DOC_PATH, 'utf8')).toBe(renderTemplatesDoc());
  });

  it('lists every template with each documentation page it cites', () => {
    const doc = readFileSync(TEMPLATES_DOC_PATH, 'utf8');
    for (const template of loadTemplates().templates) {
      expect(doc).toContain(`\`${template.id}\``);
      for (const source of template.docs) expect(doc).toContain(`(${source.url})`);
    }
  });
});
