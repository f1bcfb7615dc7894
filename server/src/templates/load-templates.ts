import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectorTemplateSchema } from '../../../shared/src/templates/template-schema';
import type { ConnectorTemplate } from '../../../shared/src/templates/template-schema';
import { describeZodIssues } from '../config/describe-zod-issue';
import { formatJsonPath } from '../config/located-issue';
import type { LocatedIssue } from '../config/located-issue';
import { listTemplateBlanks } from './apply-template';

/** Where the template library lives, relative to the working directory (the repository). */
export const TEMPLATES_DIR = 'templates';

export interface TemplateLibrary {
  templates: ConnectorTemplate[];
  /** Templates that did not load, each problem placed in its file; the rest still load. */
  issues: LocatedIssue[];
}

/**
 * Reads every `templates/*.json`. A broken template is reported and left out rather than
 * failing the library: one bad file must not hide the other fifteen from `connectors add`.
 *
 * @example
 * const { templates, issues } = loadTemplates();
 */
export function loadTemplates(dir: string = TEMPLATES_DIR): TemplateLibrary {
  const templates: ConnectorTemplate[] = [];
  const issues: LocatedIssue[] = [];
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      templates,
      issues: [
        {
          file: dir,
          path: '$',
          message: `the template folder cannot be read (${reason})`,
          hint: 'run the server and the CLI from the project folder, where templates/ is',
          severity: 'error',
        },
      ],
    };
  }
  for (const name of files) {
    const file = join(dir, name);
    const problem = (path: string, message: string, hint: string): void => {
      issues.push({ file, path, message, hint, severity: 'error' });
    };
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problem('$', `not valid JSON: ${(error as Error).message}`, 'fix the JSON syntax');
      continue;
    }
    const parsed = connectorTemplateSchema.safeParse(data);
    if (!parsed.success) {
      for (const issue of describeZodIssues(parsed.error.issues, connectorTemplateSchema, data)) {
        problem(formatJsonPath(issue.path), issue.message, issue.hint);
      }
      continue;
    }
    const template = parsed.data;
    if (`${template.id}.json` !== name) {
      problem(
        '$.id',
        `the id "${template.id}" differs from the file name`,
        `rename the file to ${template.id}.json`,
      );
      continue;
    }
    const declared = new Set(template.parameters.map((p) => p.name));
    const undeclared = listTemplateBlanks(template).filter((blank) => !declared.has(blank));
    if (undeclared.length > 0) {
      problem(
        '$.parameters',
        `{{template.${undeclared.join('}}, {{template.')}}} ${undeclared.length === 1 ? 'is' : 'are'} used but not declared`,
        'add a parameter for each blank, with its label and whether it is required',
      );
      continue;
    }
    templates.push(template);
  }
  return { templates, issues };
}
