import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import { createSecretSource } from '../secrets/secret-source';
import { compileConfig } from '../compile/compile-config';
import type { CompileConfigResult, CompiledConnector } from '../compile/compiled-model';

/**
 * Test support: small configs built through the real schema and compile step, so tests exercise
 * exactly what a config file would produce.
 */

export const TEST_SECRETS: Readonly<Record<string, string>> = {
  API_TOKEN: 'tok_live_5f2c9e1a7b',
  TENANT_KEY: 'tenant-key-83d1c0',
};

export const TEST_CONNECTION_ID = 'api';
export const TEST_CONNECTOR_ID = 'test_connector';

export interface TestConfigParts {
  /** Merged over a connector with a GET to "/items" on the test connection. */
  connector?: Record<string, unknown>;
  /** Merged over a bearer-auth connection to https://api.example.com/v1. */
  connection?: Record<string, unknown>;
}

/** A raw (pre-schema) config with one connection and one connector. */
export function buildTestConfig(parts: TestConfigParts = {}): Record<string, unknown> {
  return {
    connections: {
      [TEST_CONNECTION_ID]: {
        baseUrl: 'https://api.example.com/v1',
        auth: { type: 'bearer', token: '{{secrets.API_TOKEN}}' },
        ...parts.connection,
      },
    },
    connectors: [
      {
        id: TEST_CONNECTOR_ID,
        name: 'Test connector',
        connection: TEST_CONNECTION_ID,
        request: { method: 'GET', path: '/items' },
        ...parts.connector,
      },
    ],
  };
}

/** Parses a raw config with the schema (a schema failure is a bug in the test) and compiles it. */
export function compileTestConfig(
  raw: unknown,
  secrets: Readonly<Record<string, string>> = TEST_SECRETS,
): CompileConfigResult {
  const format = BUILT_IN_CONFIG_FORMAT;
  const config = format.schemas.connectorConfigSchema.parse(raw);
  return compileConfig(config, { format, secrets: createSecretSource({ ...secrets }) });
}

/**
 * Compiles a one-connector config and returns the connector.
 *
 * @example
 * const connector = compileTestConnector({ connector: { request: { path: '/orders/{{inputs.id}}' } } });
 */
export function compileTestConnector(
  parts: TestConfigParts = {},
  secrets: Readonly<Record<string, string>> = TEST_SECRETS,
): CompiledConnector {
  const result = compileTestConfig(buildTestConfig(parts), secrets);
  if (!result.ok) {
    throw new Error(
      `test config does not compile: ${JSON.stringify(result.error.issues, null, 2)}`,
    );
  }
  const connector = result.value.compiled.connectors.get(TEST_CONNECTOR_ID);
  if (!connector) throw new Error('test connector missing from the compiled config');
  return connector;
}
