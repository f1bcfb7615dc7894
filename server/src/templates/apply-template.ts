import type { Result } from '../../../shared/src/result';
import type {
  ConnectorTemplate,
  TemplateParameter,
  TemplateSecret,
} from '../../../shared/src/templates/template-schema';

/** What the admin chose when adding a template. */
export interface TemplateChoices {
  /** A value per blank, by parameter name; a blank left out uses its default, if any. */
  values?: Readonly<Record<string, string | undefined>>;
  /** Secret names to use instead of the template's (`{ SHOPIFY_TOKEN: 'ACME_SHOPIFY_TOKEN' }`). */
  secretNames?: Readonly<Record<string, string>>;
  connectorId?: string;
  connectionId?: string;
  /** Add it as a draft (hidden from agents until published). Default true. */
  draft?: boolean;
}

export interface AppliedTemplate {
  connectionId: string;
  connection: Record<string, unknown>;
  connector: Record<string, unknown>;
  /** The secrets the connection reads, under the names chosen. */
  secrets: TemplateSecret[];
}

export type ApplyTemplateError =
  | { code: 'TEMPLATE_VALUE_MISSING'; parameter: string; message: string }
  | { code: 'TEMPLATE_VALUE_INVALID'; parameter: string; message: string }
  | { code: 'TEMPLATE_UNKNOWN_VALUE'; parameter: string; message: string }
  | { code: 'TEMPLATE_SECRET_NAME_INVALID'; parameter: string; message: string };

const BLANK = /\{\{\s*template\.([a-z][a-z0-9_]*)\s*\}\}/g;
const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const ID = /^[a-z][a-z0-9_-]{1,63}$/;
/** A Zendesk custom field id (a 64-bit integer) and a Salesforce field API name. */
const FIELD_VALUE: Record<'zendeskTicketField' | 'salesforceField', RegExp> = {
  zendeskTicketField: /^[1-9][0-9]{0,18}$/,
  salesforceField: /^[A-Za-z][A-Za-z0-9_]{0,79}$/,
};

/** Every blank the template's connection and connector name, in order of first use. */
export function listTemplateBlanks(template: ConnectorTemplate): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(BLANK)) found.add(match[1] as string);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        visit(key);
        visit(inner);
      }
    }
  };
  visit(template.connection.value);
  visit(template.connector);
  return [...found];
}

/**
 * Fills a template's blanks and secret names in, giving the connection and connector to add.
 * Values are checked before use: they end up inside config strings that the server later reads
 * as templates, so a value may never carry `{{…}}` of its own (an agent-facing field id that
 * smuggled in `{{secrets.X}}` would otherwise send a secret somewhere).
 *
 * @example
 * const applied = applyTemplate(template, { values: { shop: 'acme.myshopify.com' } });
 * if (applied.ok) addToConfig(applied.value.connectionId, applied.value.connection, applied.value.connector);
 */
