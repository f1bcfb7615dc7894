import { parse as parseYaml } from 'yaml';
import type { Result } from '../../../shared/src/result';
import { DRAFT_USER_AGENT } from './draft-from-curl';
import type { ConnectorDraft } from './draft-from-curl';
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
  if (all) return Object.assign({}, ...all.map((part) => sampleOf(doc, part, depth + 1) as object));
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

/**
 * Whether a schema is a single value (string, number, boolean), following `$ref`s and every
 * `anyOf`/`oneOf` alternative. An alternative that is only the empty string (Stripe's way of
 * saying "send empty to unset") does not count. Arrays and objects cannot come from one input.
 */
function isScalar(doc: Doc, schemaValue: unknown, depth = 0): boolean {
  const schema = deref(doc, schemaValue);
  if (!schema || depth > 10) return true;
  const choices = [
    ...(Array.isArray(schema.anyOf) ? schema.anyOf : []),
    ...(Array.isArray(schema.oneOf) ? schema.oneOf : []),
  ].filter((choice) => {
    const alternative = deref(doc, choice);
    return !(Array.isArray(alternative?.enum) && alternative.enum.every((v) => v === ''));
  });
  if (choices.length) return choices.every((choice) => isScalar(doc, choice, depth + 1));
  return schema.type !== 'array' && schema.type !== 'object' && schema.properties === undefined;
}

/** An array whose items are single values: sent as one `name[]` field by bracket-style APIs. */
function isScalarArray(doc: Doc, schemaValue: unknown): boolean {
  const schema = deref(doc, schemaValue);
  return schema?.type === 'array' && isScalar(doc, schema.items);
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
  const service = (
    base.hostname
      .split('.')
      .filter((p) => !['www', 'api', 'com', 'net', 'org', 'io'].includes(p))[0] ?? 'api'
  ).replace(/[^a-z0-9]/gi, '_');
  const connectionId = service.toLowerCase();
  const notes: string[] = [];
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
  const content = requestBody?.content as
    | Record<string, { schema?: unknown; encoding?: Record<string, { style?: unknown }> }>
    | undefined;
  const jsonBody = deref(doc, content?.['application/json']?.schema);
  const formContent = content?.['application/x-www-form-urlencoded'];
  const formBody = jsonBody ? undefined : deref(doc, formContent?.schema);
  const bodySchema = jsonBody ?? formBody;
  const bodyProperties = Object.keys((bodySchema?.properties as object | undefined) ?? {});
  if (bodySchema && bodyProperties.length) {
    const required = new Set(
      Array.isArray(bodySchema.required) ? (bodySchema.required as string[]) : [],
    );
    const value: Record<string, unknown> = {};
    const leftOut: string[] = [];
    for (const [key, property] of Object.entries(
      (bodySchema.properties as Record<string, unknown>) ?? {},
    )) {
      const prop = deref(doc, property);
      if (prop?.readOnly === true) continue;
      // One input holds one value: an optional list or object would be sent as text or null
      // (GitHub refuses `"labels": null`, Stripe `metadata=`), so the admin adds it by hand.
      const scalar = isScalar(doc, property);
      const list = !scalar && isScalarArray(doc, property);
      if (!scalar && !(list && (required.has(key) || formBody))) {
        leftOut.push(key);
        continue;
      }
      const input = inputFrom(
        doc,
        key,
        list ? deref(doc, property)?.items : property,
        required.has(key),
        prop?.description,
      );
      if (inputs.some((existing) => existing.name === input.name))
        input.name = `body_${input.name}`.slice(0, 64);
      inputs.push(input);
      const ref = `{{inputs.${input.name}}}`;
      if (formBody && list) value[`${key}[]`] = ref;
      else value[key] = list ? [ref] : ref;
    }
    body = { type: jsonBody ? 'json' : 'form', value };
    notes.push(
      'Each body property became a typed-in input; give inputs a "source" (a ticket field) where the ticket holds the value, and drop the optional ones you do not need.',
    );
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
  const responseSchema = success
    ? deref(
        doc,
        (deref(doc, success[1])?.content as Record<string, { schema?: unknown }> | undefined)?.[
          'application/json'
        ]?.schema,
      )
    : undefined;
  const outputs = responseSchema
    ? suggestOutputs(sampleOf(doc, responseSchema))
        .filter((s) => s.type !== 'json')
        .slice(0, 12)
        .map((s) => ({ name: s.name, label: s.label, path: s.path, type: s.type }))
    : [];
  if (!outputs.length)
    notes.push('The operation documents no JSON success response: add "response.outputs" by hand.');
  else
    notes.push(
      'The outputs are suggested from the response schema: keep the ones to show or write back.',
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
