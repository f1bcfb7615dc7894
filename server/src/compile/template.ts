/**
 * `{{root.path}}` templates. No code runs: a template is literal text and references, parsed once
 * when the config is compiled. Values are encoded by the caller for the place they land (see
 * render-request.ts); this module only parses and substitutes.
 */

export const TEMPLATE_ROOTS = ['inputs', 'connection', 'outputs', 'secrets', 'error'] as const;
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];

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

export type ParseTemplateResult =
  { ok: true; template: ParsedTemplate } | { ok: false; message: string; hint: string };

const REF_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_-]+)\s*\}\}/y;

/**
 * Splits a template into text and references.
 *
 * @example
 * parseTemplate('/orders/{{inputs.order_id}}') // parts: text '/orders/', ref inputs.order_id
 */
export function parseTemplate(source: string): ParseTemplateResult {
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
    REF_PATTERN.lastIndex = open;
    const match = REF_PATTERN.exec(source);
    if (!match) {
      const close = source.indexOf('}}', open);
      const snippet = source.slice(open, close === -1 ? open + 30 : close + 2);
      return {
        ok: false,
        message: `malformed template reference ${JSON.stringify(snippet)}`,
        hint: 'write references as {{inputs.name}}, {{connection.name}}, {{outputs.name}} or {{secrets.NAME}}',
      };
    }
    const root = match[1] as string;
    if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
      return {
        ok: false,
        message: `unknown template root "${root}" in ${match[0]}`,
        hint: `use one of ${TEMPLATE_ROOTS.map((r) => `{{${r}.…}}`).join(', ')}`,
      };
    }
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push({
      kind: 'ref',
      ref: { root: root as TemplateRoot, name: match[2] as string, raw: match[0] },
    });
    index = open + match[0].length;
  }
  if (text) parts.push({ kind: 'text', text });
  const only = parts.length === 1 ? parts[0] : undefined;
  return {
    ok: true,
    template: { source, parts, singleRef: only?.kind === 'ref' ? only.ref : undefined },
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
