import { compile as compileJmesPath } from '@jmespath-community/jmespath';
import type { Connection } from '../../../shared/src/config/connector-config-schema';
import { isUrlAllowed } from '../request/ssrf-guard';
import type { SecretSource } from '../secrets/secret-source';
import type { ParsedTemplate } from './template';
import type { CompiledAuth, CompiledConnection, Path } from './compiled-model';
import type { IssueCollector } from './config-issues';
import { mapAuthTemplates } from '../request/auth/auth-kinds';
import { compileTemplate } from './compile-references';
import type { RefRules } from './compile-references';

/** Connections: base URL, allowed hosts, headers and auth, with secret placement enforced. */

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function checkHeaderName(name: string, path: Path, issues: IssueCollector): void {
  if (!HEADER_NAME.test(name)) {
    issues.error(path, `"${name}" is not a valid header name`, 'use letters, digits and "-"');
  }
}

export function compileConnection(
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
  const auth: CompiledAuth = mapAuthTemplates(def.auth, (value: string, field) => t(value, field));
  if (def.auth.type === 'oauth2AuthorizationCode' && def.auth.expiredWhen !== undefined) {
    try {
      compileJmesPath(def.auth.expiredWhen);
    } catch (error) {
      issues.error(
        at('expiredWhen'),
        `not a JMESPath expression: ${error instanceof Error ? error.message : String(error)}`,
        'e.g. "error.code == \'TOKEN_EXPIRED\'"',
      );
    }
  }
  // A private key written into the config file would be read by everyone who can read the config,
  // land in its history and in config diffs; it belongs in the secrets.
  if (auth.type === 'jwtBearer' && auth.privateKey.singleRef?.root !== 'secrets') {
    issues.error(
      at('privateKey'),
      'the private key must be a secret reference',
      'write "{{secrets.NAME}}" and put the PEM key in SECRET_NAME or the secrets file',
    );
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
