/**
 * Which tickets a Zendesk agent may open, decided from what Zendesk says about the agent (role,
 * `ticket_restriction`, group and organization memberships, custom role) and about the ticket.
 * The sidebar's sessions and the API apply it to every read and run, so an agent gets here what
 * Zendesk would show them: a ticket they cannot open there is "not found" here.
 *
 * Rules (docs/security.md lists them with their sources):
 * - only active, unsuspended agents and admins with Support access (not chat-only) get anything;
 * - a ticket in a private group is for that group's members only. Zendesk may let admins or some
 *   custom roles see them too (unverified); hiding them errs on the side of showing less;
 * - admins, and agents without a restriction, see every other ticket;
 * - `groups`: tickets of the agent's groups; `organization`: tickets of the agent's
 *   organizations; `assigned`: tickets assigned to the agent; `requested`: tickets they
 *   requested. A restricted agent also sees the tickets assigned to or requested by them.
 *   Tickets they are only CC'd on stay hidden here, even where Zendesk might show them.
 */
export interface AgentProfile {
  id: number;
  name: string;
  email: string;
  role: 'agent' | 'admin';
  ticketRestriction: 'organization' | 'groups' | 'assigned' | 'requested' | null;
  groupIds: ReadonlySet<number>;
  organizationIds: ReadonlySet<number>;
  /** False for light agents and custom roles without "edit ticket properties". */
  canEditTickets: boolean;
}

export interface TicketAccessFacts {
  groupId: number | null;
  /** Whether the ticket's group is public; null when the ticket has no group. */
  groupIsPublic: boolean | null;
  assigneeId: number | null;
  requesterId: number | null;
  organizationId: number | null;
}

export function canViewTicket(agent: AgentProfile, ticket: TicketAccessFacts): boolean {
  if (ticket.groupId !== null && ticket.groupIsPublic === false) {
    if (!agent.groupIds.has(ticket.groupId)) return false;
  }
  if (agent.role === 'admin' || agent.ticketRestriction === null) return true;
  if (ticket.assigneeId === agent.id || ticket.requesterId === agent.id) return true;
  switch (agent.ticketRestriction) {
    case 'groups':
      return ticket.groupId !== null && agent.groupIds.has(ticket.groupId);
    case 'organization':
      return ticket.organizationId !== null && agent.organizationIds.has(ticket.organizationId);
    case 'assigned':
    case 'requested':
      return false;
  }
}

const RESTRICTIONS = new Set(['organization', 'groups', 'assigned', 'requested']);

/** Reads Zendesk's `ticket_restriction`; an unknown value restricts to the agent's own tickets. */
export function readTicketRestriction(value: string | null): AgentProfile['ticketRestriction'] {
  if (value === null) return null;
  return RESTRICTIONS.has(value) ? (value as AgentProfile['ticketRestriction']) : 'assigned';
}
