import { parse as parseYaml } from 'yaml';
import type { Result } from '../../../shared/src/result';
import { DRAFT_USER_AGENT, scrubJson } from './draft-from-curl';
import type { ConnectorDraft } from './draft-from-curl';
import { GENERIC_HOST_LABELS, hasPlaceholderHost, isPlaceholderLabel } from './placeholder-host';
import { toSnakeCase } from './snake-case';
import { suggestOutputs } from './suggest-outputs';

/**
 * A draft connector from one operation of an OpenAPI 3.x document (JSON or YAML): its path and
 * query parameters and its JSON body's top-level properties become inputs (types, enums, required
 * flags), the 2xx JSON response schema becomes suggested outputs, and the security scheme becomes
 * the connection's auth with secret references. Swagger 2.0 is refused with how to convert it.
 */
export type OpenApiError = { code: 'OPENAPI_INVALID'; message: string };

type Schema = Record<string, unknown>;
type Doc = {
  openapi?: unknown;
  swagger?: unknown;
  servers?: { url?: unknown }[];
  paths?: Record<string, Record<string, unknown>>;
  components?: {
    schemas?: Record<string, Schema>;
    securitySchemes?: Record<string, Schema>;
    parameters?: Record<string, Schema>;
    requestBodies?: Record<string, Schema>;
  };
  security?: Record<string, unknown>[];
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];
const INPUT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

function fail(message: string): Result<ConnectorDraft, OpenApiError> {
  return { ok: false, error: { code: 'OPENAPI_INVALID', message } };
}

export function readOpenApi(text: string): Result<Doc, OpenApiError> {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'OPENAPI_INVALID',
        message: `not JSON or YAML: ${(error as Error).message.split('\n')[0]}`,
      },
    };
  }
  if (!doc || typeof doc !== 'object') {
    return {
      ok: false,
      error: { code: 'OPENAPI_INVALID', message: 'the document is not an object' },
    };
  }
  const typed = doc as Doc;
  if (typed.swagger !== undefined) {
    return {
      ok: false,
      error: {
        code: 'OPENAPI_INVALID',
        message: `this is Swagger ${String(typed.swagger)}, not OpenAPI 3: convert it first (for example with "npx swagger2openapi in.json -o out.json") and draft from the result`,
      },
    };
  }
  if (typeof typed.openapi !== 'string' || !typed.openapi.startsWith('3.')) {
    return {
      ok: false,
      error: { code: 'OPENAPI_INVALID', message: 'the document has no "openapi": "3.x" field' },
    };
  }
  return { ok: true, value: typed };
}

/** Follows a local `$ref` ("#/components/…"); other documents are not fetched. */
function deref(doc: Doc, value: unknown, depth = 0): Schema | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref !== 'string') return value as Schema;
  if (depth > 20 || !ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[
      part.replaceAll('~1', '/').replaceAll('~0', '~')
    ];
  }
  return deref(doc, node, depth + 1);
}

function inputName(raw: string): string {
  const name = toSnakeCase(raw);
  return INPUT_NAME.test(name) ? name : `p_${name}`.slice(0, 64);
}

/** An input from a parameter or property schema: type, enum as a pattern, the description. */
function inputFrom(
  doc: Doc,
  raw: string,
  schemaValue: unknown,
  required: boolean,
  description: unknown,
) {
  const schema = deref(doc, schemaValue) ?? {};
  const type = schema.type;
  const format = schema.format;
  const inputType =
    type === 'integer'
      ? 'integer'
      : type === 'number'
        ? 'number'
        : type === 'boolean'
          ? 'boolean'
          : format === 'email'
            ? 'email'
            : format === 'date'
              ? 'date'
              : 'string';
  const values = Array.isArray(schema.enum)
    ? schema.enum.filter((v) => typeof v === 'string' || typeof v === 'number')
    : [];
  const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    name: inputName(raw),
    label: raw,
    ...(typeof description === 'string' ? { description: description.slice(0, 1000) } : {}),
    type: inputType,
    prompt: true,
    required,
    ...(values.length
      ? {
          pattern: `^(${values.map((v) => escape(String(v))).join('|')})$`,
          hint: `one of: ${values.join(', ')}`.slice(0, 200),
        }
      : {}),
  };
}

