import type {
  CompiledAuth,
  CompiledBody,
  CompiledConnector,
  CompiledJson,
} from '../compile/compiled-model';
import { memoizePerObject } from '../../../shared/src/memoize-per-object';
import {
  lookupRef,
  renderTemplateText,
  renderTemplateValue,
  stringifyValue,
} from '../compile/template';
import type { ParsedTemplate, TemplateScope } from '../compile/template';
import type { AuthConfig, OutboundRequest } from '../request/request-types';
import { mapAuthTemplates } from '../request/auth/auth-kinds';
import type { Result } from '../../../shared/src/result';

/**
 * Turns a compiled request and resolved values into bytes on the wire. Every value is encoded for
 * the place it lands, so that ticket or agent data can never change the request's shape:
 * - path: each value is percent-encoded as one segment (`#1001` → `%231001`, `a/b?c` → `a%2Fb%3Fc`);
 *   a segment holding a value that renders to "." or ".." (alone or next to literal dots) is
 *   refused, because URL parsers collapse it into the parent directory;
 * - query: values go through URLSearchParams, encoded once;
 * - headers: a value with a control character (CR, LF, NUL, ...) is refused (header injection /
 *   response splitting), and so is one with characters a header cannot carry (above U+00FF);
 * - a lone UTF-16 surrogate (possible in JSON an agent sends) is refused wherever it would be
 *   silently replaced or make the encoder throw (URL, headers, form and text bodies);
 * - JSON body: each string leaf is rendered on its own and the tree is serialised once, so quotes
 *   and newlines stay inside their string; a leaf that is exactly one reference keeps its type.
 */

export const SECRET_MASK = '[secret]';
export const REDACTED_MASK = '[redacted]';

export interface RenderScope {
  inputs: Readonly<Record<string, unknown>>;
  connection: Readonly<Record<string, unknown>>;
  secrets: Readonly<Record<string, string>>;
}

export interface RenderedRequest {
  request: OutboundRequest;
  /** The same request with secrets and redacted inputs masked: the only form that is logged. */
  censored: OutboundRequest;
  auth: AuthConfig;
}

export type RenderError = { code: 'INPUT_UNSAFE_VALUE'; message: string };
export type RenderRequestResult = Result<RenderedRequest, RenderError>;

const LINE_BREAK_CHARS = /[\r\n\0]/;
/** What an HTTP client can put in a header value: tab, visible ASCII and the Latin-1 range. */
const UNSENDABLE_HEADER_CHARS = /[^\t\x20-\x7e\x80-\xff]/;
const LONE_SURROGATE = /\p{Surrogate}/u;
/** "." and ".." as a URL parser sees them (it also decodes %2e). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

class RenderFailure {
  constructor(readonly error: RenderError) {}
}

function refuse(message: string): never {
  throw new RenderFailure({ code: 'INPUT_UNSAFE_VALUE', message });
}

function requireWellFormed(value: string, where: string): string {
  if (LONE_SURROGATE.test(value)) {
    refuse(
      `${where} would contain a broken character (a lone UTF-16 surrogate); the value was refused`,
    );
  }
  return value;
}

type TextPart = Extract<ParsedTemplate['parts'][number], { kind: 'text' }>;
/**
 * A path's fixed text split at its slashes, once per compiled connector rather than on every
 * run (a split goes through V8's runtime; docs/performance.md).
 */
const piecesOf = memoizePerObject((part: TextPart): readonly string[] => part.text.split('/'));

/**
 * Renders the path one segment at a time, so that a segment built from a value can be checked
 * as a whole: `.{{inputs.x}}` with x = "." is as much a parent-directory jump as x = "..".
 */
function renderPath(template: ParsedTemplate, scope: TemplateScope): string {
  const segments: { text: string; refs: string[] }[] = [{ text: '', refs: [] }];
  for (const part of template.parts) {
    if (part.kind === 'text') {
      piecesOf(part).forEach((piece, index) => {
        if (index > 0) segments.push({ text: '', refs: [] });
        (segments.at(-1) as { text: string }).text += piece;
      });
      continue;
    }
    const segment = segments.at(-1) as { text: string; refs: string[] };
    const value = stringifyValue(lookupRef(part.ref, scope));
    segment.text += encodeURIComponent(requireWellFormed(value, `the URL path (${part.ref.name})`));
    segment.refs.push(part.ref.name);
  }
  for (const segment of segments) {
    if (segment.refs.length && DOT_SEGMENT.test(segment.text)) {
      refuse(`input ${segment.refs.join(', ')} cannot make the URL path segment "${segment.text}"`);
    }
  }
  return segments.map((segment) => segment.text).join('/');
}

function renderHeader(name: string, template: ParsedTemplate, scope: TemplateScope): string {
  const value = renderTemplateText(template, scope);
  // The value is never echoed: it may hold a secret.
  if (LINE_BREAK_CHARS.test(value)) {
    refuse(`header ${name} would contain a line break; the value was refused`);
  }
  if (UNSENDABLE_HEADER_CHARS.test(value)) {
    refuse(
      `header ${name} would contain a control character or a character headers cannot carry; the value was refused`,
    );
  }
  return value;
}

