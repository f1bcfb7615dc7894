import { compile as compileJmesPath } from '@jmespath-community/jmespath';
import type {
  Connection,
  Connector,
  ConnectorConfig,
  ConnectorInput,
  ConnectorOutput,
  WriteSpec,
} from '../../../shared/src/config/connector-config-schema';
import {
  ZENDESK_PRIORITIES,
  ZENDESK_STATUSES,
  ZENDESK_TICKET_TYPES,
} from '../../../shared/src/config/connector-config-schema';
import { formatMiB } from '../request/response-buffer-budget';
import { isUrlAllowed } from '../request/ssrf-guard';
import {
  compileLinearPattern,
  isJavaScriptPattern,
  isSafeForBacktracking,
} from '../inputs/linear-pattern';
import type { LinearPattern } from '../inputs/linear-pattern';
import type { SecretSource } from '../secrets/secret-source';
import { SECRET_NAME_PATTERN } from '../secrets/secret-source';
import { parseTemplate, WORKFLOW_TEMPLATE_ROOTS } from './template';
import type { ParsedTemplate, TemplateRef, TemplateRoot } from './template';
import { isValidInputSource, sourceIdentity } from './input-sources';
import { compileWorkflows } from './compile-workflows';
import type { CompiledMacro, CompiledWorkflow } from './compile-workflows';

/**
 * Compiles a validated config once, when it loads: every template is parsed and its references
 * checked, every JMESPath expression compiled, secret placement enforced. The executor then works
 * only on this frozen form and never re-interprets raw admin input.
 */

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  hint: string;
  severity: 'error' | 'warning';
}

/** A JSON value whose string leaves are templates. */
export type CompiledJson =
  | { kind: 'template'; template: ParsedTemplate }
  | { kind: 'literal'; value: null | number | boolean }
  | { kind: 'array'; items: CompiledJson[] }
  | { kind: 'object'; entries: [string, CompiledJson][] };

export type CompiledAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: ParsedTemplate }
  | { type: 'basic'; username: ParsedTemplate; password: ParsedTemplate }
  | { type: 'apiKeyHeader'; header: string; value: ParsedTemplate }
  | {
      type: 'oauth2ClientCredentials';
      tokenUrl: string;
      clientId: ParsedTemplate;
      clientSecret: ParsedTemplate;
      scope?: string;
      audience?: string;
    };

export interface CompiledConnection {
  id: string;
  def: Connection;
  baseUrl: URL;
  allowedHosts: string[];
  headers: [string, ParsedTemplate][];
  auth: CompiledAuth;
  secretNames: string[];
}

export interface CompiledInput {
  def: ConnectorInput;
  /**
   * `def.source` as a list, in the order they are tried (empty when the input has none). Code
   * that reads sources uses this, never `def.source`, which may be a string or a list.
   */
  sources: readonly string[];
  /** Checked in linear time (RE2), whatever the pattern and the value. */
  pattern: LinearPattern | undefined;
  /**
   * The pattern as the apps may check it in the browser (a backtracking engine): undefined when
   * JavaScript cannot compile it or it could make a browser hang; the server checks it anyway.
   */
  browserPattern: string | undefined;
}

export interface CompiledOutput {
  def: ConnectorOutput;
  expression: ExpressionNode;
}

export interface CompiledWrite {
  customFields: [string, CompiledJson][];
  status: ParsedTemplate | undefined;
  priority: ParsedTemplate | undefined;
  type: ParsedTemplate | undefined;
  addTags: ParsedTemplate[];
  removeTags: ParsedTemplate[];
  internalNote: ParsedTemplate | undefined;
  recordFields: [string, CompiledJson][];
}

export type CompiledBody =
  | { type: 'json'; value: CompiledJson }
  | { type: 'form'; value: [string, ParsedTemplate][] }
  | { type: 'text'; value: ParsedTemplate; contentType: string };

