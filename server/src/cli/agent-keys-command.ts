import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createAgentKeys } from '../agents/agent-keys';
import type { AgentKeyStore } from '../agents/agent-key-store';
import { openPostgresAgentKeyStore } from '../agents/postgres-agent-key-store';
import { openSqliteAgentKeyStore } from '../agents/sqlite-agent-key-store';
import { AGENT_KEYS_FILE } from '../storage/open-sqlite-storage';
import { openPostgresStore } from '../storage/postgres/open-postgres-store';
import type { StoreLocation } from '../storage/storage';
import { parseCliOptions } from './parse-cli-options';

export const AGENT_KEYS_USAGE = `  npm run connectors -- agent-keys create <name> --connectors <id,id,…|*>
  npm run connectors -- agent-keys list
  npm run connectors -- agent-keys revoke <name>
      keys for AI agents calling /mcp; a new key is printed once, only its hash is stored`;

export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `agent-keys create|list|revoke`: the same store the running server reads, so a revoked key is
 * refused by it at once.
 */
export async function runAgentKeysCommand(
  where: StoreLocation,
  args: string[],
  /** The config's connectors with the agent surface; undefined when it does not load. */
  agentConnectorIds: readonly string[] | undefined,
): Promise<CommandOutput> {
  const [action, ...rest] = args;
  const usage = (problem: string): CommandOutput => ({
    code: 2,
    stdout: '',
    stderr: `connectors agent-keys: ${problem}\nusage:\n${AGENT_KEYS_USAGE}\n`,
  });
  let store: AgentKeyStore;
  if (where.database) {
    const opened = await openPostgresStore(where.database, (pool) =>
      openPostgresAgentKeyStore({ pool }),
    );
    if (!opened.ok) return { code: 1, stdout: '', stderr: `${opened.error}\n` };
    store = opened.value;
  } else {
    mkdirSync(where.dataDir, { recursive: true });
    store = openSqliteAgentKeyStore({ path: join(where.dataDir, AGENT_KEYS_FILE) });
  }
  const keys = createAgentKeys(store);
  try {
    if (action === 'list' && rest.length === 0) {
      const list = await keys.list();
      if (list.length === 0) return { code: 0, stdout: 'No agent keys yet.\n', stderr: '' };
      const lines = list.map(
        (key) =>
          `${key.name}  ${key.prefix}…  connectors: ${key.connectorIds.join(',')}  created ${key.createdAt}` +
          `${key.lastUsedAt ? `  last used ${key.lastUsedAt}` : ''}${key.revokedAt ? `  REVOKED ${key.revokedAt}` : ''}`,
      );
      return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
    }
    if (action === 'revoke' && rest.length === 1 && rest[0] !== undefined) {
      const revoked = await keys.revoke(rest[0]);
      return revoked.ok
        ? { code: 0, stdout: `Revoked agent key "${rest[0]}".\n`, stderr: '' }
        : { code: 1, stdout: '', stderr: `${revoked.error.message}\n` };
    }
    if (action === 'create') {
      const parsed = parseCliOptions(rest, { connectors: { type: 'string' } });
      if (!parsed.ok) return usage(parsed.error);
      const [name, ...extra] = parsed.value.positionals;
      const connectors = parsed.value.values.connectors;
      if (name === undefined || extra.length > 0)
        return usage('give one name (quote it if it has spaces)');
      if (typeof connectors !== 'string') return usage('--connectors is required');
      const created = await keys.create({
        name,
        connectorIds: connectors
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
        ...(agentConnectorIds ? { agentConnectorIds } : {}),
      });
      if (!created.ok) return { code: 1, stdout: '', stderr: `${created.error.message}\n` };
      return {
        code: 0,
        stdout:
          `Agent key "${created.value.record.name}" for ${created.value.record.connectorIds.join(', ')}:\n\n` +
          `  ${created.value.key}\n\n` +
          "It is shown this once and stored only as a hash: put it in the AI agent's settings now\n" +
          '(Authorization: Bearer <key>). Revoke it with "agent-keys revoke".\n',
        stderr: '',
      };
    }
    return usage(action === undefined ? 'name an action' : `unknown action "${action}"`);
  } finally {
    await store.close();
  }
}
