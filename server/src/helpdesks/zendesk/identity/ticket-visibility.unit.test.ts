import { describe, expect, it } from 'vitest';
import { canViewTicket, readTicketRestriction } from './ticket-visibility';
import type { AgentProfile, TicketAccessFacts } from './ticket-visibility';

const agent = (overrides: Partial<AgentProfile> = {}): AgentProfile => ({
  id: 10,
  name: 'A',
  email: 'a@x',
  role: 'agent',
  ticketRestriction: null,
  groupIds: new Set([1]),
  organizationIds: new Set([100]),
  canEditTickets: true,
  ...overrides,
});
const ticket = (overrides: Partial<TicketAccessFacts> = {}): TicketAccessFacts => ({
  groupId: 2,
  groupIsPublic: true,
  assigneeId: 20,
  requesterId: 30,
  organizationId: 200,
  ...overrides,
});

describe('which tickets an agent may open', () => {
  it('lets admins and unrestricted agents open any ticket in a public group', () => {
    expect(canViewTicket(agent({ role: 'admin', groupIds: new Set() }), ticket())).toBe(true);
    expect(canViewTicket(agent(), ticket())).toBe(true);
    expect(canViewTicket(agent(), ticket({ groupId: null, groupIsPublic: null }))).toBe(true);
  });

  it("keeps a private group's tickets for its members, admins included", () => {
    const secret = ticket({ groupId: 3, groupIsPublic: false, assigneeId: 10 });
    expect(canViewTicket(agent({ role: 'admin' }), secret)).toBe(false);
    expect(canViewTicket(agent(), secret)).toBe(false);
    expect(canViewTicket(agent({ groupIds: new Set([3]) }), secret)).toBe(true);
  });

  it.each([
    ['groups', ticket({ groupId: 1 }), ticket({ groupId: 2 })],
    ['organization', ticket({ organizationId: 100 }), ticket({ organizationId: 200 })],
    ['assigned', ticket({ assigneeId: 10 }), ticket({ assigneeId: 11 })],
    ['requested', ticket({ requesterId: 10 }), ticket({ requesterId: 11 })],
  ] as const)('restricted to %s: sees what matches, and nothing else', (restriction, yes, no) => {
    const restricted = agent({ ticketRestriction: restriction });
    expect(canViewTicket(restricted, yes)).toBe(true);
    expect(canViewTicket(restricted, no)).toBe(false);
  });

  it('lets a restricted agent open the tickets assigned to or requested by them', () => {
    const restricted = agent({ ticketRestriction: 'groups', groupIds: new Set() });
    expect(canViewTicket(restricted, ticket({ assigneeId: 10 }))).toBe(true);
    expect(canViewTicket(restricted, ticket({ requesterId: 10 }))).toBe(true);
    expect(canViewTicket(restricted, ticket({ groupId: null, groupIsPublic: null }))).toBe(false);
  });

  it('reads an unknown restriction as the narrowest one', () => {
    expect(readTicketRestriction(null)).toBeNull();
    expect(readTicketRestriction('groups')).toBe('groups');
    expect(readTicketRestriction('brand')).toBe('assigned');
  });
});
