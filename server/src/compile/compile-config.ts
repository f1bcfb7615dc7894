import type { ConnectorConfig } from '../../../shared/src/config/connector-config-schema';
import { formatMiB } from '../request/response-buffer-budget';
import type { SecretSource } from '../secrets/secret-source';
import type {
  CompileConfigResult,
  CompiledConfig,
  CompiledConnection,
  CompiledConnector,
} from './compiled-model';
import { forEachUniqueId, IssueCollector } from './config-issues';
import { compileConnection } from './compile-connection';
import { compileConnector } from './compile-connector';
import { compileWorkflows } from './compile-workflows';
import type { ConfigFormat } from './config-format';

/**
 * Compiles a validated config once, when it loads: every template is parsed and its references
 * checked, every JMESPath expression compiled, secret placement enforced. The executor then works
 * only on this frozen form and never re-interprets raw admin input.
 */

export function compileConfig(
  config: ConnectorConfig,
  deps: {
    /** The format the config was parsed with: its helpdesks compile their own parts. */
    format: ConfigFormat;
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
  forEachUniqueId(
    config.connectors,
    'connectors',
    'give every connector a unique id',
    issues,
    (connector, index) => {
      const compiled = compileConnector(
        connector,
        index,
        connections,
        issues,
        deps.secrets,
        deps.format,
      );
      if (compiled) connectors.set(compiled.id, compiled);
    },
  );
  const { workflows, macros } = compileWorkflows(config, connectors, issues, deps.format);
  if (issues.hasErrors) return { ok: false, error: { issues: issues.issues } };
  for (const connector of connectors.values()) {
    const missing = connector.connection.secretNames.filter(
      (name) => deps.secrets.get(name) === undefined,
    );
    if (missing.length) {
      connector.unavailable = {
        code: 'CONFIG_SECRET_MISSING',
        // Agents and AI agents read this: no secret names. Admins see which secret in the
        // connection's warning (/health, `connectors check`).
        message:
          'A credential this connector needs is not set on the server yet; an admin can see which one in /health.',
      };
    }
  }
  const compiled: CompiledConfig = { connections, connectors, workflows, macros, source: config };
  return { ok: true, value: { compiled: deepFreeze(compiled), warnings: issues.issues } };
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