export function applyTemplate(
  template: ConnectorTemplate,
  choices: TemplateChoices = {},
): Result<AppliedTemplate, ApplyTemplateError> {
  const parameters = new Map(template.parameters.map((p) => [p.name, p]));
  for (const name of Object.keys(choices.values ?? {})) {
    if (!parameters.has(name)) {
      return failure('TEMPLATE_UNKNOWN_VALUE', name, `the template has no blank "${name}"`);
    }
  }
  const values = new Map<string, string>();
  for (const parameter of template.parameters) {
    const given = choices.values?.[parameter.name]?.trim();
    const value = given === undefined || given === '' ? parameter.default : given;
    if (value === undefined || value === '') {
      if (parameter.required) {
        return failure(
          'TEMPLATE_VALUE_MISSING',
          parameter.name,
          `"${parameter.label}" (${parameter.name}) is required${parameter.example ? `, e.g. ${parameter.example}` : ''}`,
        );
      }
      continue;
    }
    const problem = checkValue(parameter, value);
    if (problem) return failure('TEMPLATE_VALUE_INVALID', parameter.name, problem);
    values.set(parameter.name, value);
  }

  const renames = new Map<string, string>();
  for (const [from, to] of Object.entries(choices.secretNames ?? {})) {
    if (!template.secrets.some((secret) => secret.name === from)) {
      return failure('TEMPLATE_SECRET_NAME_INVALID', from, `the template reads no secret ${from}`);
    }
    if (!SECRET_NAME.test(to)) {
      return failure(
        'TEMPLATE_SECRET_NAME_INVALID',
        from,
        `"${to}" is not a secret name: use upper-case letters, digits and "_", e.g. ACME_${from}`,
      );
    }
    renames.set(from, to);
  }
  for (const [key, id] of [
    ['connectorId', choices.connectorId],
    ['connectionId', choices.connectionId],
  ] as const) {
    if (id !== undefined && !ID.test(id)) {
      return failure(
        'TEMPLATE_VALUE_INVALID',
        key,
        `"${id}" is not an id: use 2-64 characters, lowercase letters, digits, "_" or "-", starting with a letter`,
      );
    }
  }

  const fill = (text: string): string | undefined => {
    let unset = false;
    const filled = text
      .replace(BLANK, (_whole, name: string) => {
        const value = values.get(name);
        if (value === undefined) unset = true;
        return value ?? '';
      })
      .replace(
        /\{\{\s*secrets\.([A-Z][A-Z0-9_]*)\s*\}\}/g,
        (whole, name: string) => `{{secrets.${renames.get(name) ?? name}}}`,
      );
    return unset ? undefined : filled;
  };
  const connectionId = choices.connectionId ?? template.connection.id;
  const connection = fillBlanks(template.connection.value, fill) as Record<string, unknown>;
  const connector = {
    ...(fillBlanks(template.connector, fill) as Record<string, unknown>),
    ...(choices.connectorId ? { id: choices.connectorId } : {}),
    connection: connectionId,
    draft: choices.draft ?? true,
  };
  return {
    ok: true,
    value: {
      connectionId,
      connection,
      connector,
      secrets: template.secrets.map((secret) => ({
        ...secret,
        name: renames.get(secret.name) ?? secret.name,
      })),
    },
  };
}

/** Copies JSON, filling strings and keys; an element or entry whose blank is unset is dropped. */
function fillBlanks(value: unknown, fill: (text: string) => string | undefined): unknown {
  if (typeof value === 'string') return fill(value);
  if (Array.isArray(value)) {
    return value.map((item) => fillBlanks(item, fill)).filter((item) => item !== undefined);
  }
  if (value !== null && typeof value === 'object') {
    const entries: [string, unknown][] = [];
    for (const [key, inner] of Object.entries(value)) {
      const filledKey = fill(key);
      const filledValue = fillBlanks(inner, fill);
      if (filledKey !== undefined && filledValue !== undefined)
        entries.push([filledKey, filledValue]);
    }
    return Object.fromEntries(entries);
  }
  return value;
}

function checkValue(parameter: TemplateParameter, value: string): string | undefined {
  const name = `"${parameter.label}" (${parameter.name})`;
  if (/\{\{|\}\}/.test(value)) return `${name} may not contain "{{" or "}}"`;
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${name} may not contain control characters`;
  if (parameter.kind === 'zendeskTicketField' || parameter.kind === 'salesforceField') {
    if (!FIELD_VALUE[parameter.kind].test(value)) {
      return parameter.kind === 'zendeskTicketField'
        ? `${name} must be a Zendesk ticket field id (digits, e.g. 360001000002)`
        : `${name} must be a Salesforce field API name (e.g. Tracking_Number__c)`;
    }
  }
  if (parameter.kind === 'url') {
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      return `${name} must be an http(s) address, e.g. ${parameter.example ?? 'https://api.example.com'}`;
    }
  }
  if (parameter.pattern !== undefined && !new RegExp(`^(?:${parameter.pattern})$`).test(value)) {
    return `${name} does not look right${parameter.example ? `: expected something like ${parameter.example}` : ` (it must match ${parameter.pattern})`}`;
  }
  return undefined;
}

function failure(
  code: ApplyTemplateError['code'],
  parameter: string,
  message: string,
): Result<never, ApplyTemplateError> {
  return { ok: false, error: { code, parameter, message } };
}
