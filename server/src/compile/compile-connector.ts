import type { Connector, ConnectorInput } from '../../../shared/src/config/connector-config-schema';
import {
  compileLinearPattern,
  isJavaScriptPattern,
  isSafeForBacktracking,
} from '../inputs/linear-pattern';
import type { LinearPattern } from '../inputs/linear-pattern';
import type { SecretSource } from '../secrets/secret-source';
import type { ParsedTemplate } from './template';
import { describeSources, isKnownSource, isReadableOn, sourceIdentityOf } from './config-format';
import type { ConfigFormat } from './config-format';
import type {
  CompiledBody,
  CompiledConnection,
  CompiledConnector,
  CompiledFailWhen,
  CompiledInput,
  CompiledOutput,
  Path,
} from './compiled-model';
import type { IssueCollector } from './config-issues';
import { compileAppliesWhen, compileWrite } from './compile-helpdesk-groups';
import { compileExpression, compileJson, compileTemplate } from './compile-references';
import type { RefRules } from './compile-references';
import { checkHeaderName } from './compile-connection';
import { compileAlerts } from './compile-alerts';

/** Connectors: inputs, request, response outputs and write-back, checked against their connection. */

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** An input's sources as a list; every entry checked, a list's entries reported by index. */
function checkInputSources(
  input: ConnectorInput,
  path: Path,
  issues: IssueCollector,
  format: ConfigFormat,
): string[] {
  if (input.source === undefined) return [];
  const listed = typeof input.source !== 'string';
  const sources = typeof input.source === 'string' ? [input.source] : input.source;
  const seen = new Map<string, number>();
  sources.forEach((source, index) => {
    const at = listed ? [...path, 'source', index] : [...path, 'source'];
    if (!isKnownSource(format, source)) {
      issues.error(at, `unknown input source "${source}"`, `use ${describeSources(format)}`);
    }
    const identity = sourceIdentityOf(format, source);
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

function checkInputs(
  connector: Connector,
  base: Path,
  issues: IssueCollector,
  format: ConfigFormat,
): CompiledInput[] {
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
    const sources = checkInputSources(input, path, issues, format);
    let pattern: LinearPattern | undefined;
    let browserPattern: string | undefined;
    if (input.pattern !== undefined) {
      const compiled = compileLinearPattern(input.pattern);
      if (!compiled.ok) {
        issues.error(
          [...path, 'pattern'],
          `invalid pattern: ${compiled.error.message}`,
          'patterns use RE2 syntax, which runs in linear time: no lookahead, lookbehind or backreferences; write it without slashes, e.g. "^#?[0-9]+$"',
        );
      } else {
        pattern = compiled.value;
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
    const sourcesOn = Object.fromEntries(
      format.helpdesks.map(({ system }) => [
        system,
        sources.filter((source) => isReadableOn(format, source, system)),
      ]),
    );
    return { def: input, sources, sourcesOn, pattern, browserPattern };
  });
}

/**
 * `failWhen` and the two rules that only mean something with it. A `failureMessage` or
 * `failureKind` without `failWhen` would never be read, so it is an error rather than silently
 * ignored: the admin meant the answer to be able to fail.
 */
function compileFailWhen(
  response: Connector['response'],
  path: Path,
  issues: IssueCollector,
): CompiledFailWhen | undefined {
  const message =
    response.failureMessage === undefined
      ? undefined
      : compileExpression(response.failureMessage, [...path, 'failureMessage'], issues);
  const kindPath =
    response.failureKind === undefined
      ? undefined
      : compileExpression(response.failureKind.path, [...path, 'failureKind', 'path'], issues);
  if (response.failWhen === undefined) {
    for (const rule of ['failureMessage', 'failureKind'] as const) {
      if (response[rule] === undefined) continue;
      issues.error(
        [...path, rule],
        `response.${rule} is only read when response.failWhen says the answer is a failure`,
        'add "failWhen" (e.g. "ok == `false`") or remove this rule',
      );
    }
    return undefined;
  }
  const when = compileExpression(response.failWhen, [...path, 'failWhen'], issues);
  if (!when) return undefined;
  return {
    when,
    message,
    kind:
      response.failureKind && kindPath
        ? {
            path: kindPath,
            kinds: response.failureKind.kinds,
            otherwise: response.failureKind.otherwise,
          }
        : undefined,
  };
}

export function compileConnector(
  connector: Connector,
  index: number,
  connections: ReadonlyMap<string, CompiledConnection>,
  issues: IssueCollector,
  secrets: SecretSource,
  format: ConfigFormat,
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
  const inputs = checkInputs(connector, base, issues, format);
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
  const failWhen = compileFailWhen(response, [...base, 'response'], issues);
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
      ? { success: compileWrite(wb.success, [...wp, 'success'], successRules, issues, format) }
      : {}),
    ...(wb.empty
      ? {
          empty: compileWrite(
            wb.empty,
            [...wp, 'empty'],
            { ...emptyRules, where: 'empty write-back' },
            issues,
            format,
          ),
        }
      : {}),
    ...(wb.failure
      ? { failure: compileWrite(wb.failure, [...wp, 'failure'], failureRules, issues, format) }
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
    failures: Object.fromEntries(
      Object.entries(m.failures ?? {}).flatMap(([kind, template]) =>
        template === undefined
          ? []
          : [
              [
                kind,
                compileTemplate(
                  template,
                  [...mp, 'failures', kind],
                  { ...failureRules, where: `the ${kind} message` },
                  issues,
                ),
              ],
            ],
      ),
    ),
  };

  const lp: Path = [...base, 'link'];
  const linkRules = { ...successRules, where: 'the link' };
  const link = connector.link && {
    label: compileTemplate(connector.link.label, [...lp, 'label'], linkRules, issues),
    url: compileTemplate(connector.link.url, [...lp, 'url'], linkRules, issues),
  };
  const linkStart = link?.url.parts[0];
  if (linkStart?.kind === 'text' && !/^https?:\/\//i.test(linkStart.text)) {
    issues.error(
      [...lp, 'url'],
      'the link must be an http:// or https:// address',
      'Start it with https:// or with a connection variable that holds the site address, e.g. "{{connection.site_url}}/browse/{{outputs.issue_key}}".',
    );
  }

  const alerts = compileAlerts(
    connector.alerts,
    connector.id,
    [...base, 'alerts'],
    issues,
    secrets,
  );

  if (!connection) return undefined;
  const confirm = connector.confirm ?? !SAFE_METHODS.has(request.method);
  // Secrets this connector's own headers use belong to it alone: adding them to the shared
  // connection would make every other connector on it unavailable when one of them is missing.
  const ownSecrets = [...secretNames].filter((name) => !connection.secretNames.includes(name));
  return {
    id: connector.id,
    def: connector,
    appliesWhen: compileAppliesWhen(
      connector.appliesWhen,
      [...base, 'appliesWhen'],
      issues,
      format,
    ),
    connection: ownSecrets.length
      ? { ...connection, secretNames: [...connection.secretNames, ...ownSecrets] }
      : connection,
    confirm,
    idempotent: IDEMPOTENT_METHODS.has(request.method),
    inputs,
    request: { method: request.method, path, query, headers, body },
    response: { root, failWhen, emptyWhen, outputs },
    writeBack,
    messages,
    link,
    unavailable: undefined,
    alerts,
  };
}

/** Compiles and checks a schema-valid config; issues carry JSON paths into it. */