/** Renders a JSON tree whose string leaves are templates. */
export function renderJson(node: CompiledJson, scope: TemplateScope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'template':
      return renderTemplateValue(node.template, scope);
    case 'array':
      return node.items.map((item) => renderJson(item, scope));
    case 'object':
      return Object.fromEntries(node.entries.map(([key, item]) => [key, renderJson(item, scope)]));
  }
}

function authHeaderName(auth: CompiledAuth): string | undefined {
  if (auth.type === 'none') return undefined;
  return auth.type === 'apiKeyHeader' ? auth.header.toLowerCase() : 'authorization';
}

function resolveAuth(auth: CompiledAuth, scope: TemplateScope): AuthConfig {
  return mapAuthTemplates(auth, (template: ParsedTemplate) => renderTemplateText(template, scope));
}

interface HeaderPlan {
  /** The connection's headers, then the request's (a later one of the same name wins). */
  templates: readonly (readonly [string, ParsedTemplate])[];
  /** Lower-cased names of the headers filled from secrets. */
  secretHeaders: readonly string[];
}

/** Worked out once per compiled connector, not on every render (CPU per run). */
const headerPlanOf = memoizePerObject((connector: CompiledConnector): HeaderPlan => {
  const templates = [...connector.connection.headers, ...connector.request.headers];
  return {
    templates,
    secretHeaders: templates
      .filter(([, template]) => carriesOf([template]).secrets)
      .map(([name]) => name.toLowerCase()),
  };
});

/** A query parameter as it goes on the wire: encoded once when the admin's text is all it holds. */
type QueryParam = { encoded: string } | { key: string; template: ParsedTemplate };

/**
 * The query worked out once per compiled connector: a parameter without a reference is the same
 * text on every run, so it is encoded here (URLSearchParams' form encoding, as the others), not
 * on each run (docs/performance.md, "What the nineteenth machine's session found").
 */
const queryPlanOf = memoizePerObject((connector: CompiledConnector): readonly QueryParam[] =>
  connector.request.query.map(([key, template]): QueryParam => {
    const text = template.parts.every((part) => part.kind === 'text')
      ? renderTemplateText(template, {})
      : undefined;
    // Broken text is left to the render, which refuses it with the parameter's name.
    return text === undefined || LONE_SURROGATE.test(text)
      ? { key, template }
      : { encoded: new URLSearchParams([[key, text]]).toString() };
  }),
);

function renderUrl(connector: CompiledConnector, scope: TemplateScope): string {
  const { connection, request } = connector;
  const base = connection.baseUrl.href.replace(/\/+$/, '');
  const head = base + renderPath(request.path, scope);
  const pairs: string[] = [];
  for (const param of queryPlanOf(connector)) {
    if ('encoded' in param) {
      pairs.push(param.encoded);
      continue;
    }
    const { key, template } = param;
    const value = requireWellFormed(renderTemplateText(template, scope), `query parameter ${key}`);
    // An optional input that is empty leaves its query parameter out rather than sending "x=".
    if (value !== '' || template.singleRef === undefined) {
      pairs.push(new URLSearchParams([[key, value]]).toString());
    }
  }
  // Neither the base URL nor the path's text may hold a "?" or a "#" (the config refuses them),
  // and values in the path are percent-encoded, so the query is all this one: parsed once.
  return new URL(pairs.length === 0 ? head : `${head}?${pairs.join('&')}`).href;
}

function contentTypeOf(body: CompiledBody | undefined): string | undefined {
  switch (body?.type) {
    case undefined:
      return undefined;
    case 'json':
      return 'application/json';
    case 'form':
      return 'application/x-www-form-urlencoded';
    case 'text':
      return body.contentType;
  }
}

function renderHeaders(connector: CompiledConnector, scope: TemplateScope): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, template] of headerPlanOf(connector).templates) {
    headers[name.toLowerCase()] = renderHeader(name, template, scope);
  }
  const contentType = contentTypeOf(connector.request.body);
  if (contentType !== undefined) headers['content-type'] ??= contentType;
  headers['accept'] ??= 'application/json';
  return headers;
}

function renderBody(body: CompiledBody | undefined, scope: TemplateScope): string | undefined {
  switch (body?.type) {
    case undefined:
      return undefined;
    case 'json':
      return JSON.stringify(renderJson(body.value, scope));
    case 'form': {
      const form = new URLSearchParams();
      for (const [key, template] of body.value) {
        const value = requireWellFormed(renderTemplateText(template, scope), `form field ${key}`);
        // As in the query: an optional input that is empty leaves its field out. APIs read
        // "x=" as a value (Stripe refuses an empty `amount`, and empties `metadata[x]`).
        if (value !== '' || template.singleRef === undefined) form.append(key, value);
      }
      return form.toString();
    }
    case 'text':
      return requireWellFormed(renderTemplateText(body.value, scope), 'the request body');
  }
}