export interface CompiledConnector {
  id: string;
  def: Connector;
  connection: CompiledConnection;
  confirm: boolean;
  /** GET, HEAD, PUT and DELETE may be repeated without a second side effect. */
  idempotent: boolean;
  inputs: CompiledInput[];
  request: {
    method: Connector['request']['method'];
    path: ParsedTemplate;
    query: [string, ParsedTemplate][];
    headers: [string, ParsedTemplate][];
    body: CompiledBody | undefined;
  };
  response: {
    root: ExpressionNode | undefined;
    emptyWhen: ExpressionNode | undefined;
    outputs: CompiledOutput[];
  };
  writeBack: { success?: CompiledWrite; empty?: CompiledWrite; failure?: CompiledWrite };
  messages: { success?: ParsedTemplate; empty?: ParsedTemplate; failure?: ParsedTemplate };
  /** Set when the connector cannot run as configured (a secret is missing); shown, not hidden. */
  unavailable: { code: string; message: string } | undefined;
}

export interface CompiledConfig {
  connections: ReadonlyMap<string, CompiledConnection>;
  connectors: ReadonlyMap<string, CompiledConnector>;
  workflows: ReadonlyMap<string, CompiledWorkflow>;
  macros: ReadonlyMap<string, CompiledMacro>;
  source: ConnectorConfig;
}

export type CompileConfigResult =
  | { ok: true; compiled: CompiledConfig; warnings: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[] };

export type Path = (string | number)[];
/** The compiled form of a JMESPath expression (the library does not export the type). */
export type ExpressionNode = ReturnType<typeof compileJmesPath>;

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const SAFE_METHODS = new Set(['GET', 'HEAD']);

export class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  error(path: Path, message: string, hint: string): void {
    this.issues.push({ path, message, hint, severity: 'error' });
  }
  warning(path: Path, message: string, hint: string): void {
    this.issues.push({ path, message, hint, severity: 'warning' });
  }
  get hasErrors(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }
}

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
    issues.error(path, parsed.message, parsed.hint);
    return { source, parts: [{ kind: 'text', text: source }], singleRef: undefined };
  }
  for (const part of parsed.template.parts) {
    if (part.kind === 'ref') checkRef(part.ref, path, rules, issues, secretsUsed);
  }
  return parsed.template;
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

