import type { Result } from '../../../shared/src/result';
/**
 * `{{root.path}}` templates. No code runs: a template is literal text and references, parsed once
 * when the config is compiled. Values are encoded by the caller for the place they land (see
 * render-request.ts); this module only parses and substitutes.
 */

export const TEMPLATE_ROOTS = ['inputs', 'connection', 'outputs', 'secrets', 'error'] as const;
/**
 * Roots that only workflow and macro templates may use: values collected from the ticket, the
 * results of earlier steps (`{{steps.<stepId>.outputs.<name>}}`) and the trigger's body.
 * Connector templates never see them, so a connector means the same thing wherever it runs.
 */
export const WORKFLOW_TEMPLATE_ROOTS = ['collected', 'steps', 'trigger', 'error'] as const;
export type TemplateRoot =
  (typeof TEMPLATE_ROOTS)[number] | (typeof WORKFLOW_TEMPLATE_ROOTS)[number];

export interface ParseTemplateOptions {
  /** Roots the template may name; connector roots when omitted. */
  roots?: readonly TemplateRoot[];
}

export interface TemplateRef {
  root: TemplateRoot;
  name: string;
  raw: string;
}
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'ref'; ref: TemplateRef };

export interface ParsedTemplate {
  source: string;
  parts: TemplatePart[];
  /** The whole template is exactly one reference, so it may keep its JSON type. */
  singleRef: TemplateRef | undefined;
}

/** The parsed template, or why it does not parse and how to write it (a config issue's parts). */
export type ParseTemplateResult = Result<ParsedTemplate, { message: string; hint: string }>;

const REF_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_-]+)\s*\}\}/y;
/**
 * A step reference has more segments than `root.name`; its name keeps them joined
 * (`create_issue.outputs.issue_key`), and the scope is keyed the same way.
 */
const STEP_REF_PATTERN =
  /\{\{\s*steps\.([a-z][a-z0-9_]*\.(?:outputs\.[a-z][a-z0-9_]*|outcome|message))\s*\}\}/y;

function matchRef(
  source: string,
  open: number,
  roots: readonly string[],
): { root: string; name: string; raw: string } | undefined {
  if (roots.includes('steps')) {
    STEP_REF_PATTERN.lastIndex = open;
    const step = STEP_REF_PATTERN.exec(source);
    if (step) return { root: 'steps', name: step[1] as string, raw: step[0] };
  }
  REF_PATTERN.lastIndex = open;
  const match = REF_PATTERN.exec(source);
  return match ? { root: match[1] as string, name: match[2] as string, raw: match[0] } : undefined;
}

/**
 * Splits a template into text and references.
 *
 * @example
 * parseTemplate('/orders/{{inputs.order_id}}') // parts: text '/orders/', ref inputs.order_id
 */
export function parseTemplate(
  source: string,
  options: ParseTemplateOptions = {},
): ParseTemplateResult {
  const roots: readonly string[] = options.roots ?? TEMPLATE_ROOTS;
  const parts: TemplatePart[] = [];
  let text = '';
  let index = 0;
  while (index < source.length) {
    const open = source.indexOf('{{', index);
    if (open === -1) {
      text += source.slice(index);
      break;
    }
    text += source.slice(index, open);
    const match = matchRef(source, open, roots);
    if (!match) {
      const close = source.indexOf('}}', open);
      const snippet = source.slice(open, close === -1 ? open + 30 : close + 2);
      return {
        ok: false,
        error: {
          message: `malformed template reference ${JSON.stringify(snippet)}`,
          hint: roots.includes('steps')
            ? 'write references as {{collected.name}}, {{trigger.key}}, {{steps.<step id>.outputs.<name>}}, {{steps.<step id>.outcome}} or {{error.message}}'
            : 'write references as {{inputs.name}}, {{connection.name}}, {{outputs.name}} or {{secrets.NAME}}',
        },
      };
    }
    if (!roots.includes(match.root)) {
      return {
        ok: false,
        error: {
          message: `unknown template root "${match.root}" in ${match.raw}`,
          hint: `use one of ${roots.map((r) => `{{${r}.…}}`).join(', ')}`,
        },
      };
    }
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push({
      kind: 'ref',
      ref: { root: match.root as TemplateRoot, name: match.name, raw: match.raw },
    });
    index = open + match.raw.length;
  }
  if (text) parts.push({ kind: 'text', text });
  const only = parts.length === 1 ? parts[0] : undefined;
  return {
    ok: true,
    value: { source, parts, singleRef: only?.kind === 'ref' ? only.ref : undefined },
  };
}

export type TemplateScope = Partial<Record<TemplateRoot, Readonly<Record<string, unknown>>>>;

/** Looks a reference up; `undefined` when the scope has no such value. */
export function lookupRef(ref: TemplateRef, scope: TemplateScope): unknown {
  const values = scope[ref.root];
  if (!values || !Object.hasOwn(values, ref.name)) return undefined;
  return values[ref.name];
}

/** Text form of a value inside a larger string: null and undefined become empty. */
export function stringifyValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Renders a template as text, passing each substituted value through `encode` (identity by
 * default). Literal text is never encoded: the admin wrote it.
 */
export function renderTemplateText(
  template: ParsedTemplate,
  scope: TemplateScope,
  encode: (value: string, ref: TemplateRef) => string = (value) => value,
): string {
  let out = '';
  for (const part of template.parts) {
    out +=
      part.kind === 'text'
        ? part.text
        : encode(stringifyValue(lookupRef(part.ref, scope)), part.ref);
  }
  return out;
}

/**
 * Renders a template as a JSON value: a template that is exactly one reference keeps the value's
 * own type (number, boolean, object); anything else becomes a string.
 */
export function renderTemplateValue(template: ParsedTemplate, scope: TemplateScope): unknown {
  if (template.singleRef) {
    const value = lookupRef(template.singleRef, scope);
    return value === undefined ? null : value;
  }
  return renderTemplateText(template, scope);
}
