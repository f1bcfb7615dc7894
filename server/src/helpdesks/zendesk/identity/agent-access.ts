import type { Logger } from '../../../logging/logger';
import type { ZendeskClient } from '../client/zendesk-client';
import type { ZendeskError } from '../client/zendesk-errors';
import type { Result } from '../../../../../shared/src/result';
import { canViewTicket, readTicketRestriction } from './ticket-visibility';
import type { AgentProfile, TicketAccessFacts } from './ticket-visibility';

/**
 * What Zendesk says an agent may see, looked up with the server's own Zendesk credentials and
 * cached briefly: the sidebar opens three or four API calls at once, and each must be checked
 * without costing Zendesk four user lookups. A change in Zendesk (an agent suspended, moved out
 * of a group, made a light agent) reaches this server within `cacheSeconds`.
 */
export type AgentAccessErrorCode =
  /** Not an active agent or admin with Support access (or no such user). */
  'AGENT_NOT_ALLOWED' | 'HELPDESK_UNAVAILABLE' | 'HELPDESK_AUTH_FAILED';

export interface AgentAccessError {
  code: AgentAccessErrorCode;
  message: string;
}

export interface AgentAccess {
  /** The agent as Zendesk has them now (cached). */
  loadAgent(userId: number): Promise<Result<AgentProfile, AgentAccessError>>;
  /** Whether the agent may open a ticket with these facts (group privacy looked up, cached). */
  canView(
    agent: AgentProfile,
    ticket: Omit<TicketAccessFacts, 'groupIsPublic'>,
  ): Promise<Result<boolean, AgentAccessError>>;
}

export interface AgentAccessOptions {
  zendesk: Pick<
    ZendeskClient,
    'getUser' | 'listUserGroupIds' | 'listUserOrganizationIds' | 'getGroup' | 'getCustomRole'
  >;
  logger: Logger;
  /** How long an agent's profile is trusted before it is read again (default 60 s). */
  cacheSeconds?: number;
  now?: () => number;
}

/** Groups and custom roles change rarely; their settings are kept longer than profiles. */
const SETTINGS_CACHE_SECONDS = 300;
/** Entries per cache; the oldest go first, so an account with many agents cannot grow it. */
const MAX_CACHE_ENTRIES = 5_000;

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

/** A small TTL cache that also shares one in-flight lookup among concurrent callers. */
function createCache<T>(ttlMs: number, now: () => number) {
  const entries = new Map<number, Cached<T>>();
  return (key: number, load: () => Promise<T>, keep: (value: T) => boolean): Promise<T> => {
    const hit = entries.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = load();
    entries.delete(key);
    entries.set(key, { at: now(), value });
    if (entries.size > MAX_CACHE_ENTRIES) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    // Failures are not cached: the next call asks Zendesk again.
    void value.then((settled) => {
      if (!keep(settled) && entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };
}

function toAccessError(error: ZendeskError): AgentAccessError {
  if (error.code === 'ZENDESK_NOT_FOUND') {
    return { code: 'AGENT_NOT_ALLOWED', message: 'Zendesk has no such user.' };
  }
  if (error.code === 'ZENDESK_UNAUTHORIZED') {
    return {
      code: 'HELPDESK_AUTH_FAILED',
      message: "Zendesk refused the server's credentials while checking the agent's access.",
    };
  }
  return {
    code: 'HELPDESK_UNAVAILABLE',
    message: `Zendesk could not be asked what the agent may see: ${error.message}`,
  };
}

export function createAgentAccess(options: AgentAccessOptions): AgentAccess {
  const now = options.now ?? Date.now;
  const { zendesk, logger } = options;
  const profiles = createCache<Result<AgentProfile, AgentAccessError>>(
    (options.cacheSeconds ?? 60) * 1000,
    now,
  );
  const groups = createCache<Result<boolean, AgentAccessError>>(SETTINGS_CACHE_SECONDS * 1000, now);
  const roles = createCache<boolean>(SETTINGS_CACHE_SECONDS * 1000, now);

  /**
   * Whether a custom role lets its agents edit tickets. Reading roles needs an admin token; if
   * Zendesk refuses, the agent is treated as unable to edit (less, never more).
   */
  const roleCanEdit = (roleId: number): Promise<boolean> =>
    roles(
      roleId,
      async () => {
        const role = await zendesk.getCustomRole(roleId);
        if (!role.ok) {
          logger.warn('could not read a custom role; its agents may not edit tickets here', {
            roleId,
            code: role.error.code,
          });
          return false;
        }
        // role_type 1 is the light agent role.
        return (
          role.value.roleType !== 1 &&
          role.value.lightAgent !== true &&
          role.value.ticketEditing !== false
        );
      },
      () => true,
    );

  async function readProfile(userId: number): Promise<Result<AgentProfile, AgentAccessError>> {
    const user = await zendesk.getUser(userId);
    if (!user.ok) return { ok: false, error: toAccessError(user.error) };
    const { role } = user.value;
    if (
      (role !== 'agent' && role !== 'admin') ||
      !user.value.active ||
      user.value.suspended ||
      user.value.chatOnly
    ) {
      return {
        ok: false,
        error: {
          code: 'AGENT_NOT_ALLOWED',
          message: 'Only active Zendesk agents and admins with Support access can use this app.',
        },
      };
    }
    const [groupIds, organizationIds] = await Promise.all([
      zendesk.listUserGroupIds(userId),
      zendesk.listUserOrganizationIds(userId),
    ]);
    if (!groupIds.ok) return { ok: false, error: toAccessError(groupIds.error) };
    if (!organizationIds.ok) return { ok: false, error: toAccessError(organizationIds.error) };
    const canEditTickets =
      role === 'admin' || user.value.customRoleId === null
        ? true
        : await roleCanEdit(user.value.customRoleId);
    const orgs = new Set(organizationIds.value);
    if (user.value.organizationId !== null) orgs.add(user.value.organizationId);
    return {
      ok: true,
      value: {
        id: user.value.id,
        name: user.value.name,
        email: user.value.email ?? '',
        role,
        ticketRestriction: readTicketRestriction(user.value.ticketRestriction),
        groupIds: new Set(groupIds.value),
        organizationIds: orgs,
        canEditTickets,
      },
    };
  }

  const groupIsPublic = (groupId: number) =>
    groups(
      groupId,
      async (): Promise<Result<boolean, AgentAccessError>> => {
        const group = await zendesk.getGroup(groupId);
        // A group Zendesk no longer has cannot make the ticket private.
        if (!group.ok && group.error.code === 'ZENDESK_NOT_FOUND') return { ok: true, value: true };
        if (!group.ok) return { ok: false, error: toAccessError(group.error) };
        return { ok: true, value: group.value.isPublic };
      },
      (result) => result.ok,
    );

  return {
    loadAgent: (userId) =>
      profiles(
        userId,
        () => readProfile(userId),
        (result) => result.ok,
      ),
    async canView(agent, ticket) {
      let isPublic: boolean | null = null;
      if (ticket.groupId !== null) {
        const known = await groupIsPublic(ticket.groupId);
        if (!known.ok) return known;
        isPublic = known.value;
      }
      return { ok: true, value: canViewTicket(agent, { ...ticket, groupIsPublic: isPublic }) };
    },
  };
}