/** What a part of the request puts on the wire that the run log must not show. */
interface Carries {
  secrets: boolean;
  /** Names of the inputs it renders (masked when the run marks them redacted). */
  inputs: readonly string[];
}

function templatesOfJson(node: CompiledJson): ParsedTemplate[] {
  switch (node.kind) {
    case 'literal':
      return [];
    case 'template':
      return [node.template];
    case 'array':
      return node.items.flatMap(templatesOfJson);
    case 'object':
      return node.entries.flatMap(([, item]) => templatesOfJson(item));
  }
}

function templatesOfBody(body: CompiledBody | undefined): ParsedTemplate[] {
  switch (body?.type) {
    case undefined:
      return [];
    case 'json':
      return templatesOfJson(body.value);
    case 'form':
      return body.value.map(([, template]) => template);
    case 'text':
      return [body.value];
  }
}

function carriesOf(templates: readonly ParsedTemplate[]): Carries {
  const refs = templates.flatMap((template) =>
    template.parts.flatMap((part) => (part.kind === 'ref' ? [part.ref] : [])),
  );
  return {
    secrets: refs.some((ref) => ref.root === 'secrets'),
    inputs: refs.filter((ref) => ref.root === 'inputs').map((ref) => ref.name),
  };
}

/**
 * Which parts of a connector's request can differ in the run log's copy. Most requests carry
 * neither a secret (auth is added by the sender) nor a redacted input, and a part that carries
 * none is the same text in both copies: rendering it twice cost a URL parse, a query's encoding
 * and the headers on every run (docs/performance.md, "What the nineteenth machine's session
 * found").
 */
const maskPlanOf = memoizePerObject((connector: CompiledConnector) => ({
  url: carriesOf([connector.request.path, ...connector.request.query.map(([, t]) => t)]),
  headers: carriesOf(headerPlanOf(connector).templates.map(([, template]) => template)),
  body: carriesOf(templatesOfBody(connector.request.body)),
}));

function renderWith(connector: CompiledConnector, scope: TemplateScope): OutboundRequest {
  const { secretHeaders } = headerPlanOf(connector);
  // Path and query, headers, then the body: the first unsafe value is the one reported.
  const url = renderUrl(connector, scope);
  const headers = renderHeaders(connector, scope);
  const body = renderBody(connector.request.body, scope);
  return {
    method: connector.request.method,
    url,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(secretHeaders.length ? { secretHeaders } : {}),
  };
}

/**
 * Renders the request for the wire, and its copy for the run log with secrets and redacted inputs
 * masked (only the parts that carry them are rendered a second time). Auth is resolved
 * separately and added by the sender, so it never sits in the censored copy.
 */
export function renderRequest(
  connector: CompiledConnector,
  scope: RenderScope,
  redactedInputs: ReadonlySet<string>,
): RenderRequestResult {
  const real: TemplateScope = {
    inputs: scope.inputs,
    connection: scope.connection,
    secrets: scope.secrets,
  };
  let masked: TemplateScope | undefined;
  const maskedScope = (): TemplateScope =>
    (masked ??= {
      inputs: Object.fromEntries(
        Object.entries(scope.inputs).map(([name, value]) => [
          name,
          redactedInputs.has(name) ? REDACTED_MASK : value,
        ]),
      ),
      connection: scope.connection,
      secrets: Object.fromEntries(Object.keys(scope.secrets).map((name) => [name, SECRET_MASK])),
    });
  const plan = maskPlanOf(connector);
  const differs = (carries: Carries) =>
    carries.secrets || carries.inputs.some((name) => redactedInputs.has(name));
  try {
    const request = renderWith(connector, real);
    // The log's copy is the request as sent, not the sender's instructions for it; a part that
    // carries nothing to mask is the same text, so only the others are rendered again.
    const censoredBody =
      request.body !== undefined && differs(plan.body)
        ? renderBody(connector.request.body, maskedScope())
        : request.body;
    const censored: OutboundRequest = {
      method: request.method,
      url: differs(plan.url) ? renderUrl(connector, maskedScope()) : request.url,
      // Object.assign, not a spread: the auth header added below would make a spread's copy a
      // new hidden class on every run ("Object literals on the run path").
      headers: differs(plan.headers)
        ? renderHeaders(connector, maskedScope())
        : Object.assign({}, request.headers),
      ...(censoredBody === undefined ? {} : { body: censoredBody }),
    };
    // Show that credentials were sent, and in which header, without showing them.
    const authHeader = authHeaderName(connector.connection.auth);
    if (authHeader) censored.headers[authHeader] = SECRET_MASK;
    return {
      ok: true,
      value: { request, censored, auth: resolveAuth(connector.connection.auth, real) },
    };
  } catch (error) {
    if (error instanceof RenderFailure) return { ok: false, error: error.error };
    throw error;
  }
}
