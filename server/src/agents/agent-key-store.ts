import * as z from 'zod';

/**
 * Named keys that AI agents present to /mcp (and to the OpenAPI actions): each scoped to a list
 * of connectors, stored only as a hash, revocable. An admin creates them with the CLI or the
 * admin API and sees the key once.
 */

export const agentKeyNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}$/,
    'use letters, digits, spaces, ".", "_" or "-" (64 at most), starting with a letter or digit',
  );

export interface AgentKeyRecord {
  /** What the run log names as the actor ("Zendesk AI agent"). Unique among keys. */
  name: string;
  /** The connectors its tools may run; `*` alone: every connector with the agent surface. */
  connectorIds: string[];
  /** The key's first characters, to tell keys apart in lists (never enough to use it). */
  prefix: string;
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export type AgentKeyError =
  | { code: 'AGENT_KEY_NAME_TAKEN'; message: string }
  | { code: 'AGENT_KEY_NOT_FOUND'; message: string };

export interface AgentKeyStore {
  /** Stores a new key by the hash of its secret; refuses a name already in use (even revoked). */
  insert(
    record: AgentKeyRecord,
    secretHash: string,
  ): Promise<{ ok: true } | { ok: false; error: AgentKeyError }>;
  /** The key whose secret hashes to this, revoked or not. */
  findByHash(secretHash: string): Promise<AgentKeyRecord | undefined>;
  list(): Promise<AgentKeyRecord[]>;
  revoke(name: string, at: string): Promise<{ ok: true } | { ok: false; error: AgentKeyError }>;
  /** Recorded at most once a minute per key: it is shown in lists, not used for decisions. */
  touch(name: string, at: string): Promise<void>;
  close(): Promise<void>;
}
