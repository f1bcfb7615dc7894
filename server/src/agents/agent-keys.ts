import { createHash, randomBytes } from 'node:crypto';
import type { Result } from '../../../shared/src/result';
import { agentKeyNameSchema } from './agent-key-store';
import type { AgentKeyError, AgentKeyRecord, AgentKeyStore } from './agent-key-store';

/** Agent keys start with this, so a leaked one is recognisable (secret scanners, logs). */
export const AGENT_KEY_PREFIX = 'dcak_';
const KEY_PATTERN = /^dcak_[A-Za-z0-9_-]{43}$/;
const TOUCH_EVERY_MS = 60_000;

/**
 * The key's secret is 256 random bits, so a plain SHA-256 is enough to store it: there is nothing
 * to guess, unlike a password, and a lookup by hash needs no slow hash per request.
 */
export function hashAgentKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export type CreateAgentKeyError = AgentKeyError | { code: 'AGENT_KEY_INVALID'; message: string };

export interface AgentKeys {
  /** A new key: the secret is in the answer once and nowhere else. */
  create(options: {
    name: string;
    connectorIds: readonly string[];
    /** The connectors with the agent surface in the config: any other id is refused. */
    agentConnectorIds?: readonly string[];
  }): Promise<Result<{ key: string; record: AgentKeyRecord }, CreateAgentKeyError>>;
  /** The live key this bearer token is, or undefined (unknown, malformed or revoked). */
  verify(token: string): Promise<AgentKeyRecord | undefined>;
  list(): Promise<AgentKeyRecord[]>;
  revoke(name: string): Promise<Result<void, AgentKeyError>>;
}

const CONNECTOR_ID = /^[a-z][a-z0-9_-]{1,63}$/;

export function createAgentKeys(
  store: AgentKeyStore,
  options: { now?: () => number } = {},
): AgentKeys {
  const now = options.now ?? Date.now;
  const lastTouched = new Map<string, number>();
  return {
    async create({ name, connectorIds, agentConnectorIds }) {
      const parsedName = agentKeyNameSchema.safeParse(name);
      if (!parsedName.success) {
        return {
          ok: false,
          error: {
            code: 'AGENT_KEY_INVALID',
            message: `name: ${parsedName.error.issues[0]?.message ?? 'not a valid name'}`,
          },
        };
      }
      const ids = [...new Set(connectorIds)];
      const wildcard = ids.length === 1 && ids[0] === '*';
      if (ids.length === 0 || (!wildcard && ids.some((id) => !CONNECTOR_ID.test(id)))) {
        return {
          ok: false,
          error: {
            code: 'AGENT_KEY_INVALID',
            message:
              'connectors: name the connector ids this key may run (comma-separated), or "*" for every connector with the agent surface.',
          },
        };
      }
      const unknown = wildcard
        ? []
        : ids.filter((id) => agentConnectorIds && !agentConnectorIds.includes(id));
      if (unknown.length > 0) {
        return {
          ok: false,
          error: {
            code: 'AGENT_KEY_INVALID',
            message: `connectors: ${unknown.map((id) => `"${id}"`).join(', ')} ${unknown.length === 1 ? 'is not a connector' : 'are not connectors'} with the "agent" surface in the config. Those that are: ${agentConnectorIds?.join(', ') || 'none yet (add "agent" to a connector\'s "surfaces")'}.`,
          },
        };
      }
      const key = AGENT_KEY_PREFIX + randomBytes(32).toString('base64url');
      const record: AgentKeyRecord = {
        name: parsedName.data,
        connectorIds: ids,
        prefix: key.slice(0, AGENT_KEY_PREFIX.length + 4),
        createdAt: new Date(now()).toISOString(),
      };
      const inserted = await store.insert(record, hashAgentKey(key));
      return inserted.ok ? { ok: true, value: { key, record } } : inserted;
    },

    async verify(token) {
      if (!KEY_PATTERN.test(token)) return undefined;
      const record = await store.findByHash(hashAgentKey(token));
      if (!record || record.revokedAt !== undefined) return undefined;
      const at = now();
      if (at - (lastTouched.get(record.name) ?? 0) > TOUCH_EVERY_MS) {
        lastTouched.set(record.name, at);
        await store.touch(record.name, new Date(at).toISOString());
      }
      return record;
    },

    list: () => store.list(),

    async revoke(name) {
      const revoked = await store.revoke(name, new Date(now()).toISOString());
      return revoked.ok ? { ok: true, value: undefined } : revoked;
    },
  };
}

/** Whether a key's scope names this connector. */
export function keyAllowsConnector(record: AgentKeyRecord, connectorId: string): boolean {
  return record.connectorIds.includes('*') || record.connectorIds.includes(connectorId);
}
