import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CompiledConfig } from '../compile/compiled-model';
import { compileTestConfig } from '../test-support/test-config';
import type { AgentKeyRecord } from './agent-key-store';
import { describeAgentTool, describeAgentTools } from './describe-agent-tools';

const readJson = (path: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8'));

function exampleConfig(): CompiledConfig {
  const result = compileTestConfig(
    readJson('config/connectors.json'),
    readJson('config/sandbox.secrets.json') as Record<string, string>,
  );
  if (!result.ok) throw new Error('the example config did not compile');
  return result.value.compiled;
}

const everyConnector: AgentKeyRecord = {
  name: 'Zendesk AI agent',
  connectorIds: ['*'],
  prefix: 'dca_1234',
  createdAt: '2026-12-01T00:00:00.000Z',
};

describe('describeAgentTool: one description per compiled connector', () => {
  it('gives the same tool for the same connector and helpdesks, request after request', () => {
    const config = exampleConfig();
    const first = describeAgentTools(config, everyConnector, ['zendesk', 'salesforce']);
    const second = describeAgentTools(config, everyConnector, ['zendesk', 'salesforce']);
    expect(first.size).toBeGreaterThan(0);
    for (const [name, tool] of first) expect(second.get(name)).toBe(tool);
  });

  it('describes a connector again for other helpdesks, and for a new config', () => {
    const config = exampleConfig();
    const lookup = config.connectors.get('shopify_order_lookup');
    if (!lookup) throw new Error('the example config has no shopify_order_lookup');
    const both = describeAgentTool(lookup, ['zendesk', 'salesforce']);
    const zendeskOnly = describeAgentTool(lookup, ['zendesk']);
    expect(both?.systems).toEqual(['zendesk', 'salesforce']);
    expect(zendeskOnly?.systems).toEqual(['zendesk']);
    expect(describeAgentTool(lookup, ['zendesk'])).toBe(zendeskOnly);
    const reloaded = exampleConfig().connectors.get('shopify_order_lookup');
    if (!reloaded) throw new Error('the example config has no shopify_order_lookup');
    const again = describeAgentTool(reloaded, ['zendesk']);
    expect(again).not.toBe(zendeskOnly);
    expect(again).toEqual(zendeskOnly);
  });

  it('remembers that a connector is no tool, too', () => {
    const config = exampleConfig();
    const sidebarOnly = [...config.connectors.values()].find(
      (connector) => !connector.def.surfaces.includes('agent'),
    );
    if (!sidebarOnly)
      throw new Error('the example config has no connector without the agent surface');
    expect(describeAgentTool(sidebarOnly, ['zendesk'])).toBeUndefined();
    expect(describeAgentTool(sidebarOnly, ['zendesk'])).toBeUndefined();
  });
});