function compileJson(
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

function compileExpression(
  expression: string,
  path: Path,
  issues: IssueCollector,
): ExpressionNode | undefined {
  try {
    return compileJmesPath(expression);
  } catch (error) {
    issues.error(
      path,
      `invalid JMESPath expression ${JSON.stringify(expression)}: ${(error as Error).message}`,
      'a plain dotted path such as orders[0].name is valid JMESPath; quote keys with dashes as "my-key"',
    );
    return undefined;
  }
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function checkHeaderName(name: string, path: Path, issues: IssueCollector): void {
  if (!HEADER_NAME.test(name)) {
    issues.error(path, `"${name}" is not a valid header name`, 'use letters, digits and "-"');
  }
}

function compileConnection(
  id: string,
  def: Connection,
  issues: IssueCollector,
  secrets: SecretSource,
): CompiledConnection {
  const base: Path = ['connections', id];
  const baseUrl = new URL(def.baseUrl);
  if (baseUrl.search || baseUrl.hash) {
    issues.error(
      [...base, 'baseUrl'],
      'the base URL must not have a query string or fragment',
      'put query parameters in each connector\'s "request.query"',
    );
  }
  if (baseUrl.username || baseUrl.password) {
    issues.error(
      [...base, 'baseUrl'],
      'the base URL must not carry credentials',
      'use "auth" with {{secrets.NAME}} instead of user:password@host',
    );
  }
  const allowedHosts = def.allowedHosts ?? [baseUrl.hostname];
  if (!isUrlAllowed(baseUrl, allowedHosts, baseUrl.origin)) {
    issues.error(
      [...base, 'allowedHosts'],
      `the base URL (${baseUrl.origin}) is not allowed by allowedHosts: they compare scheme, host and port`,
      `add "${baseUrl.hostname}" to allowedHosts (it then allows ${baseUrl.protocol}//${baseUrl.host})`,
    );
  }
  const variables = new Set(Object.keys(def.variables));
  const rules: RefRules = {
    roots: ['connection', 'secrets'],
    where: 'connection auth and headers',
    variables,
  };
  const secretNames = new Set<string>();
  const headers = Object.entries(def.headers).map(([name, value]) => {
    checkHeaderName(name, [...base, 'headers', name], issues);
    return [
      name,
      compileTemplate(value, [...base, 'headers', name], rules, issues, secretNames),
    ] as [string, ParsedTemplate];
  });
  const at = (...keys: string[]): Path => [...base, 'auth', ...keys];
  const t = (value: string, key: string) =>
    compileTemplate(value, at(key), rules, issues, secretNames);
  let auth: CompiledAuth;
  switch (def.auth.type) {
    case 'none':
      auth = { type: 'none' };
      break;
    case 'bearer':
      auth = { type: 'bearer', token: t(def.auth.token, 'token') };
      break;
    case 'basic':
      auth = {
        type: 'basic',
        username: t(def.auth.username, 'username'),
        password: t(def.auth.password, 'password'),
      };
      break;
    case 'apiKeyHeader':
      auth = { type: 'apiKeyHeader', header: def.auth.header, value: t(def.auth.value, 'value') };
      break;
    case 'oauth2ClientCredentials':
      auth = {
        type: 'oauth2ClientCredentials',
        tokenUrl: def.auth.tokenUrl,
        clientId: t(def.auth.clientId, 'clientId'),
        clientSecret: t(def.auth.clientSecret, 'clientSecret'),
        ...(def.auth.scope === undefined ? {} : { scope: def.auth.scope }),
        ...(def.auth.audience === undefined ? {} : { audience: def.auth.audience }),
      };
      break;
  }
  for (const name of secretNames) {
    if (secrets.get(name) === undefined) {
      issues.warning(
        base,
        `secret ${name} is not set; connectors using connection "${id}" cannot run`,
        `set the environment variable SECRET_${name}, or add "${name}" to the secrets file`,
      );
    }
  }
  return { id, def, baseUrl, allowedHosts, headers, auth, secretNames: [...secretNames] };
}

export function compileWrite(
  spec: WriteSpec,
  path: Path,
  rules: RefRules,
  issues: IssueCollector,
): CompiledWrite {
  const enumTemplate = (value: string | undefined, key: string, allowed: readonly string[]) => {
    if (value === undefined) return undefined;
    const template = compileTemplate(value, [...path, key], rules, issues);
    if (template.parts.every((part) => part.kind === 'text') && !allowed.includes(value)) {
      issues.error(
        [...path, key],
        `"${value}" is not a Zendesk ticket ${key}`,
        `use one of ${allowed.join(', ')}`,
      );
    }
    return template;
  };
  const fields = (record: Record<string, unknown> | undefined, key: string) =>
    Object.entries(record ?? {}).map(([id, value]) => {
      // Ticket field ids are sent as JSON numbers; past 2^53 they would silently name another field.
      if (key === 'customFields' && !Number.isSafeInteger(Number(id))) {
        issues.error(
          [...path, key, id],
          `ticket field id ${id} is too large`,
          'copy the id from Admin Center > Objects and rules > Tickets > Fields',
        );
      }
      return [id, compileJson(value, [...path, key, id], rules, issues)] as [string, CompiledJson];
    });
  const tags = (list: string[] | undefined, key: string) =>
    (list ?? []).map((tag, index) => compileTemplate(tag, [...path, key, index], rules, issues));
  return {
    customFields: fields(spec.customFields, 'customFields'),
    status: enumTemplate(spec.status, 'status', ZENDESK_STATUSES),
    priority: enumTemplate(spec.priority, 'priority', ZENDESK_PRIORITIES),
    type: enumTemplate(spec.type, 'type', ZENDESK_TICKET_TYPES),
    addTags: tags(spec.addTags, 'addTags'),
    removeTags: tags(spec.removeTags, 'removeTags'),
    internalNote:
      spec.internalNote === undefined
        ? undefined
        : compileTemplate(spec.internalNote, [...path, 'internalNote'], rules, issues),
    recordFields: fields(spec.recordFields, 'recordFields'),
  };
}

/** An input's sources as a list; every entry checked, a list's entries reported by index. */
function checkInputSources(input: ConnectorInput, path: Path, issues: IssueCollector): string[] {
  if (input.source === undefined) return [];
  const listed = typeof input.source !== 'string';
  const sources = typeof input.source === 'string' ? [input.source] : input.source;
  const seen = new Map<string, number>();
  sources.forEach((source, index) => {
    const at = listed ? [...path, 'source', index] : [...path, 'source'];
    if (!isValidInputSource(source)) {
      issues.error(
        at,
        `unknown input source "${source}"`,
        'use ticket.<id|subject|description|status|priority|type|tags|brand_id|group_id|external_id|ticket_form_id>, ticket.custom_fields.<field id>, ticket.requester.<id|email|name>, ticket.organization.<id|name>, comment.<body|id|author_id>, agent.<id|email|name> or record.<Field__c>',
      );
    }
    const identity = sourceIdentity(source);
    const first = seen.get(identity);
    if (first !== undefined) {
      issues.error(
        at,
        `"${source}" is already listed at source[${first}]`,
        'list each source once; they are tried in order and the first with a value is used',
      );
    } else {
      seen.set(identity, index);
    }
  });
  return sources;
}

function checkInputs(connector: Connector, base: Path, issues: IssueCollector): CompiledInput[] {
  const seen = new Set<string>();
  return connector.inputs.map((input, index) => {
    const path = [...base, 'inputs', index];
    if (seen.has(input.name)) {
      issues.error(
        [...path, 'name'],
        `duplicate input "${input.name}"`,
        'give each input a unique name',
      );
    }
    seen.add(input.name);
    if (input.source === undefined && !input.prompt && input.default === undefined) {
      issues.error(
        path,
        `input "${input.name}" has no source`,
        'set "source" (e.g. "ticket.subject"), "prompt": true for a value the agent types, or a "default"',
      );
    }
    const sources = checkInputSources(input, path, issues);
    let pattern: LinearPattern | undefined;
    let browserPattern: string | undefined;
    if (input.pattern !== undefined) {
      const compiled = compileLinearPattern(input.pattern);
      if (!compiled.ok) {
        issues.error(
          [...path, 'pattern'],
          `invalid pattern: ${compiled.message}`,
          'patterns use RE2 syntax, which runs in linear time: no lookahead, lookbehind or backreferences; write it without slashes, e.g. "^#?[0-9]+$"',
        );
      } else {
        pattern = compiled.pattern;
        if (!isJavaScriptPattern(input.pattern)) {
          issues.warning(
            [...path, 'pattern'],
            'the sidebar and the Salesforce component cannot check this pattern (it is RE2 syntax JavaScript does not know); the server still enforces it',
            'use syntax both know, e.g. "^[0-9]{1,12}$", so agents see a mistake before they send',
          );
        } else if (!isSafeForBacktracking(input.pattern)) {
          issues.warning(
            [...path, 'pattern'],
            "the apps will not check this pattern in the agent's browser: it repeats a group that repeats (or has more than three unbounded repeats), which can make a browser's engine hang on a hostile ticket value; the server still enforces it",
            'simplify it, e.g. "^[a-z0-9.]+$" instead of "^([a-z0-9]+\\.)*[a-z]+$"',
          );
        } else {
          browserPattern = input.pattern;
        }
      }
    }
    return { def: input, sources, pattern, browserPattern };
  });
}

function compileConnector(
  connector: Connector,
  index: number,
  connections: ReadonlyMap<string, CompiledConnection>,
  issues: IssueCollector,
  secrets: SecretSource,
): CompiledConnector | undefined {
  const base: Path = ['connectors', index];
  const connection = connections.get(connector.connection);
  if (!connection) {
    const known = [...connections.keys()];
    issues.error(
      [...base, 'connection'],
      `unknown connection "${connector.connection}"`,
      known.length
        ? `use one of: ${known.join(', ')}, or add it under "connections"`
        : 'add it under "connections"',
    );
  }
  const inputs = checkInputs(connector, base, issues);
  const inputNames = new Set(connector.inputs.map((input) => input.name));
  // With an unknown connection its variables are unknown too; one error about it is enough.
  const variables = connection ? new Set(Object.keys(connection.def.variables)) : undefined;
  const outputNames = new Set<string>();
  const outputs: CompiledOutput[] = [];
  connector.response.outputs.forEach((output, outputIndex) => {
    const path = [...base, 'response', 'outputs', outputIndex];
    if (outputNames.has(output.name)) {
      issues.error(
        [...path, 'name'],
        `duplicate output "${output.name}"`,
        'give each output a unique name',
      );
    }
    outputNames.add(output.name);
    const expression = compileExpression(output.path, [...path, 'path'], issues);
    if (expression) outputs.push({ def: output, expression });
  });

  const request = connector.request;
  const rp: Path = [...base, 'request'];
  const valueRules = (where: string): RefRules => ({
    roots: ['inputs', 'connection'],
    where,
    inputs: inputNames,
    variables,
  });
  if (request.path && !request.path.startsWith('/')) {
    issues.error(
      [...rp, 'path'],
      'the request path must start with "/"',
      `write "/${request.path}"`,
    );
  }
  if (/[?#]/.test(request.path.replace(/\{\{[^}]*\}\}/g, ''))) {
    issues.error(
      [...rp, 'path'],
      'the request path must not contain "?" or "#"',
      'put query parameters in "request.query"; they are encoded for you',
    );
  }
  const path = compileTemplate(
    request.path,
    [...rp, 'path'],
    valueRules('the request path'),
    issues,
  );
  const query = Object.entries(request.query).map(
    ([key, value]) =>
      [key, compileTemplate(value, [...rp, 'query', key], valueRules('the query'), issues)] as [
        string,
        ParsedTemplate,
      ],
  );
  const headerRules: RefRules = {
    ...valueRules('headers'),
    roots: ['inputs', 'connection', 'secrets'],
  };
  const secretNames = new Set<string>();
  const headers = Object.entries(request.headers).map(([name, value]) => {
    checkHeaderName(name, [...rp, 'headers', name], issues);
    const headerSecrets = new Set<string>();
    const template = compileTemplate(
      value,
      [...rp, 'headers', name],
      headerRules,
      issues,
      headerSecrets,
    );
    for (const secret of headerSecrets) {
      secretNames.add(secret);
      if (secrets.get(secret) === undefined) {
        issues.warning(
          [...rp, 'headers', name],
          `secret ${secret} is not set; connector "${connector.id}" cannot run`,
          `set the environment variable SECRET_${secret}, or add "${secret}" to the secrets file`,
        );
      }
    }
    return [name, template] as [string, ParsedTemplate];
  });
  let body: CompiledBody | undefined;
  if (request.body) {
    const bp = [...rp, 'body', 'value'];
    const rules = valueRules('the request body');
    if (request.method === 'GET' || request.method === 'HEAD') {
      issues.error(
        [...rp, 'body'],
        `a ${request.method} request cannot have a body`,
        'use "query", or change "method"',
      );
    }
    switch (request.body.type) {
      case 'json':
        body = { type: 'json', value: compileJson(request.body.value, bp, rules, issues) };
        break;
      case 'form':
        body = {
          type: 'form',
          value: Object.entries(request.body.value).map(
            ([key, value]) =>
              [key, compileTemplate(value, [...bp, key], rules, issues)] as [
                string,
                ParsedTemplate,
              ],
          ),
        };
        break;
      case 'text':
        body = {
          type: 'text',
          value: compileTemplate(request.body.value, bp, rules, issues),
          contentType: request.body.contentType,
        };
        break;
    }
  }

  const response = connector.response;
  const root =
    response.root === undefined
      ? undefined
      : compileExpression(response.root, [...base, 'response', 'root'], issues);
  const emptyWhen =
    response.emptyWhen === undefined
      ? undefined
      : compileExpression(response.emptyWhen, [...base, 'response', 'emptyWhen'], issues);

  const redacted = {
    inputs: new Set(connector.inputs.filter((input) => input.redact).map((input) => input.name)),
    outputs: new Set(
      response.outputs.filter((output) => output.redact).map((output) => output.name),
    ),
  };
  const successRules: RefRules = {
    ...valueRules('success write-back'),
    roots: ['inputs', 'connection', 'outputs'],
    outputs: outputNames,
    redacted,
  };
  const emptyRules: RefRules = {
    ...valueRules('empty write-back'),
    roots: ['inputs', 'connection'],
    redacted,
  };
  const failureRules: RefRules = {
    ...valueRules('failure write-back'),
    roots: ['inputs', 'connection', 'error'],
    redacted,
  };
  const wb = connector.writeBack;
  const wp: Path = [...base, 'writeBack'];
  const writeBack = {
    ...(wb.success
      ? { success: compileWrite(wb.success, [...wp, 'success'], successRules, issues) }
      : {}),
    ...(wb.empty
      ? {
          empty: compileWrite(
            wb.empty,
            [...wp, 'empty'],
            { ...emptyRules, where: 'empty write-back' },
            issues,
          ),
        }
      : {}),
    ...(wb.failure
      ? { failure: compileWrite(wb.failure, [...wp, 'failure'], failureRules, issues) }
      : {}),
  };
  const mp: Path = [...base, 'messages'];
  const m = connector.messages;
  const messages = {
    ...(m.success === undefined
      ? {}
      : {
          success: compileTemplate(
            m.success,
            [...mp, 'success'],
            { ...successRules, where: 'the success message' },
            issues,
          ),
        }),
    ...(m.empty === undefined
      ? {}
      : {
          empty: compileTemplate(
            m.empty,
            [...mp, 'empty'],
            { ...emptyRules, where: 'the empty message' },
            issues,
          ),
        }),
    ...(m.failure === undefined
      ? {}
      : {
          failure: compileTemplate(
            m.failure,
            [...mp, 'failure'],
            { ...failureRules, where: 'the failure message' },
            issues,
          ),
        }),
  };

  if (!connection) return undefined;
  const confirm = connector.confirm ?? !SAFE_METHODS.has(request.method);
  // Secrets this connector's own headers use belong to it alone: adding them to the shared
  // connection would make every other connector on it unavailable when one of them is missing.
  const ownSecrets = [...secretNames].filter((name) => !connection.secretNames.includes(name));
  return {
    id: connector.id,
    def: connector,
    connection: ownSecrets.length
      ? { ...connection, secretNames: [...connection.secretNames, ...ownSecrets] }
      : connection,
    confirm,
    idempotent: IDEMPOTENT_METHODS.has(request.method),
    inputs,
    request: { method: request.method, path, query, headers, body },
    response: { root, emptyWhen, outputs },
    writeBack,
    messages,
    unavailable: undefined,
  };
}

/** Compiles and checks a schema-valid config; issues carry JSON paths into it. */
export function compileConfig(
  config: ConnectorConfig,
  deps: {
    secrets: SecretSource;
    /** The biggest JSON body the server's heap admits (the server passes it; the CLI does not). */
    maxJsonBodyBytes?: number;
  },
): CompileConfigResult {
  const issues = new IssueCollector();
  const connections = new Map<string, CompiledConnection>();
  for (const [id, def] of Object.entries(config.connections)) {
    connections.set(id, compileConnection(id, def, issues, deps.secrets));
    if (deps.maxJsonBodyBytes !== undefined && def.maxResponseBytes > deps.maxJsonBodyBytes) {
      issues.warning(
        ['connections', id, 'maxResponseBytes'],
        `allows ${formatMiB(def.maxResponseBytes)} answers, but this server's heap admits JSON bodies up to about ${formatMiB(deps.maxJsonBodyBytes)}; bigger ones will fail with UPSTREAM_RESPONSE_BUDGET_EXCEEDED`,
        'lower maxResponseBytes, or start the server with a larger --max-old-space-size (see the README)',
      );
    }
  }
  const connectors = new Map<string, CompiledConnector>();
  const firstIndex = new Map<string, number>();
  config.connectors.forEach((connector, index) => {
    const previous = firstIndex.get(connector.id);
    if (previous !== undefined) {
      issues.error(
        ['connectors', index, 'id'],
        `duplicate connector id "${connector.id}" (also used by connectors[${previous}])`,
        'give every connector a unique id',
      );
      return;
    }
    firstIndex.set(connector.id, index);
    const compiled = compileConnector(connector, index, connections, issues, deps.secrets);
    if (compiled) connectors.set(compiled.id, compiled);
  });
  const { workflows, macros } = compileWorkflows(config, connectors, issues);
  if (issues.hasErrors) return { ok: false, issues: issues.issues };
  for (const connector of connectors.values()) {
    const missing = connector.connection.secretNames.filter(
      (name) => deps.secrets.get(name) === undefined,
    );
    if (missing.length) {
      connector.unavailable = {
        code: 'CONFIG_SECRET_MISSING',
        message: `secret ${missing.join(', ')} is not set on the server`,
      };
    }
  }
  const compiled: CompiledConfig = { connections, connectors, workflows, macros, source: config };
  return { ok: true, compiled: deepFreeze(compiled), warnings: issues.issues };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    if (value instanceof Map || value instanceof URL || value instanceof RegExp) {
      if (value instanceof Map) for (const item of value.values()) deepFreeze(item);
      return value;
    }
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