/** A sample built from a schema, for suggesting outputs (examples where the schema has them). */
function sampleOf(doc: Doc, schemaValue: unknown, depth = 0): unknown {
  const schema = deref(doc, schemaValue);
  if (!schema || depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  const all = Array.isArray(schema.allOf) ? schema.allOf : undefined;
  if (all) {
    // Only object parts merge; a part that is a string example (a description-only allOf around
    // a string) would otherwise spread into "0", "1", … keys.
    const parts = all.map((part) => sampleOf(doc, part, depth + 1));
    const objects = parts.filter(isRecord);
    return objects.length ? Object.assign({}, ...objects) : (parts.find((p) => p !== null) ?? null);
  }
  const choice = (
    Array.isArray(schema.oneOf)
      ? schema.oneOf
      : Array.isArray(schema.anyOf)
        ? schema.anyOf
        : undefined
  )?.[0];
  if (choice) return sampleOf(doc, choice, depth + 1);
  if (schema.type === 'array') return [sampleOf(doc, schema.items, depth + 1)];
  if (schema.type === 'object' || schema.properties) {
    return Object.fromEntries(
      Object.entries((schema.properties as Record<string, unknown>) ?? {}).map(([key, value]) => [
        key,
        sampleOf(doc, value, depth + 1),
      ]),
    );
  }
  if (schema.type === 'integer' || schema.type === 'number') return 0;
  if (schema.type === 'boolean') return false;
  return Array.isArray(schema.enum) ? schema.enum[0] : 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An object schema's properties and required names, its `allOf` parts merged in. */
function propertiesOf(
  doc: Doc,
  schema: Schema,
  depth = 0,
): { properties: Record<string, unknown>; required: Set<string> } {
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  for (const part of depth < 8 && Array.isArray(schema.allOf) ? schema.allOf : []) {
    const resolved = deref(doc, part);
    if (!resolved) continue;
    const inner = propertiesOf(doc, resolved, depth + 1);
    Object.assign(properties, inner.properties);
    inner.required.forEach((name) => required.add(name));
  }
  Object.assign(properties, isRecord(schema.properties) ? schema.properties : {});
  if (Array.isArray(schema.required)) schema.required.forEach((name) => required.add(String(name)));
  return { properties, required };
}

/**
 * Whether a schema is a single value (string, number, integer, boolean), following `$ref`s,
 * every `allOf` part and every `anyOf`/`oneOf` alternative. An alternative that is only the empty
 * string (Stripe's way of saying "send empty to unset") does not count. Arrays and objects cannot
 * come from one input.
 */
function isScalar(doc: Doc, schemaValue: unknown, depth = 0): boolean {
  const schema = deref(doc, schemaValue);
  if (!schema || depth > 10) return true;
  const parts = Array.isArray(schema.allOf) ? schema.allOf : [];
  if (parts.length && !parts.every((part) => isScalar(doc, part, depth + 1))) return false;
  const choices = [
    ...(Array.isArray(schema.anyOf) ? schema.anyOf : []),
    ...(Array.isArray(schema.oneOf) ? schema.oneOf : []),
  ].filter((choice) => {
    const alternative = deref(doc, choice);
    return !(Array.isArray(alternative?.enum) && alternative.enum.every((v) => v === ''));
  });
  if (choices.length && !choices.every((choice) => isScalar(doc, choice, depth + 1))) return false;
  return !(
    schema.type === 'object' ||
    schema.type === 'array' ||
    schema.properties !== undefined ||
    schema.additionalProperties !== undefined
  );
}

/** An array whose items are single values: sent as one `name[]` field by bracket-style APIs. */
function isScalarArray(doc: Doc, schemaValue: unknown): boolean {
  const schema = deref(doc, schemaValue);
  return schema?.type === 'array' && isScalar(doc, schema.items);
}

/**
 * A media type's example: `example` (some documents, Atlassian's among them, hold it as a JSON
 * string), else the first of `examples`.
 */
function exampleOf(media: Schema | undefined): unknown {
  const first = isRecord(media?.examples)
    ? (Object.values(media.examples)[0] as Schema | undefined)?.value
    : undefined;
  const example = media?.example ?? first;
  if (typeof example !== 'string') return example;
  try {
    return JSON.parse(example) as unknown;
  } catch {
    return undefined;
  }
}

function findOperation(doc: Doc, operation: string) {
  const [method, path] = operation.includes(' ')
    ? operation.split(/\s+/, 2)
    : [undefined, undefined];
  for (const [pathKey, item] of Object.entries(doc.paths ?? {})) {
    for (const verb of METHODS) {
      const op = deref(doc, item[verb]);
      if (!op) continue;
      if (op.operationId === operation || (method?.toLowerCase() === verb && path === pathKey)) {
        return {
          path: pathKey,
          method: verb.toUpperCase(),
          op,
          shared: (item.parameters as unknown[]) ?? [],
        };
      }
    }
  }
  return undefined;
}

export function draftFromOpenApi(
  doc: Doc,
  operation: string,
  options: { id?: string } = {},
): Result<ConnectorDraft, OpenApiError> {
  const found = findOperation(doc, operation);
  if (!found) {
    const ids = Object.values(doc.paths ?? {})
      .flatMap((item) => METHODS.map((verb) => deref(doc, item[verb])?.operationId))
      .filter((id): id is string => typeof id === 'string');
    return fail(
      `no operation "${operation}"; give an operationId (${ids.slice(0, 15).join(', ') || 'none in this document'}) or "GET /path"`,
    );
  }
  const { op, method } = found;
  const server = typeof doc.servers?.[0]?.url === 'string' ? doc.servers[0].url : undefined;
  if (!server || !/^https?:\/\//.test(server)) {
    return fail(
      'the document has no absolute "servers[0].url"; add the API\'s base URL (https://…)',
    );
  }
  const base = new URL(server.replace(/\{[^}]+\}/g, 'x'));
  // `your-domain.atlassian.net` names no service: the placeholder label is skipped.
  const service = (
    base.hostname
      .split('.')
      .filter((p) => !GENERIC_HOST_LABELS.has(p) && !isPlaceholderLabel(p))[0] ?? 'api'
  ).replace(/[^a-z0-9]/gi, '_');
  const connectionId = service.toLowerCase();
  const notes: string[] = [];
  if (server.includes('{') || hasPlaceholderHost(base.hostname)) {
    notes.push(
      `The document's server address (${server}) is a placeholder: set the connection's "baseUrl" to your own.`,
    );
  }
  const secrets: string[] = [];
  const secretRef = (suffix: string) => {
    const name = `${service.toUpperCase()}_${suffix}`;
    if (!secrets.includes(name)) secrets.push(name);
    return `{{secrets.${name}}}`;
  };

  const inputs: ReturnType<typeof inputFrom>[] = [];
  let path = found.path;
  const query: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const raw of [...found.shared, ...((op.parameters as unknown[]) ?? [])]) {
    const param = deref(doc, raw);
    if (!param || typeof param.name !== 'string') continue;
    const input = inputFrom(
      doc,
      param.name,
      param.schema,
      param.required === true || param.in === 'path',
      param.description,
    );
    if (param.in === 'path') path = path.replace(`{${param.name}}`, `{{inputs.${input.name}}}`);
    else if (param.in === 'query') {
      // Stripe documents `expand` as a deepObject array: it reads `expand[]=a`, and refuses
      // `expand=a` as "Invalid array". One input fills one element.
      const bracketed = param.style === 'deepObject' && isScalarArray(doc, param.schema);
      query[bracketed ? `${param.name}[]` : param.name] = `{{inputs.${input.name}}}`;
    } else if (param.in === 'header') headers[param.name] = `{{inputs.${input.name}}}`;
    else continue;
    inputs.push(input);
  }

  let body: Record<string, unknown> | undefined;
  // Stripe's document gives every GET an empty form body; GET and HEAD send none.
  const requestBody = ['GET', 'HEAD'].includes(method) ? undefined : deref(doc, op.requestBody);
  const content = requestBody?.content as Record<string, Schema> | undefined;
  const jsonMedia = content?.['application/json'];
  const jsonBody = deref(doc, jsonMedia?.schema);
  const formBody = jsonBody
    ? undefined
    : deref(doc, content?.['application/x-www-form-urlencoded']?.schema);
  const bodySchema = jsonBody ?? formBody;
  if (bodySchema && Object.keys(propertiesOf(doc, bodySchema).properties).length) {
    const example = jsonBody ? exampleOf(jsonMedia) : undefined;
    const fromExample: string[] = [];
    const leftOut: string[] = [];
    let typedIn = 0;
    // Scalars become typed-in inputs, and so do lists of scalars where the body needs them or a
    // form sends them (`name[]`). Any other object or list is not one typed-in value: a string
    // input in its place would send the wrong shape (Jira's "fields" as text), and an optional
    // one left empty would be sent as null (GitHub refuses `"labels": null`, Stripe `metadata=`).
    // - One the body needs takes the document's example, with a note to replace its values:
    //   needed is required, or, where the schema marks nothing required (Jira's createIssue), an
    //   object the example sets. An optional list is never filled from the example, so the docs'
    //   sample data (GitHub's labels ["bug"]) is not sent.
    // - A wrapper object at the top of the body (Asana's {"data": {…}}: the only property, or a
    //   required one) with no example is drafted field by field.
    // - The rest is left out and named for the admin.
    const draftObject = (schema: Schema, sample: unknown, path: string[]) => {
      const target: Record<string, unknown> = {};
      const { properties, required } = propertiesOf(doc, schema);
      for (const [key, property] of Object.entries(properties)) {
        const prop = deref(doc, property);
        if (prop?.readOnly === true) continue;
        const at = [...path, key].join('.');
        const sampleValue = isRecord(sample) ? sample[key] : undefined;
        const scalar = isScalar(doc, prop);
        const list = !scalar && isScalarArray(doc, prop);
        if (!scalar && !(list && (required.has(key) || formBody))) {
          const needed =
            required.has(key) || (required.size === 0 && isRecord(sampleValue) && !list);
          if (jsonBody && needed && sampleValue !== undefined) {
            // Examples are config text from here on: a credential in one is blanked, as in curl.
            target[key] = scrubJson(sampleValue, notes, key);
            fromExample.push(at);
          } else if (
            jsonBody &&
            prop &&
            path.length < 1 &&
            (required.has(key) || Object.keys(properties).length === 1) &&
            Object.keys(propertiesOf(doc, prop).properties).length
          ) {
            target[key] = draftObject(prop, sampleValue, [...path, key]);
          } else leftOut.push(at);
          continue;
        }
        const input = inputFrom(
          doc,
          key,
          list ? prop?.items : property,
          required.has(key),
          prop?.description,
        );
        const base = input.name;
        if (inputs.some((existing) => existing.name === base))
          input.name = `body_${base}`.slice(0, 64);
        for (let n = 2; inputs.some((existing) => existing.name === input.name); n++) {
          input.name = `body_${base}_${n}`.slice(0, 64);
        }
        inputs.push(input);
        const ref = `{{inputs.${input.name}}}`;
        if (formBody && list) target[`${key}[]`] = ref;
        else target[key] = list ? [ref] : ref;
        typedIn++;
      }
      return target;
    };
    body = { type: jsonBody ? 'json' : 'form', value: draftObject(bodySchema, example, []) };
    if (typedIn) {
      notes.push(
        'Each body property became a typed-in input; give inputs a "source" (a ticket field) where the ticket holds the value, and drop the optional ones you do not need.',
      );
    }
    if (fromExample.length) {
      notes.push(
        `The body's ${fromExample.map((key) => `"${key}"`).join(', ')} ${fromExample.length > 1 ? "are objects or lists: the draft holds the document's example for them" : "is an object or a list: the draft holds the document's example for it"}; replace the example values with {{inputs.…}} or your own, and remove what you do not send.`,
      );
    }
    if (leftOut.length) {
      notes.push(
        `Left out of the body because one input cannot fill them: ${leftOut.join(', ')}. Add them to "request.body" by hand if you need them${formBody ? ' (form fields such as metadata[key])' : ''}.`,
      );
    }
  } else if (requestBody && !bodySchema) {
    notes.push('The request body is neither JSON nor a form: add "request.body" by hand.');
  }

  // Auth from the operation's security, else the document's.
  let auth: Record<string, unknown> = { type: 'none' };
  const requirements = (op.security as Record<string, unknown>[] | undefined) ?? doc.security ?? [];
  const schemeOf = (name: string) => deref(doc, doc.components?.securitySchemes?.[name]);
  const offered = requirements.flatMap((requirement) => Object.keys(requirement).slice(0, 1));
  // Where a bearer token is one of the alternatives, take it: one secret, and no password to
  // invent (Stripe offers Basic with the key as the username and an empty password, or Bearer).
  const schemeName =
    offered.find((name) => {
      const candidate = schemeOf(name);
      return candidate?.type === 'http' && String(candidate.scheme).toLowerCase() === 'bearer';
    }) ?? offered[0];
  const scheme = schemeName ? schemeOf(schemeName) : undefined;
  if (scheme?.type === 'http' && String(scheme.scheme).toLowerCase() === 'bearer')
    auth = { type: 'bearer', token: secretRef('TOKEN') };
  else if (scheme?.type === 'http' && String(scheme.scheme).toLowerCase() === 'basic')
    auth = { type: 'basic', username: secretRef('USERNAME'), password: secretRef('PASSWORD') };
  else if (scheme?.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string')
    auth = { type: 'apiKeyHeader', header: scheme.name, value: secretRef('API_KEY') };
  else if (
    scheme?.type === 'oauth2' &&
    (scheme.flows as Record<string, Schema> | undefined)?.clientCredentials
  ) {
    const flow = (scheme.flows as Record<string, Schema>).clientCredentials as Schema;
    auth = {
      type: 'oauth2ClientCredentials',
      tokenUrl: String(flow.tokenUrl),
      clientId: secretRef('CLIENT_ID'),
      clientSecret: secretRef('CLIENT_SECRET'),
    };
  } else if (
    scheme?.type === 'oauth2' &&
    (scheme.flows as Record<string, Schema> | undefined)?.authorizationCode
  ) {
    const flow = (scheme.flows as Record<string, Schema>).authorizationCode as Schema;
    const scopes = schemeName
      ? requirements.find((requirement) => schemeName in requirement)?.[schemeName]
      : undefined;
    auth = {
      type: 'oauth2AuthorizationCode',
      authorizeUrl: String(flow.authorizationUrl),
      tokenUrl: String(flow.tokenUrl),
      clientId: secretRef('CLIENT_ID'),
      clientSecret: secretRef('CLIENT_SECRET'),
      scopes: Array.isArray(scopes) ? scopes.filter((scope) => typeof scope === 'string') : [],
    };
    notes.push(
      'The connection uses OAuth authorization code: register <PUBLIC_URL>/oauth/callback with the service, then connect it in the admin console (docs/admin.md).',
    );
  } else if (scheme) {
    notes.push(
      `The security scheme "${schemeName}" (${String(scheme.type)}${scheme.in ? ` in ${String(scheme.in)}` : ''}) has no matching auth here: set "auth" on the connection by hand (secrets go only in headers or the auth).`,
    );
  } else if (op.security === undefined) {
    // GitHub's description, for one, declares no security at all, though most calls need a token.
    notes.push(
      'The document declares no security scheme: if the API needs credentials, set "auth" on the connection by hand (secrets go only in headers or the auth).',
    );
  }

  const success = Object.entries((op.responses as Record<string, Schema> | undefined) ?? {}).find(
    ([status]) => /^2\d\d$/.test(status),
  );
  const responseMedia = success
    ? (deref(doc, success[1])?.content as Record<string, Schema> | undefined)?.['application/json']
    : undefined;
  const responseSchema = deref(doc, responseMedia?.schema);
  // The document's own example answer shows real fields; a schema with free-form parts
  // (Jira's issue "fields") says less than it.
  const responseSample =
    exampleOf(responseMedia) ?? (responseSchema ? sampleOf(doc, responseSchema) : undefined);
  const outputs = responseSample
    ? suggestOutputs(responseSample)
        .filter((s) => s.type !== 'json')
        .slice(0, 12)
        .map((s) => ({ name: s.name, label: s.label, path: s.path, type: s.type }))
    : [];
  if (!outputs.length)
    notes.push('The operation documents no JSON success response: add "response.outputs" by hand.');
  else
    notes.push(
      `The outputs are suggested from the ${exampleOf(responseMedia) === undefined ? 'response schema' : "document's example answer"}: keep the ones to show or write back.`,
    );

  const id =
    options.id ??
    inputName(
      typeof op.operationId === 'string' ? op.operationId : `${method}_${found.path}`,
    ).slice(0, 64);
  const basePath = base.pathname.replace(/\/$/, '');
  return {
    ok: true,
    value: {
      connectionId,
      connection: {
        baseUrl: `${base.origin}${basePath}`,
        auth,
        // The server's HTTP client sends no User-Agent, and some APIs (GitHub) refuse a request
        // without one.
        headers: { 'User-Agent': DRAFT_USER_AGENT },
      },
      connector: {
        id: /^[a-z][a-z0-9_-]{1,63}$/.test(id) ? id : `op_${id}`.slice(0, 64),
        name: (typeof op.summary === 'string' ? op.summary : `${method} ${found.path}`).slice(
          0,
          100,
        ),
        ...(typeof op.description === 'string'
          ? { description: op.description.slice(0, 2000) }
          : {}),
        draft: true,
        connection: connectionId,
        surfaces: ['zendesk'],
        ...(['GET', 'HEAD'].includes(method) ? {} : { confirm: true }),
        inputs,
        request: {
          method,
          path,
          ...(Object.keys(query).length ? { query } : {}),
          ...(Object.keys(headers).length ? { headers } : {}),
          ...(body ? { body } : {}),
        },
        response: { outputs },
      },
      secrets,
      notes,
    },
  };
}
