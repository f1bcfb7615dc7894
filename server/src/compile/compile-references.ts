import { compile as compileJmesPath } from '@jmespath-community/jmespath';
import { pointAtJmesPathError } from './locate-jmespath-error';
import { SECRET_NAME_PATTERN } from '../secrets/secret-source';
import { parseTemplate, WORKFLOW_TEMPLATE_ROOTS } from './template';
import type { ParsedTemplate, TemplateRef, TemplateRoot } from './template';
import type { CompiledJson, ExpressionNode, Path } from './compiled-model';
import type { IssueCollector } from './config-issues';

/**
 * Templates and JMESPath expressions: parsed once, and each `{{…}}` reference checked against what
 * the place it is used in may read (inputs, outputs, secrets, error fields, workflow values).
 */

export interface RefRules {
  roots: readonly TemplateRoot[];
  where: string;
  inputs?: ReadonlySet<string>;
  variables?: ReadonlySet<string>;
  outputs?: ReadonlySet<string>;
  /**
   * Where a template's result leaves the server (write-backs, messages): references to values the
   * config marks `redact` are reported, since the run writes them as `[redacted]` there.
   */
  redacted?: { inputs: ReadonlySet<string>; outputs: ReadonlySet<string> };
  /**
   * Set for workflow and macro templates: they are parsed with the workflow roots, and their
   * `collected`, `steps` and `trigger` references are checked here (compile-workflows.ts).
   */
  workflow?: { checkRef(ref: TemplateRef, path: Path): void };
}

const ERROR_FIELDS = new Set(['code', 'message', 'status']);

export function compileTemplate(
  source: string,
  path: Path,
  rules: RefRules,
  issues: IssueCollector,
  secretsUsed?: Set<string>,
): ParsedTemplate {
  const parsed = parseTemplate(
    source,
    rules.workflow ? { roots: WORKFLOW_TEMPLATE_ROOTS } : undefined,
  );
  if (!parsed.ok) {
    issues.error(path, parsed.error.message, parsed.error.hint);
    return { source, parts: [{ kind: 'text', text: source }], singleRef: undefined };
  }
  for (const part of parsed.value.parts) {
    if (part.kind === 'ref') checkRef(part.ref, path, rules, issues, secretsUsed);
  }
  return parsed.value;
}

function checkRef(
  ref: TemplateRef,
  path: Path,
  rules: RefRules,
  issues: IssueCollector,
  secretsUsed?: Set<string>,
): void {
  if (!rules.roots.includes(ref.root)) {
    if (ref.root === 'secrets') {
      issues.error(
        path,
        `${ref.raw}: secrets are not allowed in ${rules.where}`,
        'secrets may only appear in a connection\'s "auth" or in "headers"; URLs, queries and bodies end up in logs and proxies',
      );
    } else {
      issues.error(
        path,
        `${ref.raw}: {{${ref.root}.…}} is not available in ${rules.where}`,
        `here you can use ${rules.roots.map((root) => `{{${root}.…}}`).join(', ')}`,
      );
    }
    return;
  }
  const known = (set: ReadonlySet<string> | undefined, kind: string, declaredIn: string) => {
    if (set && !set.has(ref.name)) {
      const names = [...set];
      issues.error(
        path,
        `${ref.raw} refers to an unknown ${kind} "${ref.name}"`,
        names.length
          ? `declare it in ${declaredIn}, or use one of: ${names.join(', ')}`
          : `declare it in ${declaredIn}`,
      );
    }
  };
  const redactedSet =
    ref.root === 'inputs'
      ? rules.redacted?.inputs
      : ref.root === 'outputs'
        ? rules.redacted?.outputs
        : undefined;
  if (redactedSet?.has(ref.name)) {
    issues.warning(
      path,
      `${ref.raw} is marked "redact", so ${rules.where} shows it as [redacted]: a redacted value never leaves the server`,
      `remove "redact" from ${ref.root === 'inputs' ? 'the input' : 'the output'} if ${rules.where} must show it, or leave it out of ${rules.where}`,
    );
  }
  switch (ref.root) {
    case 'inputs':
      known(rules.inputs, 'input', 'the connector\'s "inputs"');
      break;
    case 'connection':
      known(rules.variables, 'connection variable', 'the connection\'s "variables"');
      break;
    case 'outputs':
      known(rules.outputs, 'output', '"response.outputs"');
      break;
    case 'error':
      if (!ERROR_FIELDS.has(ref.name)) {
        issues.error(
          path,
          `${ref.raw} is not a known error field`,
          'use {{error.code}}, {{error.message}} or {{error.status}}',
        );
      }
      break;
    case 'collected':
    case 'steps':
    case 'trigger':
      rules.workflow?.checkRef(ref, path);
      break;
    case 'secrets':
      if (!SECRET_NAME_PATTERN.test(ref.name)) {
        issues.error(
          path,
          `${ref.raw}: secret names are uppercase`,
          'name secrets like {{secrets.SHOPIFY_TOKEN}} (set SECRET_SHOPIFY_TOKEN in the environment)',
        );
      } else {
        secretsUsed?.add(ref.name);
      }
      break;
  }
}

export function compileJson(
  value: unknown,
  path: Path,
  rules: RefRules,
  issues: IssueCollector,
): CompiledJson {
  if (typeof value === 'string') {
    return { kind: 'template', template: compileTemplate(value, path, rules, issues) };
  }
  if (Array.isArray(value)) {
    return {
      kind: 'array',
      items: value.map((item, index) => compileJson(item, [...path, index], rules, issues)),
    };
  }
  if (value !== null && typeof value === 'object') {
    return {
      kind: 'object',
      entries: Object.entries(value).map(([key, item]) => [
        key,
        compileJson(item, [...path, key], rules, issues),
      ]),
    };
  }
  return { kind: 'literal', value: value as null | number | boolean };
}

export function compileExpression(
  expression: string,
  path: Path,
  issues: IssueCollector,
): ExpressionNode | undefined {
  try {
    return compileJmesPath(expression);
  } catch (error) {
    issues.error(
      path,
      `invalid JMESPath expression ${JSON.stringify(expression)}: ${(error as Error).message}\n${pointAtJmesPathError(expression)}`,
      'a plain dotted path such as orders[0].name is valid JMESPath; quote keys with dashes as "my-key"',
    );
    return undefined;
  }
}
